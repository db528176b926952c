using System.Linq.Expressions;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;

namespace LmsPlatform.Enrolment.Model;

public enum EnrolmentStatus { Enrolled, InProgress, Completed, Waived, Suspended, Withdrawn }

/// <summary>Why an enrolment exists: a person's decision, an import, a request, an audience rule (with its version), a certification's renewal, a learning path.</summary>
public enum EnrolmentSourceKind { Manual, Import, SelfEnrolment, AudienceRule, Recertification, LearningPath }

public sealed record EnrolmentSource(EnrolmentSourceKind Kind, string? Reference, string? Note)
{
    public static EnrolmentSource Manual(EnrolmentActor by, string? note) => new(EnrolmentSourceKind.Manual, by.Id?.ToString(), note);

    /// <summary>
    /// Whether the course's prerequisites hold the person back. A person's or an import's assignment and a
    /// self-enrolment wait for them (an administrator may override, on the record); an audience rule's and a
    /// renewal's do not: the rule's own conditions are its author's decision ("completed X" is one of them), a
    /// certification is renewed on the course that earned it, and a path's courses come with the path, whose own
    /// prerequisites were checked.
    /// </summary>
    public bool HeldByPrerequisites => Kind is EnrolmentSourceKind.Manual or EnrolmentSourceKind.Import or EnrolmentSourceKind.SelfEnrolment;
}

/// <summary>Who changed an enrolment: a person (id and name) or the platform itself (no id).</summary>
public sealed record EnrolmentActor(Guid? Id, string Name)
{
    public static readonly EnrolmentActor Platform = new(null, "the platform");

    /// <summary>The signed-in caller (the token's subject and name).</summary>
    public static EnrolmentActor From(System.Security.Claims.ClaimsPrincipal user) => new(Caller.UserIdOf(user), Caller.NameOf(user));
}

/// <summary>
/// A person's enrolment on a course: the current state, which is only ever the projection of its ledger. Every change
/// is a method here that writes one <see cref="LedgerEntry"/> and applies it with <see cref="Apply"/>, the one place
/// where state moves; <see cref="Replay"/> folds the same entries into the same state, so the projection can be
/// rebuilt from the ledger at any time (and "what was the status on date D" is the fold of the entries up to D).
/// Completions, waivers and history are never deleted: withdrawing or suspending keeps every entry.
/// </summary>
public sealed class CourseEnrolment : Aggregate
{
    private CourseEnrolment() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    /// <summary>The course version the learner started on; a new version applies to new enrolments only.</summary>
    public int Version { get; private set; }
    public EnrolmentStatus Status { get; private set; }
    public DateTimeOffset EnrolledAt { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public DateTimeOffset? DueAt { get; private set; }
    public EnrolmentSourceKind SourceKind { get; private set; }
    public string? SourceReference { get; private set; }
    /// <summary>The number of the last ledger entry applied: the projection is current up to it (and the next entry
    /// takes the next number, which the ledger's unique index makes a concurrency check).</summary>
    public int Sequence { get; private set; }

    /// <summary>
    /// Overdue: still to be done (assigned or started; not finished, waived, suspended or withdrawn) with its due date
    /// past. Read from the clock when asked, never stored by a nightly job. One definition, for objects and queries.
    /// </summary>
    private static readonly Expression<Func<CourseEnrolment, DateTimeOffset, bool>> Overdue =
        (e, now) => (e.Status == EnrolmentStatus.Enrolled || e.Status == EnrolmentStatus.InProgress) && e.DueAt != null && e.DueAt < now;

    private static readonly Func<CourseEnrolment, DateTimeOffset, bool> OverdueCheck = Overdue.Compile();

    public bool IsOverdue(DateTimeOffset now) => OverdueCheck(this, now);

    /// <summary><see cref="IsOverdue"/> at <paramref name="now"/>, for a database query.</summary>
    public static Expression<Func<CourseEnrolment, bool>> OverdueAt(DateTimeOffset now) =>
        Expression.Lambda<Func<CourseEnrolment, bool>>(
            new Substitute(Overdue.Parameters[1], Expression.Constant(now)).Visit(Overdue.Body), Overdue.Parameters[0]);

    /// <summary>Still to be done: assigned or started, not finished, waived, suspended or withdrawn.</summary>
    public bool IsOpen => Status is EnrolmentStatus.Enrolled or EnrolmentStatus.InProgress;

    private sealed class Substitute(ParameterExpression parameter, Expression value) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? value : node;
    }

