namespace LmsPlatform.Analytics.Model;

/// <summary>A role someone holds (everywhere, or in one org unit's subtree), copied from identity's role events: whom a scheduled report may show.</summary>
public sealed class RoleHeld
{
    public Guid AssignmentId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = "";
    public Guid? ScopeOrgUnitId { get; set; }
    public bool Granted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }

    /// <summary>Applies a grant or revocation to the role it is about; a later change that arrived first is kept.</summary>
    public static async Task ApplyAsync(Infrastructure.AnalyticsDbContext db, Contracts.Identity.RoleAssignmentChanged change, CancellationToken ct)
    {
        var role = await db.RolesHeld.FindAsync([change.AssignmentId], ct);
        if (role is null) db.RolesHeld.Add(role = new RoleHeld { AssignmentId = change.AssignmentId });
        if (role.ChangedAt > change.ChangedAt) return;
        (role.UserId, role.Role, role.ScopeOrgUnitId, role.Granted, role.ChangedAt) = (change.UserId, change.Role, change.ScopeOrgUnitId, change.Granted, change.ChangedAt);
    }
}

public enum ScheduleFrequency { Daily, Weekly, Monthly }

/// <summary>
/// A report someone asked to have emailed on a schedule. It runs as its owner: with the scope their roles give them
/// when it runs, and not at all once they may no longer read reports. Recipients are the owner and people within the
/// owner's scope, so a schedule cannot send anyone figures about people the owner could not show them.
/// </summary>
public sealed class ReportSchedule
{
    /// <summary>The hour of day (UTC) schedules run at: early, so the mail is there when people start work.</summary>
    public const int RunHour = 6;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary><c>completion</c> or <c>compliance</c>.</summary>
    public string Report { get; set; } = "";
    /// <summary>The report page's query, without a date (a schedule is always about now).</summary>
    public Application.ReportQuery Query { get; set; } = new(null, null, null, true, null, null, "course");
    public ScheduleFrequency Frequency { get; set; }
    public List<Guid> RecipientIds { get; set; } = [];
    public Guid OwnerId { get; set; }
    public string OwnerName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextRunAt { get; set; }
    public DateTimeOffset? LastRunAt { get; set; }
    /// <summary>What the last run did: "sent to N people", or why it sent nothing.</summary>
    public string? LastOutcome { get; set; }

    /// <summary>The first run time after <paramref name="after"/>: the next day, Monday or first of the month at <see cref="RunHour"/> UTC.</summary>
    public static DateTimeOffset NextAfter(ScheduleFrequency frequency, DateTimeOffset after)
    {
        var utc = after.ToUniversalTime();
        var today = new DateTimeOffset(utc.Year, utc.Month, utc.Day, RunHour, 0, 0, TimeSpan.Zero);
        return frequency switch
        {
            ScheduleFrequency.Daily => today > utc ? today : today.AddDays(1),
            ScheduleFrequency.Weekly => Enumerable.Range(0, 8).Select(d => today.AddDays(d)).First(t => t > utc && t.DayOfWeek == DayOfWeek.Monday),
            _ => new DateTimeOffset(utc.Year, utc.Month, 1, RunHour, 0, 0, TimeSpan.Zero) is var first && first > utc ? first : first.AddMonths(1),
        };
    }

    /// <summary>
    /// Records a run (or why it sent nothing). A scheduled run moves the next run on; a run asked for by hand leaves the
    /// schedule as it was. Runs happen in the transaction that writes their event, on a locked row, so a run is never
    /// sent twice.
    /// </summary>
    public void Ran(DateTimeOffset now, string outcome, bool scheduled)
    {
        (LastRunAt, LastOutcome) = (now, outcome);
        if (scheduled) NextRunAt = NextAfter(Frequency, now);
    }
}
