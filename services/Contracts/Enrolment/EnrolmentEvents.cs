namespace LmsPlatform.Contracts.Enrolment;

// Enrolment's events, one per kind of ledger entry (and the clock's: overdue, certification windows and expiry), for
// notification and analytics. Every event about an enrolment names it first (so its events are published in the
// order they were written), the person and the course, and the ledger entry's number: a consumer that keeps the
// highest number it applied per enrolment can ignore a late or repeated one.

/// <summary>Someone was assigned a course. <see cref="Source"/> says why (Manual, Import, SelfEnrolment, AudienceRule, Recertification) and <see cref="SourceReference"/> which.</summary>
public sealed record Enrolled(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, int Version, DateTimeOffset? DueAt, string Source,
    string? SourceReference, DateTimeOffset At) : IIntegrationEvent;

/// <summary>The learner made progress: <see cref="Status"/> is what the enrolment became (InProgress when they began).</summary>
public sealed record ProgressRecorded(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, string Status, DateTimeOffset At) : IIntegrationEvent;

/// <summary>Finished: completed, or waived (exempted, which counts as done) when <see cref="Waived"/>. <see cref="At"/> is when it happened, which may be before it was recorded.</summary>
public sealed record EnrolmentCompleted(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, int Version, bool Waived, string? Reason,
    DateTimeOffset At) : IIntegrationEvent;

