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
/// takes someone back resumes the assignment its leave policy suspended. Where the source is held by them
/// (<see cref="EnrolmentSource.HeldByPrerequisites"/>), a person who has not completed the course's prerequisites is
/// refused, naming them, unless the caller overrides them with a reason, which the assignment's ledger entry records.
/// </summary>
public sealed class Assignments(EnrolmentDbContext db, TimeProvider time)
{
    public async Task<IReadOnlyList<AssignmentOutcome>> AssignAsync(IReadOnlyCollection<Guid> userIds, Guid courseId, DateTimeOffset? dueAt,
        EnrolmentSource source, EnrolmentActor actor, CancellationToken ct, string? overridePrerequisites = null)
    {
        var outcomes = await AddAsync(userIds, courseId, dueAt, source, actor, ct, overridePrerequisites: overridePrerequisites);
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
        IReadOnlyDictionary<Guid, Learner>? known = null, string? overridePrerequisites = null)
    {
        if (overridePrerequisites is { Length: > 300 }) throw DomainRuleException.Invalid("overridePrerequisites", "must be at most 300 characters");
        var target = into ?? db.Enrolments.Local;
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == courseId, ct);
        if (course is null || course.Version == 0) throw DomainRuleException.Invalid("courseId", "is not a published course");
        if (course.Archived) throw DomainRuleException.Invalid("courseId", $"is archived ({course.Code}): it takes no new enrolments");

        var ids = userIds.Distinct().ToList();
        var learners = known ?? await db.Learners.AsNoTracking().Where(l => ids.Contains(l.UserId)).ToDictionaryAsync(l => l.UserId, ct);
        var existing = await db.Enrolments.Where(e => e.CourseId == courseId && ids.Contains(e.UserId)).ToDictionaryAsync(e => e.UserId, ct);
        foreach (var added in target.Where(e => e.CourseId == courseId)) existing.TryAdd(added.UserId, added);
        var unmet = source.HeldByPrerequisites ? await UnmetPrerequisitesAsync(course, ids, ct) : [];
        var now = time.GetUtcNow();
        var outcomes = new List<AssignmentOutcome>(ids.Count);
        foreach (var userId in ids)
        {
            var learner = learners.GetValueOrDefault(userId);
            if (RefusalOf(learner) is { } refusal)
                outcomes.Add(new(userId, AssignmentResult.Refused, null, refusal));
            else if (existing.TryGetValue(userId, out var enrolment))
            {
                if (source.Kind == EnrolmentSourceKind.AudienceRule && enrolment.Status == EnrolmentStatus.Suspended)
                    enrolment.Resume(actor, source.Note, now);
                outcomes.Add(new(userId, AssignmentResult.AlreadyEnrolled, enrolment.Id, "is enrolled on this course already"));
            }
            else if (unmet.TryGetValue(userId, out var missing) && string.IsNullOrWhiteSpace(overridePrerequisites))
                outcomes.Add(new(userId, AssignmentResult.Refused, null, $"has not completed the prerequisites: {string.Join(", ", missing)}"));
            else
            {
                var because = missing is null ? source : source with
                {
                    Note = OverrideNote(missing, overridePrerequisites!, source.Note),
                };
                var added = CourseEnrolment.Enrol(userId, courseId, course.Version, because, dueAt ?? course.DueDateFor(learner!.HireDate, now), actor, now);
                target.Add(added);
                outcomes.Add(new(userId, AssignmentResult.Enrolled, added.Id, null));
            }
        }
        return outcomes;
    }

    /// <summary>Why the person cannot be enrolled on anything (unknown, erased, not active), or null.</summary>
    public static string? RefusalOf(Learner? learner) => learner switch
    {
        null or { Erased: true } => "is not a known user",
        { IsActive: false } => $"is {learner.Status.ToLowerInvariant()}: only active people are enrolled",
        _ => null,
    };

    /// <summary>The prerequisites override, as the ledger records it with the assignment's own note.</summary>
    public static string OverrideNote(IEnumerable<string> missing, string overridePrerequisites, string? note) =>
        Cap($"Prerequisites overridden ({string.Join(", ", missing)}): {overridePrerequisites.Trim()}" + (note is { } n ? $". {n}" : ""));

    /// <summary>The ledger keeps 500 characters of a reason.</summary>
    private static string Cap(string text) => text.Length <= 500 ? text : text[..499] + "…";

    /// <summary>
    /// For each of the people who have not completed every prerequisite of the item, the codes of those they lack. A
    /// course counts once the ledger has ever recorded its completion or waiver (a later reset for a renewal does not
    /// undo having done it); a path once the person completed it.
    /// </summary>
    public async Task<Dictionary<Guid, List<string>>> UnmetPrerequisitesAsync(ItemCopy item, IReadOnlyCollection<Guid> userIds, CancellationToken ct)
    {
        if (item.Prerequisites.Count == 0 || userIds.Count == 0) return [];
        var required = item.Prerequisites;
        var paths = await db.PathEnrolments.AsNoTracking()
            .Where(p => userIds.Contains(p.UserId) && required.Contains(p.PathId) && p.Status == PathStatus.Completed)
            .Select(p => new { p.UserId, p.PathId }).ToListAsync(ct);
        var done = (await CompletionsAsync(userIds, required, ct)).Select(c => (c.UserId, ItemId: c.CourseId))
            .Concat(paths.Select(p => (p.UserId, ItemId: p.PathId))).ToLookup(d => d.UserId, d => d.ItemId);
        var codes = await db.Courses.AsNoTracking().Where(c => required.Contains(c.CourseId)).Select(c => new { Id = c.CourseId, c.Code })
            .Concat(db.Paths.AsNoTracking().Where(p => required.Contains(p.PathId)).Select(p => new { Id = p.PathId, p.Code }))
            .ToDictionaryAsync(c => c.Id, c => c.Code, ct);
        var unmet = new Dictionary<Guid, List<string>>();
        foreach (var userId in userIds)
        {
            var lacking = required.Except(done[userId]).Select(id => codes.GetValueOrDefault(id) ?? id.ToString()).Order().ToList();
            if (lacking.Count > 0) unmet[userId] = lacking;
        }
        return unmet;
    }

    /// <summary>When each of these people first completed (or was exempted from) each of these courses, as the ledger has it.</summary>
    public Task<List<CourseCompletion>> CompletionsAsync(IReadOnlyCollection<Guid> userIds, IReadOnlyCollection<Guid> courseIds, CancellationToken ct) =>
        db.Ledger.AsNoTracking()
            .Where(l => userIds.Contains(l.UserId) && courseIds.Contains(l.CourseId) && (l.Action == LedgerAction.Completed || l.Action == LedgerAction.Waived))
            .GroupBy(l => new { l.UserId, l.CourseId }).Select(g => new CourseCompletion(g.Key.UserId, g.Key.CourseId, g.Min(l => l.At))).ToListAsync(ct);
}

/// <summary>A person's first completion (or waiver) of a course.</summary>
public sealed record CourseCompletion(Guid UserId, Guid CourseId, DateTimeOffset At);
