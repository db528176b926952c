using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Operations;
using LmsPlatform.ServiceDefaults.Operations;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>One taking of a check, for its history.</summary>
public sealed record CheckPoint(DateTimeOffset At, string Status, long Count);

/// <summary>A check as the cockpit shows it: its latest outcome, and its history (the last outcome of each day, oldest first).</summary>
public sealed record CockpitCheck(string Service, string Key, string Cadence, string Title, string Status, long Count, string? Link, string? Detail,
    DateTimeOffset? At, IReadOnlyList<CheckPoint> History);

/// <summary>
/// The administrator's operations cockpit (ADR 0021): the latest outcome of every service's checks, their history,
/// and one more check per service that the services cannot take themselves, whether each is sending its checks at all.
/// A service silent for three of its intervals (stopped, crashed, its outbox or the broker stuck) is failing there.
/// </summary>
public static class Cockpit
{
    /// <summary>The platform's services, each of which sends its checks.</summary>
    public static IReadOnlyList<string> Services => LmsPlatform.Contracts.ResourceNames.Bus.Services;

    /// <summary>The days of history the cockpit shows, one outcome a day (the day's last).</summary>
    public const int HistoryDays = 14;

    public static async Task<IReadOnlyList<CockpitCheck>> ReadAsync(AnalyticsDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        // Each check's last outcome of each day over the history: the hourly rows of those days, by the index on the hour.
        var since = now.AddDays(-HistoryDays);
        var recent = await db.Database.SqlQuery<RecentCheck>($"""
            SELECT DISTINCT ON ("Service", "Key", date_trunc('day', "Hour" AT TIME ZONE 'UTC'))
                   "Service", "Key", "At", "Cadence", "Title", "Status", "Count", "Link", "Detail", "Interval"
            FROM check_results WHERE "Hour" >= {CheckResult.HourOf(since)}
            ORDER BY "Service", "Key", date_trunc('day', "Hour" AT TIME ZONE 'UTC'), "Hour" DESC
            """).ToListAsync(ct);
        var checks = recent.GroupBy(r => (r.Service, r.Key)).Select(g =>
        {
            var latest = g.MaxBy(r => r.At)!;
            return new CockpitCheck(latest.Service, latest.Key, latest.Cadence, latest.Title, latest.Status, latest.Count, latest.Link, latest.Detail, latest.At,
                [.. g.OrderBy(r => r.At).Select(r => new CheckPoint(r.At, r.Status, r.Count))]);
        }).ToList();
        foreach (var service in Services)
        {
            var last = recent.Where(r => r.Service == service).MaxBy(r => r.At);
            var silent = last is null || now - last.At > 3 * last.Interval;
            var detail = last is null ? $"No checks received from this service in the last {HistoryDays} days." : silent ? $"No checks received since {last.At:yyyy-MM-dd HH:mm} UTC." : null;
            checks.Add(new CockpitCheck(service, "service.reporting", "daily", "Sending its checks", silent ? "failing" : "ok", silent ? 1 : 0, null, detail,
                last?.At, []));
        }
        return [.. checks.OrderBy(c => Array.IndexOf(Cadences, c.Cadence)).ThenBy(c => c.Status == "ok").ThenBy(c => c.Title).ThenBy(c => c.Service)];
    }

    private static readonly string[] Cadences = ["daily", "weekly", "monthly"];

    private sealed record RecentCheck(string Service, string Key, DateTimeOffset At, string Cadence, string Title, string Status, long Count, string? Link,
        string? Detail, TimeSpan Interval);

    /// <summary>Analytics' own checks: the monthly ones its read model can answer, and the deployment's backups.</summary>
    public static void AddAnalyticsChecks(this IServiceCollection services)
    {
        services.AddOperationsCheck(new OperationsCheck("backups.fresh", CheckCadence.Daily, "Every database backed up in the last 26 hours", null,
            (sp, now, _) => Task.FromResult(Backups.Freshness(BackupFolder(sp), now))));
        services.AddOperationsCheck(new OperationsCheck("backups.restore-tested", CheckCadence.Monthly, "A backup restored and checked this month", null,
            (sp, now, _) => Task.FromResult(Backups.RestoreTested(BackupFolder(sp), now))));
        services.AddOperationsCheck(new OperationsCheck("reports.reconciliation", CheckCadence.Monthly, "Reports agree with the ledger", "reports/compliance",
            async (sp, _, ct) =>
            {
                var (checkedCount, disagreeing) = await ReconcileAsync(sp.GetRequiredService<AnalyticsDbContext>(), ReconciliationSample, ct);
                return CheckFinding.Of(disagreeing, CheckStatus.Failing,
                    $"{checkedCount:N0} assignments refolded from the ledger copy; {disagreeing:N0} disagree with the ranges reports count.");
            }));
        services.AddOperationsCheck(new OperationsCheck("items.to-archive", CheckCadence.Monthly, "Courses to archive (nobody assigned in 6 months)", "manage/courses",
            async (sp, now, ct) =>
            {
                var db = sp.GetRequiredService<AnalyticsDbContext>();
                var since = now.AddMonths(-6);
                var idle = await db.Items.CountAsync(i => i.ArchivedAt == null && i.PublishedAt < since
                    && !db.LedgerEvents.Any(l => l.CourseId == i.ItemId && l.Action == LedgerAction.Assigned && l.At >= since), ct);
                return CheckFinding.Of(idle, CheckStatus.Attention);
            }));
    }

    private static string? BackupFolder(IServiceProvider services) => services.GetRequiredService<IConfiguration>()["Operations:Backups:Path"];

    /// <summary>How many assignments a reconciliation refolds (the most recently assigned, where a fault would be freshest).</summary>
    public const int ReconciliationSample = 5_000;

    /// <summary>
    /// The metric definitions recomputed from the ledger: each sampled enrolment's entries folded again
    /// (<see cref="EnrolmentHistory"/>) and compared with the ranges the reports count. Returns how many were checked and
    /// how many disagree (a different number of ranges, or a range with another status, due date or span).
    /// </summary>
    public static async Task<(int Checked, int Disagreeing)> ReconcileAsync(AnalyticsDbContext db, int sample, CancellationToken ct)
    {
        var ids = await db.EnrolmentStates.AsNoTracking().Where(s => s.ValidTo == null).OrderByDescending(s => s.AssignedAt)
            .Select(s => s.EnrolmentId).Take(sample).ToListAsync(ct);
        var entries = (await db.LedgerEvents.AsNoTracking().Where(l => ids.Contains(l.EnrolmentId)).ToListAsync(ct)).ToLookup(l => l.EnrolmentId);
        var ranges = (await db.EnrolmentStates.AsNoTracking().Where(s => ids.Contains(s.EnrolmentId)).ToListAsync(ct)).ToLookup(s => s.EnrolmentId);
        var disagreeing = ids.Count(id =>
        {
            var expected = EnrolmentHistory.Ranges([.. entries[id]]);
            var stored = ranges[id].OrderBy(s => s.ValidFrom).ToList();
            return expected.Count != stored.Count || expected.Zip(stored).Any(p =>
                p.First.ValidFrom != p.Second.ValidFrom || p.First.ValidTo != p.Second.ValidTo || p.First.Status != p.Second.Status
                || p.First.DueAt != p.Second.DueAt || p.First.CompletedAt != p.Second.CompletedAt);
        });
        return (ids.Count, disagreeing);
    }
}
