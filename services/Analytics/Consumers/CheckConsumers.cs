using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Operations;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Consumers;

/// <summary>Keeps every service's operations checks for the cockpit: the last outcome of each check in each hour, for a year and a bit (monthly checks compare months).</summary>
public sealed class ChecksTakenConsumer(AnalyticsDbContext db, TimeProvider time) : IdempotentConsumer<ChecksTaken, AnalyticsDbContext>(db)
{
    public static readonly TimeSpan History = TimeSpan.FromDays(400);

    private Dictionary<(string, string, DateTimeOffset), CheckResult> _rows = [];

    protected override async Task BeforeHandlingAsync(IReadOnlyList<ChecksTaken> messages, CancellationToken cancellationToken)
    {
        var services = messages.Select(m => m.Service).Distinct().ToList();
        var hours = messages.Select(m => CheckResult.HourOf(m.At)).Distinct().ToList();
        _rows = await Db.CheckResults.Where(c => services.Contains(c.Service) && hours.Contains(c.Hour)).ToDictionaryAsync(c => (c.Service, c.Key, c.Hour), cancellationToken);
    }

    protected override Task HandleAsync(ChecksTaken message, CancellationToken cancellationToken)
    {
        var hour = CheckResult.HourOf(message.At);
        foreach (var check in message.Checks)
        {
            if (!_rows.TryGetValue((message.Service, check.Key, hour), out var row))
            {
                row = new CheckResult { Service = message.Service, Key = check.Key, Hour = hour, At = DateTimeOffset.MinValue };
                _rows[(message.Service, check.Key, hour)] = row;
                Db.CheckResults.Add(row);
            }
            row.Apply(message, check);
        }
        return Task.CompletedTask;
    }

    protected override async Task AfterHandlingAsync(IReadOnlyList<ChecksTaken> messages, CancellationToken cancellationToken)
    {
        var before = time.GetUtcNow() - History;
        await Db.CheckResults.Where(c => c.Hour < before).ExecuteDeleteAsync(cancellationToken);
    }
}
