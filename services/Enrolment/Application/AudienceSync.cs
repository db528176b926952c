using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>Who a rule takes in and who it no longer takes, among the people evaluated.</summary>
public sealed record MembershipPlan(IReadOnlyList<Guid> Joining, IReadOnlyList<AudienceMember> MatchingAgain, IReadOnlyList<AudienceMember> NotMatching, int Matching)
{
    /// <summary>
    /// The one membership rule: active (not deactivated or erased) people the rule matches are members; members it no
    /// longer matches leave (after the grace period, see <see cref="AudienceSync"/>).
    /// </summary>
    public static MembershipPlan Of(RuleNode rule, AudienceFacts facts, IReadOnlyDictionary<Guid, AudienceMember> members)
    {
        var matching = facts.People.Where(p => Eligible(p) && rule.Matches(p, facts)).Select(p => p.UserId).ToHashSet();
        return new(
            [.. matching.Where(id => !members.ContainsKey(id))],
            [.. members.Values.Where(m => m.LeavingSince is not null && matching.Contains(m.UserId))],
            [.. members.Values.Where(m => !matching.Contains(m.UserId))],
            matching.Count);
    }

    /// <summary>Deactivated people are in no audience, whatever the rule says (erased ones are not evaluated at all).</summary>
    public static bool Eligible(Learner person) => person.Status != PersonCopy.Deactivated;
}

/// <summary>What an evaluation changed.</summary>
public sealed record SyncOutcome(int Audiences, int People, int Joined, int Leaving, int Stayed, int Left, int Assigned, int Suspended, int Withdrawn)
{
    public int Changes => Joined + Leaving + Stayed + Left + Assigned + Suspended + Withdrawn;
}

/// <summary>
/// Applies audience rules to people: evaluates every published, unpaused audience for the people given (or everyone)
/// and applies the difference in one transaction: members join (and are assigned the audience's courses and paths through
/// <see cref="Assignments"/>, the one assignment rule), members who no longer match start their grace period or, once
/// it has run out, leave (and their assignments follow the leave policy). Audiences built on other audiences are
/// evaluated after them. Every change is in the membership history with the rule version behind it. One evaluation
/// runs at a time across replicas (an advisory lock), and each is a diff against the stored members, so running it
/// again (after a crash, a redelivery, or by the nightly reconciliation) changes nothing that is already right.
/// </summary>
public sealed class AudienceSync(EnrolmentDbContext db, Assignments assignments, PathAssignments paths, TimeProvider time, ILogger<AudienceSync> log)
{
    private const long EvaluationLock = 0x4C4D5341554449; // "LMSAUDI"
    public const int PendingBatch = 5000;

    // The rows an evaluation adds (members, history, enrolments), written untracked by BulkSave.
    private readonly List<object> _added = [];
    private readonly List<CourseEnrolment> _enrolments = [];
    private readonly List<PathEnrolment> _paths = [];

    /// <summary>Evaluates <paramref name="userIds"/> (everyone when null: a full evaluation, after which each audience's version counts as applied).</summary>
    public async Task<SyncOutcome> SyncAsync(IReadOnlyCollection<Guid>? userIds, CancellationToken ct) =>
        (await InTransactionAsync(async () => (SyncOutcome?)await EvaluateAsync(userIds, ct), ct))!;