/// <summary>Started again (a failed attempt, a recertification): the earlier completion stays on record.</summary>
public sealed record EnrolmentReset(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, string? Reason, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A new due date for this person (none when <see cref="DueAt"/> is null), with the reason.</summary>
public sealed record DueDateChanged(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, DateTimeOffset? DueAt, string? Reason,
    DateTimeOffset At) : IIntegrationEvent;

/// <summary>The assignment is paused (progress kept), with the reason.</summary>
public sealed record EnrolmentSuspended(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, string? Reason, DateTimeOffset At) : IIntegrationEvent;

public sealed record EnrolmentResumed(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, string? Reason, DateTimeOffset At) : IIntegrationEvent;

/// <summary>The assignment was taken away, with the reason (completions are never withdrawn).</summary>
public sealed record EnrolmentWithdrawn(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, string? Reason, DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// An open enrolment moved to a newer course version (<see cref="Version"/>), by an administrator's decision with the
/// reason. Its status and progress stay: content keeps the progress of the activities the new version still has.
/// </summary>
public sealed record EnrolmentMigrated(Guid EnrolmentId, Guid UserId, Guid CourseId, int Sequence, int Version, string? Reason, DateTimeOffset At) : IIntegrationEvent;

/// <summary>An open enrolment's due date passed (announced once per due date: an extension that passes too is announced again).</summary>
public sealed record BecameOverdue(Guid EnrolmentId, Guid UserId, Guid CourseId, DateTimeOffset DueAt, DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// A person joined an audience, started its grace period (Leaving), matched again within it (Stayed) or left it, by
/// the rule's version <see cref="Version"/>.
/// </summary>
public sealed record AudienceMembershipChanged(Guid AudienceId, Guid UserId, string Change, int Version, string Detail, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A certification was earned or renewed (cycle <see cref="Cycle"/>), valid until <see cref="ExpiresAt"/>.</summary>
public sealed record CertificationAchieved(Guid CertificationId, Guid UserId, Guid CourseId, int Cycle, DateTimeOffset CertifiedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// The recertification window opened: the person must complete <see cref="AssignedCourseId"/> (the refresher, or the
/// course again) by <see cref="ExpiresAt"/>; <see cref="EnrolmentId"/> is that assignment.
/// </summary>
public sealed record CertificationWindowOpened(Guid CertificationId, Guid UserId, Guid CourseId, int Cycle, DateTimeOffset ExpiresAt, Guid AssignedCourseId,
    Guid? EnrolmentId, DateTimeOffset At) : IIntegrationEvent;

/// <summary>The certification ran out without a renewal: the person is no longer certified, and the renewal assignment is overdue.</summary>
public sealed record CertificationExpired(Guid CertificationId, Guid UserId, Guid CourseId, int Cycle, DateTimeOffset ExpiredAt, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A certificate was issued for a completion; <see cref="CertificateId"/> is what its verification page and QR code name.</summary>
public sealed record CertificateIssued(Guid CertificateId, Guid UserId, Guid CourseId, Guid EnrolmentId, DateTimeOffset CompletedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// A person asked for a place on a course or learning path (<see cref="ItemKind"/> "course" or "learning-path") that
/// needs approval. <see cref="Approval"/> is "manager" (then <see cref="ApproverId"/> is the person's manager when they
/// asked) or "administrator" (a training manager decides).
/// </summary>
public sealed record EnrolmentRequested(Guid RequestId, Guid UserId, string ItemKind, Guid ItemId, string Approval, Guid? ApproverId, string? Note,
    DateTimeOffset RequestedAt) : IIntegrationEvent;

/// <summary>
/// A request was decided: <see cref="Decision"/> is Approved (with the enrolment it made), Declined (with the reason)
/// or Cancelled (by the person who asked, or because they were enrolled another way).
/// </summary>
public sealed record EnrolmentRequestDecided(Guid RequestId, Guid UserId, string ItemKind, Guid ItemId, string Decision, Guid? DecidedBy, string? Reason,
    Guid? EnrolmentId, DateTimeOffset DecidedAt) : IIntegrationEvent;

/// <summary>
/// Someone was assigned a learning path (on its version <see cref="Version"/>): each of its courses is assigned too,
/// with the path as the reason (their own Enrolled events follow).
/// </summary>
public sealed record LearningPathEnrolled(Guid PathEnrolmentId, Guid UserId, Guid LearningPathId, int Version, DateTimeOffset? DueAt, string Source,
    string? SourceReference, DateTimeOffset At) : IIntegrationEvent;

/// <summary>The path's rule is met: every required course and enough of the optional ones are complete (or waived).</summary>
public sealed record LearningPathCompleted(Guid PathEnrolmentId, Guid UserId, Guid LearningPathId, int Version, DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// A path enrolment was suspended, resumed or withdrawn (<see cref="Status"/>: its new status), by the leave policy of
/// the audience that assigned it; its courses' own events follow.
/// </summary>
public sealed record LearningPathEnrolmentChanged(Guid PathEnrolmentId, Guid UserId, Guid LearningPathId, string Status, string Reason, DateTimeOffset At)
    : IIntegrationEvent;

/// <summary>
/// One ledger entry as a replay sends it: the fields its own event carries. <see cref="Action"/> is the ledger's action
/// (Assigned, Started, Completed, Waived, Reset, DueDateChanged, Suspended, Resumed, Withdrawn, Migrated).
/// </summary>
public sealed record ReplayedLedgerEntry(Guid EnrolmentId, int Sequence, Guid UserId, Guid CourseId, string Action, DateTimeOffset At, DateTimeOffset? DueAt,
    int? Version, string? Source);

/// <summary>A page of enrolment's ledger sent again for a replay, in (enrolment, sequence) order.</summary>
public sealed record LedgerReplayed(Guid ReplayId, int Page, IReadOnlyList<ReplayedLedgerEntry> Entries, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Ledger;
    int IReplayPage.Count => Entries.Count;
}

/// <summary>A page of the audiences' membership history sent again for a replay: each change as it was announced.</summary>
public sealed record AudienceChangesReplayed(Guid ReplayId, int Page, IReadOnlyList<AudienceMembershipChanged> Changes, bool Last, long Total, DateTimeOffset At)
    : IReplayPage
{
    string IReplayPage.Source => ReplaySources.AudienceChanges;
    int IReplayPage.Count => Changes.Count;
}

/// <summary>
/// A page of the certification cycles sent again for a replay, from the history of every cycle: each cycle earned or
/// renewed, and each that ran out, as their own events announced them.
/// </summary>
public sealed record CertificationsReplayed(Guid ReplayId, int Page, IReadOnlyList<CertificationAchieved> Achieved, IReadOnlyList<CertificationExpired> Expired,
    bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Certifications;
    int IReplayPage.Count => Achieved.Count + Expired.Count;
}
