using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Enrolment;

namespace LmsPlatform.Enrolment.Model;

/// <summary>
/// The kinds of ledger entry. <see cref="Expired"/> records that the certification a completion earned ran out (the
/// enrolment's state does not move: the renewal is its own assignment, see <c>Certification</c>). <see cref="Migrated"/>
/// moves an open enrolment to a newer course version (its <see cref="LedgerEntry.Version"/>).
/// </summary>
public enum LedgerAction { Assigned, Started, Completed, Waived, Reset, DueDateChanged, Suspended, Resumed, Withdrawn, Expired, Migrated }

/// <summary>
/// One row of the completion ledger: append-only, never updated or deleted. Who did what to which enrolment, when it
/// took effect (<see cref="At"/>: a completion recorded today may have happened last week) and when it was written
/// (<see cref="RecordedAt"/>), and why. Entries are applied in the order they were written, numbered per enrolment
/// (<see cref="Sequence"/>; unique with the enrolment, so two writers racing on one enrolment cannot both append).
/// </summary>
public sealed record LedgerEntry
{
    public Guid Id { get; init; }
    public Guid EnrolmentId { get; init; }
    public int Sequence { get; init; }
    public Guid UserId { get; init; }
    public Guid CourseId { get; init; }
    public LedgerAction Action { get; init; }
    public DateTimeOffset At { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public Guid? ActorId { get; init; }
    public string ActorName { get; init; } = "";
    public string? Reason { get; init; }
    /// <summary>The course version the enrolment is on after this entry.</summary>
    public int? Version { get; init; }
    /// <summary>The due date after this entry.</summary>
    public DateTimeOffset? DueAt { get; init; }
    /// <summary>Why the enrolment exists (on the assignment).</summary>
    public EnrolmentSourceKind? SourceKind { get; init; }
    public string? SourceReference { get; init; }

    /// <summary>What the entry announces to other services (none for an expiry: the certification announces that).</summary>
    public IIntegrationEvent? ToIntegrationEvent() => Action switch
    {
        LedgerAction.Assigned => new Enrolled(EnrolmentId, UserId, CourseId, Sequence, Version ?? 0, DueAt, (SourceKind ?? EnrolmentSourceKind.Manual).ToString(),
            SourceReference, At),
        LedgerAction.Started => new ProgressRecorded(EnrolmentId, UserId, CourseId, Sequence, EnrolmentStatus.InProgress.ToString(), At),
        LedgerAction.Completed or LedgerAction.Waived => new EnrolmentCompleted(EnrolmentId, UserId, CourseId, Sequence, Version ?? 0,
            Action == LedgerAction.Waived, Reason, At),
        LedgerAction.Reset => new EnrolmentReset(EnrolmentId, UserId, CourseId, Sequence, Reason, At),
        LedgerAction.DueDateChanged => new DueDateChanged(EnrolmentId, UserId, CourseId, Sequence, DueAt, Reason, At),
        LedgerAction.Suspended => new EnrolmentSuspended(EnrolmentId, UserId, CourseId, Sequence, Reason, At),
        LedgerAction.Resumed => new EnrolmentResumed(EnrolmentId, UserId, CourseId, Sequence, Reason, At),
        LedgerAction.Withdrawn => new EnrolmentWithdrawn(EnrolmentId, UserId, CourseId, Sequence, Reason, At),
        LedgerAction.Migrated => new EnrolmentMigrated(EnrolmentId, UserId, CourseId, Sequence, Version ?? 0, Reason, At),
        _ => null,
    };

    /// <summary>The entries that had taken effect by <paramref name="asOf"/>, in the order they were written.</summary>
    public static IEnumerable<LedgerEntry> AsOf(IEnumerable<LedgerEntry> entries, DateTimeOffset asOf) =>
        entries.Where(e => e.At <= asOf).OrderBy(e => e.Sequence);
}