    /// <summary>
    /// Evaluates the people whose facts changed (up to <see cref="PendingBatch"/>, claimed in the same transaction, so
    /// a crash leaves them pending) and the members whose grace period has run out. Null when there was nobody.
    /// </summary>
    public Task<SyncOutcome?> SyncPendingAsync(CancellationToken ct) => InTransactionAsync(async () =>
    {
        var claimed = await db.Database.SqlQuery<Guid>($"""
            DELETE FROM audience_pending WHERE "Id" IN (SELECT "Id" FROM audience_pending ORDER BY "Id" LIMIT {PendingBatch}) RETURNING "UserId" AS "Value"
            """).ToListAsync(ct);
        var now = time.GetUtcNow();
        var leaving = await db.AudienceMembers.AsNoTracking().Where(m => m.LeavingSince != null)
            .Join(db.Audiences.AsNoTracking(), m => m.AudienceId, a => a.Id, (m, a) => new { m.UserId, m.LeavingSince, a.GraceDays }).ToListAsync(ct);
        var users = claimed.Concat(leaving.Where(l => l.LeavingSince!.Value.AddDays(l.GraceDays) <= now).Select(l => l.UserId)).ToHashSet();
        return users.Count == 0 ? null : await EvaluateAsync(users, ct);
    }, ct);

