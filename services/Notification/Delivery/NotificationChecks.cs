using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Operations;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Delivery;

/// <summary>Notification's part of the administrator's routine checks (the cockpit): email that could not be delivered, and email waiting on a relay that refuses it.</summary>
public static class NotificationChecks
{
    public static void AddNotificationChecks(this IServiceCollection services)
    {
        services.AddOperationsCheck(new OperationsCheck("mail.undelivered", CheckCadence.Daily, "Emails not delivered (last 3 days)",
            "admin/notifications/deliveries?status=GaveUp", async (sp, now, ct) =>
            {
                var since = now.AddDays(-3);
                var failed = await Db(sp).Emails.Where(e => (e.Status == EmailStatus.Bounced || e.Status == EmailStatus.GaveUp) && e.CreatedAt >= since)
                    .GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.LongCount() }).ToListAsync(ct);
                return CheckFinding.Of(failed.Sum(f => f.Count), CheckStatus.Failing,
                    failed.Count == 0 ? null : string.Join(", ", failed.Select(f => $"{f.Count:N0} {(f.Key == EmailStatus.Bounced ? "bounced" : "given up")}")));
            }));
        services.AddOperationsCheck(new OperationsCheck("mail.retrying", CheckCadence.Daily, "Emails being retried (the mail relay refusing them)",
            "admin/notifications/deliveries?status=Retrying", async (sp, _, ct) =>
                CheckFinding.Of(await Db(sp).Emails.LongCountAsync(e => e.Status == EmailStatus.Retrying, ct), CheckStatus.Attention)));
    }

    private static NotificationDbContext Db(IServiceProvider services) => services.GetRequiredService<NotificationDbContext>();
}
