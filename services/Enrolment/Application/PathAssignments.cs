using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// Learning paths: assigning one assigns each of its courses (through <see cref="Assignments"/>, the path as their
/// source, the path's due date as theirs), and a path completes by its rule as its courses' completions and waivers
/// arrive (<see cref="FollowUpAsync"/>, from the follow-up rounds), or at once for someone who had done them already.
/// The people rule, the prerequisites and their override are the same as for a course, applied to the path.
/// </summary>
public sealed class PathAssignments(EnrolmentDbContext db, Assignments assignments, TimeProvider time)
{
    public async Task<IReadOnlyList<AssignmentOutcome>> AssignAsync(IReadOnlyCollection<Guid> userIds, Guid pathId, DateTimeOffset? dueAt,
        EnrolmentSource source, EnrolmentActor actor, CancellationToken ct, string? overridePrerequisites = null)
    {
        var outcomes = await AddAsync(userIds, pathId, dueAt, source, actor, ct, overridePrerequisites);
        await db.SaveChangesAsync(ct);
        return outcomes;
    }

    /// <summary>
    /// <see cref="AssignAsync"/> without saving, for a caller that saves more in the same transaction (an approval, an
    /// audience's evaluation). As with <see cref="Assignments.AddAsync"/>, an audience's evaluation hands collections
    /// the new path and course enrolments go <paramref name="into"/> (written untracked), and the people it has loaded.
    /// An audience that takes someone back resumes the path its leave policy suspended, with its suspended courses.
    /// </summary>
    public async Task<IReadOnlyList<AssignmentOutcome>> AddAsync(IReadOnlyCollection<Guid> userIds, Guid pathId, DateTimeOffset? dueAt,
        EnrolmentSource source, EnrolmentActor actor, CancellationToken ct, string? overridePrerequisites = null,
        (ICollection<PathEnrolment> Paths, ICollection<CourseEnrolment> Courses)? into = null, IReadOnlyDictionary<Guid, Learner>? known = null)
    {
        var path = await db.Paths.AsNoTracking().FirstOrDefaultAsync(p => p.PathId == pathId, ct);
        if (path is null || path.Version == 0) throw DomainRuleException.Invalid("pathId", "is not a published learning path");
        if (path.Archived) throw DomainRuleException.Invalid("pathId", $"is archived ({path.Code}): it takes no new enrolments");

        var target = into?.Paths ?? db.PathEnrolments.Local;
        var ids = userIds.Distinct().ToList();
        var learners = known ?? await db.Learners.AsNoTracking().Where(l => ids.Contains(l.UserId)).ToDictionaryAsync(l => l.UserId, ct);
        var existing = await db.PathEnrolments.Where(p => p.PathId == pathId && ids.Contains(p.UserId)).ToDictionaryAsync(p => p.UserId, ct);
        foreach (var added in target.Where(p => p.PathId == pathId)) existing.TryAdd(added.UserId, added);
        var unmet = source.HeldByPrerequisites ? await assignments.UnmetPrerequisitesAsync(path, ids, ct) : [];
        var now = time.GetUtcNow();
        var outcomes = new List<AssignmentOutcome>(ids.Count);
        var (enrolled, resumed) = (new List<PathEnrolment>(), new List<PathEnrolment>());
        foreach (var userId in ids)
        {
            var learner = learners.GetValueOrDefault(userId);
            if (Assignments.RefusalOf(learner) is { } refusal) outcomes.Add(new(userId, AssignmentResult.Refused, null, refusal));
            else if (existing.TryGetValue(userId, out var current))
            {
                if (source.Kind == EnrolmentSourceKind.AudienceRule && current.Resume(source.Note ?? "Back in the audience", now)) resumed.Add(current);
                outcomes.Add(new(userId, AssignmentResult.AlreadyEnrolled, current.Id, "is enrolled on this learning path already"));
            }
            else if (unmet.TryGetValue(userId, out var missing) && string.IsNullOrWhiteSpace(overridePrerequisites))
                outcomes.Add(new(userId, AssignmentResult.Refused, null, $"has not completed the prerequisites: {string.Join(", ", missing)}"));
            else
            {
                var because = missing is null ? source : source with { Note = Assignments.OverrideNote(missing, overridePrerequisites!, source.Note) };
                var enrolment = PathEnrolment.Enrol(userId, path, dueAt ?? path.DueDateFor(learner!.HireDate, now), because, actor, now);
                enrolled.Add(enrolment);
                target.Add(enrolment);
                outcomes.Add(new(userId, AssignmentResult.Enrolled, enrolment.Id, null));
            }
        }

        // Each course, with the path as the reason and its due date (people hired on different days may differ).
        var courseSource = CourseSource(path);
        foreach (var step in path.Courses)
            foreach (var sameDue in enrolled.GroupBy(p => p.DueAt))
            {
                try
                {
                    await assignments.AddAsync([.. sameDue.Select(p => p.UserId)], step.CourseId, sameDue.Key, courseSource, actor, ct, into?.Courses, learners);
                }
                catch (DomainRuleException)
                {
                    // A course archived since the path was published takes no one; the path's rule still counts it, done or not.
                }
            }
        if (resumed.Count > 0)
            foreach (var course in await CoursesOfAsync(resumed, ct))
                if (course.Status == EnrolmentStatus.Suspended) course.Resume(actor, source.Note, now);
        await CompleteWhereMetAsync([.. enrolled, .. resumed], ct);
        return outcomes;
    }