    private async Task<SyncOutcome?> InTransactionAsync(Func<Task<SyncOutcome?>> work, CancellationToken ct) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            _added.Clear();
            _enrolments.Clear();
            _paths.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({EvaluationLock})", ct);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = await work();
            if (outcome is null) return null;
            var evaluated = clock.Elapsed;
            // A rule that takes in a whole organisation adds a row per person to four tables: they are copied, not tracked.
            await BulkSave.SaveChangesAsync(db, time.GetUtcNow(), [.. _added, .. _paths, .. _enrolments], ct);
            if (outcome.Changes > 0)
                log.LogInformation("Audience evaluation: {Changes} changes for {People} people, evaluated in {Evaluated} ms, saved in {Saved} ms",
                    outcome.Changes, outcome.People, (int)evaluated.TotalMilliseconds, (int)(clock.Elapsed - evaluated).TotalMilliseconds);
            await transaction.CommitAsync(ct);
            return outcome;
        });

    private async Task<SyncOutcome> EvaluateAsync(IReadOnlyCollection<Guid>? userIds, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var audiences = await db.Audiences.Where(a => a.Version > 0 && !a.Paused).ToListAsync(ct);
        var rules = audiences.ToDictionary(a => a.Id, a => a.PublishedRule());
        var facts = await AudienceFacts.LoadAsync(db, userIds, rules.Values, now, ct);
        var ids = userIds?.ToList();
        var members = (await db.AudienceMembers.AsNoTracking().Where(m => ids == null || ids.Contains(m.UserId)).ToListAsync(ct))
            .GroupBy(m => m.AudienceId).ToDictionary(g => g.Key, g => g.ToDictionary(m => m.UserId));
        var total = new SyncOutcome(audiences.Count, facts.People.Count, 0, 0, 0, 0, 0, 0, 0);
        foreach (var audience in InDependencyOrder(audiences, rules))
        {
            var current = members.GetValueOrDefault(audience.Id) ?? [];
            var plan = MembershipPlan.Of(rules[audience.Id], facts, current);
            // A version applied for the first time assigns its courses and paths to everyone who matches it (when retroactive).
            var firstApplication = userIds is null && audience.SyncedVersion < audience.Version;
            var outcome = await ApplyAsync(audience, plan, current, facts, firstApplication, audiences, now, ct);
            if (userIds is null) audience.MarkSynced(now);
            total = total with
            {
                Joined = total.Joined + outcome.Joined, Leaving = total.Leaving + outcome.Leaving, Stayed = total.Stayed + outcome.Stayed, Left = total.Left + outcome.Left,
                Assigned = total.Assigned + outcome.Assigned, Suspended = total.Suspended + outcome.Suspended, Withdrawn = total.Withdrawn + outcome.Withdrawn,
            };
        }
        return total;
    }

    private async Task<SyncOutcome> ApplyAsync(Audience audience, MembershipPlan plan, Dictionary<Guid, AudienceMember> current, AudienceFacts facts,
        bool firstApplication, IReadOnlyList<Audience> all, DateTimeOffset now, CancellationToken ct)
    {
        var version = audience.Version;
        foreach (var userId in plan.Joining)
        {
            _added.Add(new AudienceMember { AudienceId = audience.Id, UserId = userId, Version = version, JoinedAt = now });
            History(audience, userId, MembershipChangeKind.Joined, now, firstApplication && !audience.Retroactive
                ? $"matches version {version} (not assigned: the version applies to people who join after it)" : $"matches version {version}");
            facts.SetMember(audience.Id, userId, true);
        }
        foreach (var member in plan.MatchingAgain)
        {
            db.AudienceMembers.Attach(member).Entity.LeavingSince = null;
            History(audience, member.UserId, MembershipChangeKind.Stayed, now, $"matches version {version} again within the grace period");
        }
        var (leaving, leavers) = (0, new List<Guid>());
        foreach (var member in plan.NotMatching)
        {
            var graceOver = member.LeavingSince is { } since && since.AddDays(audience.GraceDays) <= now;
            if (audience.GraceDays > 0 && member.LeavingSince is null)
            {
                db.AudienceMembers.Attach(member).Entity.LeavingSince = now;
                leaving++;
                History(audience, member.UserId, MembershipChangeKind.Leaving, now,
                    $"no longer matches version {version}; leaves after {audience.GraceDays} days unless they match again");
            }
            else if (audience.GraceDays == 0 || graceOver)
            {
                db.AudienceMembers.Remove(member);
                current.Remove(member.UserId);
                leavers.Add(member.UserId);
                History(audience, member.UserId, MembershipChangeKind.Left, now, $"no longer matches version {version}");
                facts.SetMember(audience.Id, member.UserId, false);
            }
        }

        // Newcomers get the courses and paths; the first application of a retroactive version gives them to every member.
        var assignees = firstApplication
            ? audience.Retroactive ? current.Keys.Where(id => current[id].LeavingSince is null).Concat(plan.Joining).ToList() : []
            : plan.Joining.ToList();
        var assigned = 0;
        var source = new EnrolmentSource(EnrolmentSourceKind.AudienceRule, audience.SourceReference, $"Member of the audience {audience.Name} (version {version})");
        if (assignees.Count > 0)
            foreach (var (itemId, isPath) in audience.CourseIds.Select(id => (id, false)).Concat(audience.PathIds.Select(id => (id, true))))
            {
                try
                {
                    var outcomes = isPath
                        ? await paths.AddAsync(assignees, itemId, null, source, EnrolmentActor.Platform, ct, into: (_paths, _enrolments), known: facts.ById)
                        : await assignments.AddAsync(assignees, itemId, null, source, EnrolmentActor.Platform, ct, _enrolments, facts.ById);
                    assigned += outcomes.Count(o => o.Result == AssignmentResult.Enrolled);
                }
                catch (DomainRuleException ex)
                {
                    // An archived or withdrawn course or path takes nobody; the others are still assigned.
                    log.LogWarning("Audience {Audience} could not assign {Item}: {Reason}", audience.Name, itemId, ex.Message);
                }
            }

        var (suspended, withdrawn) = await ApplyLeavePolicyAsync(audience, leavers, all, facts, now, ct);
        return new SyncOutcome(1, 0, plan.Joining.Count, leaving, plan.MatchingAgain.Count, leavers.Count, assigned, suspended, withdrawn);
    }

    /// <summary>
    /// What leaving does to the assignments this audience made: nothing (keep), suspend the open ones, or withdraw
    /// the ones not started. A path counts as one assignment with its courses: suspended with its open courses, or
    /// withdrawn with them when none was started. An assignment another of the person's audiences also makes is
    /// kept. Completions and history are never touched.
    /// </summary>
    private async Task<(int Suspended, int Withdrawn)> ApplyLeavePolicyAsync(Audience audience, List<Guid> leavers, IReadOnlyList<Audience> all,
        AudienceFacts facts, DateTimeOffset now, CancellationToken ct)
    {
        if (leavers.Count == 0 || audience.LeavePolicy == LeavePolicy.Keep) return (0, 0);
        var prefix = audience.Id.ToString();
        bool AlsoAssigned(Guid userId, Func<Audience, bool> assigns) => all.Any(other => other.Id != audience.Id && assigns(other) && facts.IsMember(other.Id, userId));
        var enrolments = await db.Enrolments
            .Where(e => leavers.Contains(e.UserId) && e.SourceKind == EnrolmentSourceKind.AudienceRule && e.SourceReference!.StartsWith(prefix))
            .ToListAsync(ct);
        var pathEnrolments = (await db.PathEnrolments
                .Where(p => leavers.Contains(p.UserId) && p.SourceKind == EnrolmentSourceKind.AudienceRule && p.SourceReference!.StartsWith(prefix)
                    && p.Status == PathStatus.Enrolled)
                .ToListAsync(ct))
            .Where(p => !AlsoAssigned(p.UserId, other => other.PathIds.Contains(p.PathId))).ToList();
        var pathCourses = (await paths.CoursesOfAsync(pathEnrolments, ct)).ToLookup(e => (e.UserId, e.SourceReference));
        var (suspended, withdrawn) = (0, 0);
        var reason = $"Left the audience {audience.Name}";
        foreach (var enrolment in enrolments)
        {
            if (AlsoAssigned(enrolment.UserId, other => other.CourseIds.Contains(enrolment.CourseId))) continue;
            if (audience.LeavePolicy == LeavePolicy.Suspend && enrolment.IsOpen)
            {
                enrolment.Suspend(EnrolmentActor.Platform, reason, now);
                suspended++;
            }
            else if (audience.LeavePolicy == LeavePolicy.WithdrawIfNotStarted && enrolment.Status == EnrolmentStatus.Enrolled)
            {
                enrolment.Withdraw(EnrolmentActor.Platform, reason, now);
                withdrawn++;
            }
        }
        foreach (var path in pathEnrolments)
        {
            var courses = pathCourses[(path.UserId, path.PathId.ToString())].ToList();
            if (audience.LeavePolicy == LeavePolicy.Suspend && path.Suspend(reason, now))
            {
                foreach (var course in courses.Where(c => c.IsOpen)) course.Suspend(EnrolmentActor.Platform, reason, now);
                suspended++;
            }
            else if (audience.LeavePolicy == LeavePolicy.WithdrawIfNotStarted && courses.All(c => c.Status == EnrolmentStatus.Enrolled) && path.Withdraw(reason, now))
            {
                foreach (var course in courses) course.Withdraw(EnrolmentActor.Platform, reason, now);
                withdrawn++;
            }
        }
        return (suspended, withdrawn);
    }

    /// <summary>A change to the membership history, to be announced to other services (see <see cref="Announcement"/>).</summary>
    private void History(Audience audience, Guid userId, MembershipChangeKind change, DateTimeOffset now, string detail)
    {
        var row = new MembershipChange
        {
            Id = SequentialGuid.NewVersion7(now), AudienceId = audience.Id, UserId = userId, Change = change, Version = audience.Version, At = now, Detail = detail,
        };
        _added.Add(row);
        _added.Add(new Announcement { Source = AnnouncementSource.Membership, RowIds = [row.Id] });
    }

    /// <summary>Audiences after the audiences their rules refer to (cycles are refused when rules are saved).</summary>
    public static IEnumerable<Audience> InDependencyOrder(IReadOnlyList<Audience> audiences, IReadOnlyDictionary<Guid, RuleNode> rules)
    {
        var byId = audiences.ToDictionary(a => a.Id);
        var done = new HashSet<Guid>();
        var ordered = new List<Audience>();
        void Visit(Audience audience, int depth)
        {
            if (depth > byId.Count || !done.Add(audience.Id)) return;
            foreach (var referred in rules[audience.Id].AudiencesReferred())
                if (byId.TryGetValue(referred, out var first)) Visit(first, depth + 1);
            ordered.Add(audience);
        }
        foreach (var audience in audiences) Visit(audience, 0);
        return ordered;
    }
}
