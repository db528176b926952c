using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Enrolment.Model;

/// <summary>
/// Where a path enrolment stands. Suspended and withdrawn come only from the leave policy of the audience that
/// assigned the path (a suspended one resumes when the person comes back).
/// </summary>
public enum PathStatus { Enrolled, Completed, Suspended, Withdrawn }

/// <summary>
/// A person's enrolment on a learning path. It pins the path's version: its courses and its rule as they were when
/// the person was assigned. The courses themselves are ordinary course enrolments (whose source is the path), each
/// with its own ledger; the path is complete when every required course and at least
/// <see cref="OptionalToComplete"/> of the optional ones are complete or waived (<see cref="IsMetBy"/>), which
/// completions decide as they arrive.
/// </summary>
public sealed class PathEnrolment : Aggregate
{
    private PathEnrolment() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public Guid PathId { get; private set; }
    public int Version { get; private set; }
    public List<PathStep> Courses { get; private set; } = [];
    public int OptionalToComplete { get; private set; }
    public PathStatus Status { get; private set; }
    public DateTimeOffset EnrolledAt { get; private set; }
    public DateTimeOffset? DueAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public EnrolmentSourceKind SourceKind { get; private set; }
    public string? SourceReference { get; private set; }
    public Guid? ActorId { get; private set; }
    public string ActorName { get; private set; } = "";

    public static PathEnrolment Enrol(Guid userId, PathCopy path, DateTimeOffset? dueAt, EnrolmentSource source, EnrolmentActor actor, DateTimeOffset now)
    {
        var enrolment = new PathEnrolment
        {
            Id = SequentialGuid.NewVersion7(now), UserId = userId, PathId = path.PathId, Version = path.Version, Courses = [.. path.Courses],
            OptionalToComplete = path.OptionalToComplete, Status = PathStatus.Enrolled, EnrolledAt = now, DueAt = dueAt, SourceKind = source.Kind,
            SourceReference = source.Reference, ActorId = actor.Id, ActorName = actor.Name,
        };
        enrolment.Record(new LearningPathEnrolled(enrolment.Id, userId, path.PathId, path.Version, dueAt, source.Kind.ToString(), source.Reference, now));
        return enrolment;
    }

    /// <summary>Suspends an open path (its open courses are suspended by the caller, each on its own ledger).</summary>
    public bool Suspend(string reason, DateTimeOffset now) => Change(PathStatus.Enrolled, PathStatus.Suspended, reason, now);

    public bool Resume(string reason, DateTimeOffset now) => Change(PathStatus.Suspended, PathStatus.Enrolled, reason, now);

    /// <summary>Withdraws an open path (the caller withdraws its courses, when none of them was started).</summary>
    public bool Withdraw(string reason, DateTimeOffset now) => Change(PathStatus.Enrolled, PathStatus.Withdrawn, reason, now);

    private bool Change(PathStatus from, PathStatus to, string reason, DateTimeOffset now)
    {
        if (Status != from) return false;
        Status = to;
        Record(new LearningPathEnrolmentChanged(Id, UserId, PathId, to.ToString(), reason, now));
        return true;
    }

    /// <summary>How far the person is: required courses done of all required, optional ones done and needed.</summary>
    public (int RequiredDone, int Required, int OptionalDone, int OptionalNeeded) Progress(IReadOnlySet<Guid> done) => (
        Courses.Count(c => c.Required && done.Contains(c.CourseId)), Courses.Count(c => c.Required),
        Courses.Count(c => !c.Required && done.Contains(c.CourseId)), OptionalToComplete);

    /// <summary>The path's rule: every required course, and enough optional ones.</summary>
    public bool IsMetBy(IReadOnlySet<Guid> done)
    {
        var (requiredDone, required, optionalDone, optionalNeeded) = Progress(done);
        return requiredDone == required && optionalDone >= optionalNeeded;
    }

    /// <summary>
    /// Completes the path if <paramref name="completions"/> (the person's first completion of each course) meet its
    /// rule, as of the completion that met it. Once complete it stays so: a course reset for a renewal does not undo it. A
    /// suspended or withdrawn path does not complete (a resumed one is looked at again).
    /// </summary>
    public bool CompleteIfMet(IReadOnlyDictionary<Guid, DateTimeOffset> completions)
    {
        if (Status != PathStatus.Enrolled) return false;
        var done = completions.Keys.ToHashSet();
        if (!IsMetBy(done)) return false;
        // Met on the day of the last required completion, or of the optional one that made up the number, whichever came later.
        var required = Courses.Where(c => c.Required).Select(c => completions[c.CourseId]);
        var optional = Courses.Where(c => !c.Required && done.Contains(c.CourseId)).Select(c => completions[c.CourseId]).Order().Take(OptionalToComplete);
        var at = required.Concat(optional).DefaultIfEmpty(EnrolledAt).Max();
        (Status, CompletedAt) = (PathStatus.Completed, at);
        Record(new LearningPathCompleted(Id, UserId, PathId, Version, at));
        return true;
    }
}