    /// <summary>
    /// A new enrolment, assigned now, or at <paramref name="at"/> for a record of the past (an imported completion's
    /// enrolment took effect when it was done, so the ledger's "as of" answers agree with the history).
    /// </summary>
    public static CourseEnrolment Enrol(Guid userId, Guid courseId, int version, EnrolmentSource source, DateTimeOffset? dueAt,
        EnrolmentActor actor, DateTimeOffset now, DateTimeOffset? at = null)
    {
        if (at > now) throw DomainRuleException.Invalid("at", "cannot be in the future");
        var enrolment = new CourseEnrolment { Id = SequentialGuid.NewVersion7(now), UserId = userId, CourseId = courseId };
        enrolment.Write(enrolment.Entry(LedgerAction.Assigned, at ?? now, actor, source.Note, now) with
        {
            Version = version, DueAt = dueAt, SourceKind = source.Kind, SourceReference = source.Reference,
        });
        return enrolment;
    }

    /// <summary>The learner began (the first progress).</summary>
    public void Start(DateTimeOffset at, EnrolmentActor actor, DateTimeOffset now)
    {
        if (Status != EnrolmentStatus.Enrolled) return; // started, finished or closed already: nothing to record
        Write(Entry(LedgerAction.Started, at, actor, null, now));
    }

    /// <summary>
    /// Completion, from the learner's progress or recorded by an instructor or administrator (then with a reason; the
    /// date may be in the past for a session already held or a migrated record, never in the future).
    /// </summary>
    public void Complete(DateTimeOffset at, EnrolmentActor actor, string? reason, DateTimeOffset now)
    {
        if (at > now) throw DomainRuleException.Invalid("completedAt", "cannot be in the future");
        if (Status is EnrolmentStatus.Completed) throw new DomainRuleException("status", "The enrolment is completed already.");
        if (Status is EnrolmentStatus.Withdrawn) throw new DomainRuleException("status", "The enrolment is withdrawn: enrol the person again first.");
        Write(Entry(LedgerAction.Completed, at, actor, reason, now));
    }

    /// <summary>A completion recorded by an instructor or administrator: the same as <see cref="Complete"/>, with the reason required.</summary>
    public void RecordCompletion(DateTimeOffset at, EnrolmentActor actor, string? reason, DateTimeOffset now)
    {
        RequireReason(reason);
        Complete(at, actor, reason, now);
    }

    /// <summary>Exempt the person (equivalent training elsewhere, a role change): counts as done, says why.</summary>
    public void Waive(EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (!IsOpen && Status != EnrolmentStatus.Suspended) throw new DomainRuleException("status", $"The enrolment is {Describe(Status)}: there is nothing to waive.");
        Write(Entry(LedgerAction.Waived, now, actor, reason, now));
    }

    /// <summary>Start again (a failed attempt, a recertification): the completion stays in the ledger.</summary>
    public void Reset(EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (Status is EnrolmentStatus.Enrolled) throw new DomainRuleException("status", "The enrolment has not started: there is nothing to reset.");
        Write(Entry(LedgerAction.Reset, now, actor, reason, now));
    }

    /// <summary>A new due date for this person (an extension), with the reason.</summary>
    public void ChangeDueDate(DateTimeOffset? dueAt, EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (!IsOpen) throw new DomainRuleException("status", $"The enrolment is {Describe(Status)}: a due date no longer applies.");
        if (dueAt == DueAt) return;
        Write(Entry(LedgerAction.DueDateChanged, now, actor, reason, now) with { DueAt = dueAt });
    }

    /// <summary>Pause the assignment (the person left the audience, or is away): progress is kept for a resume.</summary>
    public void Suspend(EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (!IsOpen) throw new DomainRuleException("status", $"The enrolment is {Describe(Status)}: only an open one can be suspended.");
        Write(Entry(LedgerAction.Suspended, now, actor, reason, now));
    }

    public void Resume(EnrolmentActor actor, string? reason, DateTimeOffset now)
    {
        if (Status != EnrolmentStatus.Suspended) throw new DomainRuleException("status", "The enrolment is not suspended.");
        Write(Entry(LedgerAction.Resumed, now, actor, reason, now));
    }

    /// <summary>Take the assignment away. Refused once finished: a completion is a record, not an assignment.</summary>
    public void Withdraw(EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (Status is EnrolmentStatus.Completed or EnrolmentStatus.Waived or EnrolmentStatus.Withdrawn)
            throw new DomainRuleException("status", $"The enrolment is {Describe(Status)}: it stays as a record.");
        Write(Entry(LedgerAction.Withdrawn, now, actor, reason, now));
    }

