using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

public enum AssignmentResult { Enrolled, AlreadyEnrolled, Refused }

/// <summary>What became of one person in an assignment: enrolled (with the enrolment), enrolled already, or refused and why.</summary>
public sealed record AssignmentOutcome(Guid UserId, AssignmentResult Result, Guid? EnrolmentId, string? Reason);

/// <summary>
/// Who may be enrolled on what, in one place for every way in (one person, many, later imports and audience rules):
/// the course must be published and not archived (else the whole assignment is refused, naming <c>courseId</c>); each
/// person must be known and active (else they alone are refused, with the reason); a person already on the course
/// keeps their enrolment. New enrolments pin the course's latest version, take the due date given or else the one
/// the course's compliance rule sets (<see cref="CourseCopy.DueDateFor"/>), and are saved together. An audience that
/// takes someone back resumes the assignment its leave policy suspended.
/// </summary>
public sealed class Assignments(EnrolmentDbContext db, TimeProvider time)
{
    public async Task<IReadOnlyList<AssignmentOutcome>> AssignAsync(IReadOnlyCollection<Guid> userIds, Guid courseId, DateTimeOffset? dueAt,
        EnrolmentSource source, EnrolmentActor actor, CancellationToken ct)
    {
        var outcomes = await AddAsync(userIds, courseId, dueAt, source, actor, ct);
        await db.SaveChangesAsync(ct);
        return outcomes;
    }

    /// <summary>
    /// <see cref="AssignAsync"/> without saving, for a caller that saves more in the same transaction (an audience's
    /// evaluation): new enrolments go <paramref name="into"/> a collection the caller writes (untracked, see
    /// <c>BulkSave</c>), or else into the context. Enrolments added there earlier and not yet saved count. A caller
    /// that has the people's copies loaded already passes them as <paramref name="known"/>.
    /// </summary>
    public async Task<IReadOnlyList<AssignmentOutcome>> AddAsync(IReadOnlyCollection<Guid> userIds, Guid courseId, DateTimeOffset? dueAt,
        EnrolmentSource source, EnrolmentActor actor, CancellationToken ct, ICollection<CourseEnrolment>? into = null,
        IReadOnlyDictionary<Guid, Learner>? known = null)
    {
        var target = into ?? db.Enrolments.Local;
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == courseId, ct);
        if (course is null || course.Version == 0) throw DomainRuleException.Invalid("courseId", "is not a published course");
        if (course.Archived) throw DomainRuleException.Invalid("courseId", $"is archived ({course.Code}): it takes no new enrolments");

        var ids = userIds.Distinct().ToList();
        var learners = known ?? await db.Learners.AsNoTracking().Where(l => ids.Contains(l.UserId)).ToDictionaryAsync(l => l.UserId, ct);
        var existing = await db.Enrolments.Where(e => e.CourseId == courseId && ids.Contains(e.UserId)).ToDictionaryAsync(e => e.UserId, ct);
        foreach (var added in target.Where(e => e.CourseId == courseId)) existing.TryAdd(added.UserId, added);
        var now = time.GetUtcNow();
        var outcomes = new List<AssignmentOutcome>(ids.Count);
        foreach (var userId in ids)
        {
            if (!learners.TryGetValue(userId, out var learner) || learner.Erased)
                outcomes.Add(new(userId, AssignmentResult.Refused, null, "is not a known user"));
            else if (!learner.IsActive)
                outcomes.Add(new(userId, AssignmentResult.Refused, null, $"is {learner.Status.ToLowerInvariant()}: only active people are enrolled"));
            else if (existing.TryGetValue(userId, out var enrolment))
            {
                if (source.Kind == EnrolmentSourceKind.AudienceRule && enrolment.Status == EnrolmentStatus.Suspended)
                    enrolment.Resume(actor, source.Note, now);
                outcomes.Add(new(userId, AssignmentResult.AlreadyEnrolled, enrolment.Id, "is enrolled on this course already"));
            }
            else
            {
                var added = CourseEnrolment.Enrol(userId, courseId, course.Version, source, dueAt ?? course.DueDateFor(learner.HireDate, now), actor, now);
                target.Add(added);
                outcomes.Add(new(userId, AssignmentResult.Enrolled, added.Id, null));
            }
        }
        return outcomes;
    }
}
