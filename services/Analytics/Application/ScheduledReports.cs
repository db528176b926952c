using System.Security.Claims;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Analytics;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// Reports emailed on a schedule (ADR 0022). A schedule runs as its owner: their scope is taken from the roles they
/// hold when it runs (analytics' copy of identity's role events), so a manager who moves team sends their new team's
/// figures, and someone who may no longer read reports sends nothing. Notification writes the emails.
/// </summary>
public static class ScheduledReports
{
    public static readonly IReadOnlyList<string> Kinds = ["completion", "compliance"];
    /// <summary>Lines an email lists (the largest first); the rest are in the portal.</summary>
    public const int MaxLines = 25;
    public const int MaxRecipients = 50;

    /// <summary>
    /// The owner as a caller: their person and the roles they hold now, as a token would carry them. Null when they are
    /// gone, deactivated, or hold no role that reads reports.
    /// </summary>
    public static async Task<ClaimsPrincipal?> OwnerAsync(AnalyticsDbContext db, Guid ownerId, CancellationToken ct)
    {
        var person = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.UserId == ownerId, ct);
        if (person is null || person.Status != UserFact.Active || person.Erased) return null;
        var roles = await db.RolesHeld.AsNoTracking().Where(r => r.UserId == ownerId && r.Granted).ToListAsync(ct);
        var mayRead = roles.Any(r => r.ScopeOrgUnitId is null
            ? Roles.PermissionsOf(r.Role).Contains(Permissions.ReportsRead)
            : Roles.ScopedPermissionsOf(r.Role).Contains(Permissions.ReportsRead));
        if (!mayRead) return null;
        List<Claim> claims = [new("sub", ownerId.ToString()), new("name", person.DisplayName), new(LmsClaims.Role, Roles.Learner)];
        if (person.OrgUnitId is { } unit) claims.Add(new(LmsClaims.OrgUnit, unit.ToString()));
        claims.AddRange(roles.Select(r => r.ScopeOrgUnitId is { } scope ? new Claim(LmsClaims.ScopedRole, $"{r.Role}:{scope}") : new Claim(LmsClaims.Role, r.Role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "report-schedule"));
    }

    /// <summary>Of <paramref name="ids"/>, the active people a schedule of this owner may send to: the owner, and people within their scope.</summary>
    public static Task<List<UserFact>> RecipientsAsync(AnalyticsDbContext db, ReportScope scope, Guid ownerId, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var list = ids.ToList();
        return db.Users.AsNoTracking().Where(u => list.Contains(u.UserId) && u.Status == UserFact.Active && !u.Erased)
            .Where(u => u.UserId == ownerId || scope.Filter(db.Users).Any(r => r.UserId == u.UserId)).ToListAsync(ct);
    }

    /// <summary>
    /// Runs a schedule whose row the caller's transaction has locked: the event written through the outbox (or nothing,
    /// with the reason), and the run recorded (a scheduled run also sets the next). The caller commits.
    /// </summary>
    public static async Task<(bool Sent, string Outcome)> SendAsync(AnalyticsDbContext db, ReportSchedule schedule, DateTimeOffset now, bool scheduled,
        CancellationToken ct)
    {
        var (ready, outcome) = await RunAsync(db, schedule, now, ct);
        if (ready is not null) db.AddIntegrationEvent(ready);
        schedule.Ran(now, outcome, scheduled);
        await db.SaveChangesAsync(ct);
        return (ready is not null, outcome);
    }

    /// <summary>Runs the schedule now, as its owner: the event for notification to send, or null with the reason nothing is sent.</summary>
    public static async Task<(ScheduledReportReady? Ready, string Outcome)> RunAsync(AnalyticsDbContext db, ReportSchedule schedule, DateTimeOffset now,
        CancellationToken ct)
    {
        if (await OwnerAsync(db, schedule.OwnerId, ct) is not { } owner) return (null, "Not sent: its owner may no longer read reports.");
        var scope = await ReportScope.ForAsync(owner, db, ct);
        var recipients = await RecipientsAsync(db, scope, schedule.OwnerId, schedule.RecipientIds, ct);
        if (recipients.Count == 0) return (null, "Not sent: none of its recipients is within its owner's reach any more.");

        var q = schedule.Query with { AsOf = null };
        var filter = q.ToFilter(now);
        var data = await Reports.OpenAsync(db, scope, filter, ct);
        var grouping = q.Grouping;
        var (rows, total) = await Reports.CountsAsync(db, data.Assignments, grouping, ct);
        var lines = rows.OrderByDescending(r => schedule.Report == "compliance" ? r.Required : r.Assigned).ThenBy(r => r.Name).Take(MaxLines).Select(Line).ToList();
        var link = $"reports/compliance?{string.Join("&", Filters(q))}";
        var ready = new ScheduledReportReady(Guid.CreateVersion7(now), schedule.Id, schedule.Name, schedule.Report, await Reports.DescribeAsync(db, scope, filter, ct),
            schedule.OwnerName, data.AsOf, [.. recipients.Select(r => r.UserId)], lines, Line(total), Math.Max(0, rows.Count - lines.Count), link);
        return (ready, $"Sent to {recipients.Count} {(recipients.Count == 1 ? "person" : "people")}" +
                       (recipients.Count < schedule.RecipientIds.Count ? $" ({schedule.RecipientIds.Count - recipients.Count} no longer within its owner's reach)" : "") + ".");
    }

    private static ScheduledReportLine Line(MetricRow r) =>
        new(r.Name, r.Assigned, r.Completed, r.Overdue, r.Required, r.Compliant, r.CompletionRate, r.ComplianceRate);

    /// <summary>The report page's query for the schedule's filters (the page filters by org unit; the email names the rest).</summary>
    private static IEnumerable<string> Filters(ReportQuery q)
    {
        if (q.OrgUnitId is { } unit) yield return $"orgUnit={unit}";
        if (q.AudienceId is { } audience) yield return $"audience={audience}";
        yield return $"groupBy={(q.Grouping == GroupBy.OrgUnit ? "orgUnit" : "course")}";
    }
}

/// <summary>
/// Runs the schedules that are due, one at a time: the row locked (so two replicas never run one schedule both), the
/// report counted as its owner, its event written through the outbox and the next run set, in one transaction.
/// </summary>
public sealed class ReportScheduleWorker(IServiceScopeFactory scopes, TimeProvider time, IConfiguration configuration, ILogger<ReportScheduleWorker> log)
    : RoundWorker(scopes, time, log)
{
    protected override string Doing => "Running scheduled reports";

    protected override TimeSpan PollInterval => configuration.GetValue("Analytics:SchedulesInterval", TimeSpan.FromMinutes(1));

    protected override async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<AnalyticsDbContext>();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            var now = Time.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var due = await db.ReportSchedules.FromSql($"""
                SELECT * FROM report_schedules WHERE "NextRunAt" <= {now} ORDER BY "NextRunAt" LIMIT 1 FOR UPDATE SKIP LOCKED
                """).FirstOrDefaultAsync(ct);
            if (due is null) return 0;
            var (_, outcome) = await ScheduledReports.SendAsync(db, due, now, scheduled: true, ct);
            await transaction.CommitAsync(ct);
            log.LogInformation("Scheduled report {Schedule} ({Name}): {Outcome}", due.Id, due.Name, outcome);
            return 1;
        });
    }
}
