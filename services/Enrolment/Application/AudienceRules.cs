using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

public sealed record PersonRef(Guid UserId, string Name);

/// <summary>What publishing a rule would do, before it is published.</summary>
public sealed record AudiencePreview(
    int Members, int Matching, int Joining, int Staying, int Leaving, int NewAssignments, int LeavingAssignments, int LeavingInProgress,
    int AssignmentsLost, double RemovalPercent, int ThresholdPercent, bool ExceedsThreshold, string Summary,
    IReadOnlyList<PersonRef> JoiningSample, IReadOnlyList<PersonRef> LeavingSample);

/// <summary>"Why in / why not" for one person: the answer of each node of the rule, and the membership's history.</summary>
public sealed record AudienceExplanation(Guid UserId, string Name, bool Member, DateTimeOffset? MemberSince, DateTimeOffset? LeavingSince,
    bool MatchesPublished, IReadOnlyList<RuleTrace> Published, bool MatchesDraft, IReadOnlyList<RuleTrace> Draft, string? Excluded,
    IReadOnlyList<MembershipChange> History);

/// <summary>
/// The rules of an audience's rule beyond its own shape (<see cref="RuleNode.Validate"/>): what it names must exist,
/// and an audience may not be built, through any chain, on itself. Previews and the why-trace evaluate with the same
/// <see cref="MembershipPlan"/> and <see cref="RuleNode.Matches"/> as the evaluation that applies them.
/// </summary>
public sealed class AudienceRules(EnrolmentDbContext db, TimeProvider time)
{
    public const int SampleSize = 20;