    /// <summary>
    /// Moves the learner to a newer version of the course (an administrator's explicit decision, with the reason):
    /// their status, start and due date stay. Only an open or suspended enrolment moves; a finished one is a record of
    /// the version it was finished on.
    /// </summary>
    public void MigrateTo(int version, EnrolmentActor actor, string reason, DateTimeOffset now)
    {
        RequireReason(reason);
        if (!IsOpen && Status != EnrolmentStatus.Suspended)
            throw new DomainRuleException("status", $"The enrolment is {Describe(Status)}: it stays on version {Version}, the one it was finished on.");
        if (version <= Version) throw DomainRuleException.Invalid("version", $"must be newer than the enrolment's version {Version}");
        Write(Entry(LedgerAction.Migrated, now, actor, reason, now) with { Version = version });
    }

    /// <summary>
    /// Records that the certification this enrolment's completion earned ran out (for the audit trail: the state does
    /// not move, the renewal is the certification's own assignment).
    /// </summary>
    public void RecordExpiry(EnrolmentActor actor, string reason, DateTimeOffset at, DateTimeOffset now) =>
        Write(Entry(LedgerAction.Expired, at, actor, reason, now));

    /// <summary>The state the entries describe, in the order they were written.</summary>
    public static CourseEnrolment Replay(IEnumerable<LedgerEntry> entries)
    {
        CourseEnrolment? enrolment = null;
        foreach (var entry in entries.OrderBy(e => e.Sequence))
        {
            enrolment ??= new CourseEnrolment { Id = entry.EnrolmentId, UserId = entry.UserId, CourseId = entry.CourseId };
            enrolment.Apply(entry);
        }
        return enrolment ?? throw new InvalidOperationException("An enrolment's ledger starts with its assignment.");
    }

    /// <summary>The one transition: what each kind of entry does to the state.</summary>
    private void Apply(LedgerEntry entry)
    {
        switch (entry.Action)
        {
            case LedgerAction.Assigned:
                (Status, EnrolledAt, Version, DueAt, SourceKind, SourceReference) =
                    (EnrolmentStatus.Enrolled, entry.At, entry.Version ?? 0, entry.DueAt, entry.SourceKind ?? EnrolmentSourceKind.Manual, entry.SourceReference);
                break;
            case LedgerAction.Started:
                (Status, StartedAt) = (EnrolmentStatus.InProgress, entry.At);
                break;
            case LedgerAction.Completed:
                (Status, CompletedAt) = (EnrolmentStatus.Completed, entry.At);
                StartedAt ??= entry.At;
                break;
            case LedgerAction.Waived:
                (Status, CompletedAt) = (EnrolmentStatus.Waived, entry.At);
                break;
            case LedgerAction.Reset:
                (Status, StartedAt, CompletedAt) = (EnrolmentStatus.Enrolled, null, null);
                break;
            case LedgerAction.DueDateChanged:
                DueAt = entry.DueAt;
                break;
            case LedgerAction.Suspended:
                Status = EnrolmentStatus.Suspended;
                break;
            case LedgerAction.Resumed:
                Status = StartedAt is null ? EnrolmentStatus.Enrolled : EnrolmentStatus.InProgress;
                break;
            case LedgerAction.Withdrawn:
                Status = EnrolmentStatus.Withdrawn;
                break;
            case LedgerAction.Migrated:
                Version = entry.Version ?? Version;
                break;
        }
        Sequence = entry.Sequence;
    }

    /// <summary>A new entry of this enrolment, as it stands, for <see cref="Write"/> (callers add to it with <c>with</c>).</summary>
    private LedgerEntry Entry(LedgerAction action, DateTimeOffset at, EnrolmentActor actor, string? reason, DateTimeOffset now) => new()
    {
        Id = SequentialGuid.NewVersion7(now), EnrolmentId = Id, Sequence = Sequence + 1, UserId = UserId, CourseId = CourseId, Action = action, At = at,
        RecordedAt = now, ActorId = actor.Id, ActorName = actor.Name, Reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(),
        Version = Version, DueAt = DueAt,
    };

    /// <summary>Applies the entry and records it (the context appends it to the ledger in the same transaction).</summary>
    private void Write(LedgerEntry entry)
    {
        Apply(entry);
        Record(entry);
    }

    private static void RequireReason([System.Diagnostics.CodeAnalysis.NotNull] string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw DomainRuleException.Invalid("reason", "is required: the ledger records why");
        if (reason.Length > 500) throw DomainRuleException.Invalid("reason", "must be at most 500 characters");
    }

    public static string Describe(EnrolmentStatus status) => status switch
    {
        EnrolmentStatus.InProgress => "in progress",
        _ => status.ToString().ToLowerInvariant(),
    };
}