    /// <summary>What a path's courses' enrolments give as their source.</summary>
    private static EnrolmentSource CourseSource(PathCopy path) => new(EnrolmentSourceKind.LearningPath, path.PathId.ToString(), $"Part of the learning path {path.Code}");

    /// <summary>The course enrolments these path enrolments made (tracked, to be changed with them).</summary>
    public async Task<List<CourseEnrolment>> CoursesOfAsync(IReadOnlyCollection<PathEnrolment> paths, CancellationToken ct)
    {
        var userIds = paths.Select(p => p.UserId).Distinct().ToList();
        var references = paths.Select(p => p.PathId.ToString()).Distinct().ToList();
        var wanted = paths.Select(p => (p.UserId, p.PathId.ToString())).ToHashSet();
        return [.. (await db.Enrolments
                .Where(e => userIds.Contains(e.UserId) && e.SourceKind == EnrolmentSourceKind.LearningPath && references.Contains(e.SourceReference!)).ToListAsync(ct))
            .Where(e => wanted.Contains((e.UserId, e.SourceReference!)))];
    }

    /// <summary>Completes the open paths of these people whose rule their completions now meet; how many it completed.</summary>
    public async Task<int> FollowUpAsync(IReadOnlyCollection<Guid> userIds, CancellationToken ct)
    {
        if (userIds.Count == 0) return 0;
        var open = await db.PathEnrolments.Where(p => userIds.Contains(p.UserId) && p.Status == PathStatus.Enrolled).ToListAsync(ct);
        return await CompleteWhereMetAsync(open, ct);
    }

    private async Task<int> CompleteWhereMetAsync(IReadOnlyList<PathEnrolment> paths, CancellationToken ct)
    {
        if (paths.Count == 0) return 0;
        var completions = await CompletionsByPersonAsync(paths, ct);
        return paths.Count(p => p.CompleteIfMet(completions.GetValueOrDefault(p.UserId) ?? []));
    }

    /// <summary>Each person's first completion of each course of these paths.</summary>
    public async Task<Dictionary<Guid, Dictionary<Guid, DateTimeOffset>>> CompletionsByPersonAsync(IReadOnlyCollection<PathEnrolment> paths, CancellationToken ct)
    {
        var userIds = paths.Select(p => p.UserId).Distinct().ToList();
        var courseIds = paths.SelectMany(p => p.Courses.Select(c => c.CourseId)).Distinct().ToList();
        return (await assignments.CompletionsAsync(userIds, courseIds, ct))
            .GroupBy(c => c.UserId).ToDictionary(g => g.Key, g => g.ToDictionary(c => c.CourseId, c => c.At));
    }
}
