using System.Globalization;
using LmsPlatform.Contracts.Analytics;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Notification.Consumers;

/// <summary>A scheduled report ran in analytics: its figures to each recipient, once per run and person (the dedupe key).</summary>
public sealed class ScheduledReportReadyConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<ScheduledReportReady, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(ScheduledReportReady message, CancellationToken cancellationToken)
    {
        foreach (var recipient in message.RecipientIds)
        {
            var to = await notifier.RecipientAsync(recipient, cancellationToken);
            var link = $"{notifier.PortalUrl}/{message.Link}";
            await notifier.SendAsync(to, NotificationTypes.ScheduledReport, new()
            {
                ["report_name"] = message.Name, ["report_title"] = message.Report, ["scope"] = message.Scope, ["owner"] = message.OwnerName,
                ["as_of"] = message.AsOf.UtcDateTime.ToString("d MMMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture),
                ["lines"] = message.Lines.Select(Line).ToList<object?>(), ["total"] = Line(message.Total), ["more"] = message.MoreLines, ["link"] = link,
            }, $"scheduled-report:{message.RunId:N}:{recipient:N}", link, cancellationToken);
        }
    }

    private static Dictionary<string, object?> Line(ScheduledReportLine line) => new()
    {
        ["name"] = line.Name, ["assigned"] = line.Assigned, ["completed"] = line.Completed, ["overdue"] = line.Overdue, ["required"] = line.Required,
        ["compliant"] = line.Compliant, ["completion_rate"] = Percent(line.CompletionRate), ["compliance_rate"] = Percent(line.ComplianceRate),
    };

    private static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "no rate";
}