    /// <summary>Refuses (naming the field) a rule that names unknown things or makes a cycle, and courses or paths that are not published.</summary>
    public async Task CheckAsync(Guid? audienceId, RuleNode rule, IReadOnlyList<Guid> courseIds, IReadOnlyList<Guid> pathIds, CancellationToken ct)
    {
        foreach (var (kind, ids) in rule.References().GroupBy(r => r.Kind, r => r.Id).Select(g => (g.Key, g.Distinct().ToList())))
        {
            var known = kind switch
            {
                "orgUnit" => await db.OrgUnits.Where(o => ids.Contains(o.Id)).Select(o => o.Id).ToListAsync(ct),
                "person" => await db.Learners.Where(l => ids.Contains(l.UserId) && !l.Erased).Select(l => l.UserId).ToListAsync(ct),
                "audience" => await db.Audiences.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct),
                _ => await db.Courses.Where(c => ids.Contains(c.CourseId) && c.Version > 0).Select(c => c.CourseId).ToListAsync(ct),
            };
            if (ids.Except(known).FirstOrDefault() is var missing && missing != Guid.Empty)
                throw DomainRuleException.Invalid("rule", $"names {KindName(kind)} {missing} that is not known");
        }
        var published = await db.Courses.Where(c => courseIds.Contains(c.CourseId) && c.Version > 0 && !c.Archived).Select(c => c.CourseId).ToListAsync(ct);
        if (courseIds.Except(published).FirstOrDefault() is var unusable && unusable != Guid.Empty)
            throw DomainRuleException.Invalid("courseIds", $"names {unusable}, which is not a published course");
        var publishedPaths = await db.Paths.Where(p => pathIds.Contains(p.PathId) && p.Version > 0 && !p.Archived).Select(p => p.PathId).ToListAsync(ct);
        if (pathIds.Except(publishedPaths).FirstOrDefault() is var unusablePath && unusablePath != Guid.Empty)
            throw DomainRuleException.Invalid("pathIds", $"names {unusablePath}, which is not a published learning path");
        if (audienceId is { } self && await ReachesAsync(rule.AudiencesReferred(), self, ct))
            throw DomainRuleException.Invalid("rule", "refers, through other audiences, to this audience itself: an audience cannot contain itself");
    }

    private static string KindName(string kind) => kind switch { "orgUnit" => "an org unit", "person" => "a person", "audience" => "an audience", _ => "a course" };

    /// <summary>Whether following audience references (drafts and published rules) from <paramref name="start"/> reaches <paramref name="target"/>.</summary>
    private async Task<bool> ReachesAsync(IEnumerable<Guid> start, Guid target, CancellationToken ct)
    {
        var graph = (await db.Audiences.AsNoTracking().Select(a => new { a.Id, a.DraftRule, a.Rule }).ToListAsync(ct)).ToDictionary(a => a.Id,
            a => new[] { a.DraftRule, a.Rule }.Where(r => r is not null).SelectMany(r => RuleNode.Parse(r!, out _)?.AudiencesReferred() ?? []).ToList());
        var seen = new HashSet<Guid>();
        var stack = new Stack<Guid>(start);
        while (stack.TryPop(out var next))
        {
            if (next == target) return true;
            if (!seen.Add(next)) continue;
            foreach (var referred in graph.GetValueOrDefault(next) ?? []) stack.Push(referred);
        }
        return false;
    }

    /// <summary>
    /// What publishing <paramref name="rule"/> with <paramref name="courseIds"/> and <paramref name="pathIds"/> would do
    /// to <paramref name="audience"/> (a new one when null). A path counts as one assignment (its courses come with it).
    /// </summary>
    public async Task<AudiencePreview> PreviewAsync(Audience? audience, RuleNode rule, IReadOnlyList<Guid> courseIds, IReadOnlyList<Guid> pathIds, LeavePolicy policy,
        bool retroactive, int thresholdPercent, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var facts = await AudienceFacts.LoadAsync(db, null, [rule], now, ct);
        var members = audience is null ? [] : await db.AudienceMembers.AsNoTracking().Where(m => m.AudienceId == audience.Id).ToDictionaryAsync(m => m.UserId, ct);
        var plan = MembershipPlan.Of(rule, facts, members);
        var leaving = plan.NotMatching.Select(m => m.UserId).ToList();
        var staying = members.Keys.Except(leaving).ToList();

        // New assignments: the joiners (and, when retroactive, the members who stay) not yet enrolled on each course and path.
        var assignees = retroactive ? plan.Joining.Concat(staying).ToList() : [.. plan.Joining];
        var newAssignments = 0;
        if (assignees.Count > 0)
        {
            foreach (var courseId in courseIds)
                newAssignments += assignees.Count - await db.Enrolments.CountAsync(e => e.CourseId == courseId && assignees.Contains(e.UserId), ct);
            foreach (var pathId in pathIds)
                newAssignments += assignees.Count - await db.PathEnrolments.CountAsync(p => p.PathId == pathId && assignees.Contains(p.UserId), ct);
        }

        // What the leavers would lose: the open assignments this audience made, by its leave policy (a path is in
        // progress once one of its courses is started).
        var prefix = audience?.Id.ToString() ?? "-";
        var made = leaving.Count == 0 ? [] : (await db.Enrolments.AsNoTracking()
                .Where(e => leaving.Contains(e.UserId) && e.SourceKind == EnrolmentSourceKind.AudienceRule && e.SourceReference!.StartsWith(prefix)
                    && (e.Status == EnrolmentStatus.Enrolled || e.Status == EnrolmentStatus.InProgress))
                .Select(e => e.Status == EnrolmentStatus.InProgress).ToListAsync(ct))
            .Concat(await db.PathEnrolments.AsNoTracking()
                .Where(p => leaving.Contains(p.UserId) && p.SourceKind == EnrolmentSourceKind.AudienceRule && p.SourceReference!.StartsWith(prefix) && p.Status == PathStatus.Enrolled)
                .Select(p => db.Enrolments.Any(e => e.UserId == p.UserId && e.SourceKind == EnrolmentSourceKind.LearningPath
                    && e.SourceReference == p.PathId.ToString() && e.Status != EnrolmentStatus.Enrolled)).ToListAsync(ct))
            .ToList();
        var inProgress = made.Count(started => started);
        var lost = policy switch
        {
            LeavePolicy.Suspend => made.Count,
            LeavePolicy.WithdrawIfNotStarted => made.Count - inProgress,
            _ => 0,
        };
        var removal = members.Count == 0 ? 0 : Math.Round(100.0 * leaving.Count / members.Count, 1);
        var names = facts.People.ToDictionary(p => p.UserId, p => p.DisplayName);
        var summary = $"{plan.Joining.Count} {People(plan.Joining.Count)} {Verb(plan.Joining.Count, "join")}; {newAssignments} new {Assignments(newAssignments)}. "
            + $"{leaving.Count} {People(leaving.Count)} {Verb(leaving.Count, "leave")}" + policy switch
            {
                LeavePolicy.Keep => $", keeping {made.Count} open {Assignments(made.Count)} ({inProgress} in progress)",
                LeavePolicy.Suspend => $": {lost} {Assignments(lost)} suspended ({inProgress} of them in progress)",
                _ => $": {lost} {Assignments(lost)} not started withdrawn (the {inProgress} in progress are kept)",
            } + ".";
        return new AudiencePreview(members.Count, plan.Matching, plan.Joining.Count, staying.Count, leaving.Count, newAssignments, made.Count, inProgress, lost,
            removal, thresholdPercent, removal > thresholdPercent, summary,
            [.. plan.Joining.Take(SampleSize).Select(id => new PersonRef(id, names.GetValueOrDefault(id) ?? ""))],
            [.. leaving.Take(SampleSize).Select(id => new PersonRef(id, names.GetValueOrDefault(id) ?? "(no longer known)"))]);
    }

    private static string People(int n) => n == 1 ? "person" : "people";
    private static string Verb(int n, string verb) => n == 1 ? verb + "s" : verb;
    private static string Assignments(int n) => n == 1 ? "assignment" : "assignments";

    /// <summary>Why the person is in or out: the published rule's and the draft's answers, node by node, and the history.</summary>
    public async Task<AudienceExplanation?> ExplainAsync(Audience audience, Guid userId, CancellationToken ct)
    {
        var published = audience.IsPublished ? audience.PublishedRule() : null;
        var draft = audience.Draft();
        var facts = await AudienceFacts.LoadAsync(db, [userId], published is null ? [draft] : [published, draft], time.GetUtcNow(), ct, withNames: true);
        if (facts.People.SingleOrDefault() is not { } person) return null;
        var member = await db.AudienceMembers.AsNoTracking().FirstOrDefaultAsync(m => m.AudienceId == audience.Id && m.UserId == userId, ct);
        var (publishedTrace, draftTrace) = (new List<RuleTrace>(), new List<RuleTrace>());
        var eligible = MembershipPlan.Eligible(person);
        var matchesPublished = published?.Matches(person, facts, publishedTrace) == true && eligible;
        var matchesDraft = draft.Matches(person, facts, draftTrace) && eligible;
        var history = await db.MembershipChanges.AsNoTracking().Where(h => h.AudienceId == audience.Id && h.UserId == userId).OrderBy(h => h.At).ThenBy(h => h.Id).ToListAsync(ct);
        return new AudienceExplanation(userId, person.DisplayName, member is not null, member?.JoinedAt, member?.LeavingSince, matchesPublished, publishedTrace,
            matchesDraft, draftTrace, eligible ? null : "Deactivated people are in no audience, whatever the rule says.", history);
    }
}
