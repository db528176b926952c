namespace LmsPlatform.Notification.Model;

public enum AssignmentStatus { Open, Suspended, Closed }

/// <summary>
/// Notification's copy of one enrolment, as far as reminders and escalations need it: whose, which course, due when,
/// whether still to do, and what has been sent about its current due date. Kept from enrolment's ledger events, each
/// applied once and in order (<see cref="Sequence"/>: a late or repeated event is ignored).
/// </summary>
public sealed class Assignment
{
    public Guid EnrolmentId { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public AssignmentStatus Status { get; set; }
    public int Sequence { get; set; }
    /// <summary>The smallest "days before" reminded of for the current due date (null: none yet).</summary>
    public int? RemindedDaysBefore { get; set; }
    /// <summary>How far up the manager ladder the current due date's lateness has gone: 0 none, 1 the manager, 2 theirs.</summary>
    public int EscalationLevel { get; set; }
    /// <summary>
    /// When this enrolment is a certification's renewal: the certified course. Its reminders then say that the
    /// certification expires (its due date is the expiry), not that a course is due.
    /// </summary>
    public Guid? RenewsCertificationOf { get; set; }
    /// <summary>When that certification expires (the renewal's due date is normally the same, but may be moved).</summary>
    public DateTimeOffset? CertificationExpiresAt { get; set; }
    /// <summary>
    /// Enrolled as a renewal (its Enrolled's source). Which certification it renews comes in the window's own message, on
    /// another queue; until it has, the renewal is not reminded of (it would be reminded of as an ordinary course).
    /// </summary>
    public bool IsRenewal { get; set; }

    /// <summary>Applies a ledger event's effect if it is newer than the last one applied.</summary>
    public bool Apply(int sequence, Action change)
    {
        if (sequence <= Sequence) return false;
        Sequence = sequence;
        change();
        return true;
    }

    /// <summary>A new due date starts the reminders and the ladder again.</summary>
    public void DueOn(DateTimeOffset? dueAt)
    {
        if (dueAt == DueAt) return;
        DueAt = dueAt;
        RemindedDaysBefore = null;
        EscalationLevel = 0;
    }
}

/// <summary>
/// When people are reminded and whom lateness is escalated to: organisation-wide (<see cref="CourseId"/> null) or for
/// one course, which then replaces the organisation's.
/// </summary>
public sealed class ReminderPolicy
{
    public Guid Id { get; set; }
    public Guid? CourseId { get; set; }
    /// <summary>Days before the due date to remind on (7 and 1, say); none for no reminders.</summary>
    public int[] DaysBefore { get; set; } = [7, 1];
    /// <summary>Days after the due date to tell the person's manager (null: never).</summary>
    public int? EscalateAfterDays { get; set; } = 3;
    /// <summary>Days after the due date to tell the manager's manager too (null: never).</summary>
    public int? SecondEscalationAfterDays { get; set; } = 10;
    public DateTimeOffset UpdatedAt { get; set; }

    public static ReminderPolicy Default => new();
}

/// <summary>What is due for an assignment now, by its policy: the rules every reminder and escalation follows.</summary>
public static class ReminderRules
{
    /// <summary>
    /// The reminder to send now, as its "days before": the nearest of the policy's days that has come and is nearer
    /// than any already sent for this due date. Enrolled two days before the due date with 7 and 1, the person is
    /// reminded once at once and once on the last day; enrolled on the last day, once.
    /// </summary>
    public static int? ReminderDue(Assignment a, ReminderPolicy policy, DateTimeOffset now)
    {
        if (a.Status != AssignmentStatus.Open || a.DueAt is not { } due || due <= now) return null;
        if (a.IsRenewal && a.RenewsCertificationOf is null) return null;
        int? nearest = null;
        foreach (var days in policy.DaysBefore)
            if (due.AddDays(-days) <= now && (nearest is null || days < nearest)) nearest = days;
        return nearest is { } d && (a.RemindedDaysBefore is null || d < a.RemindedDaysBefore) ? d : null;
    }

    /// <summary>The rung of the manager ladder that lateness has reached now and not yet been told of: 1, 2, or null.</summary>
    public static int? EscalationDue(Assignment a, ReminderPolicy policy, DateTimeOffset now)
    {
        if (a.Status != AssignmentStatus.Open || a.DueAt is not { } due || due > now) return null;
        var level = policy.SecondEscalationAfterDays is { } second && due.AddDays(second) <= now ? 2
            : policy.EscalateAfterDays is { } first && due.AddDays(first) <= now ? 1 : 0;
        return level > a.EscalationLevel ? level : null;
    }
}
