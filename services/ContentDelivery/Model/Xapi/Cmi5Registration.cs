using System.Text;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>What a registration knows of one AU: its moveOn, the blocks it sits in, what was received for it, and whether that satisfies it.</summary>
public sealed record Cmi5AuState(string AuId, string MoveOn, bool Completed = false, bool Passed = false, bool Failed = false, bool Waived = false,
    double? Score = null, int Launches = 0, string[]? Blocks = null)
{
    public bool Satisfied => Cmi5MoveOn.Satisfied(MoveOn, Completed, Passed, Waived);
}

/// <summary>What one statement made satisfied: blocks (publisher ids, innermost first) and whether the course.</summary>
public sealed record Cmi5Satisfied(IReadOnlyList<string> Blocks, bool Course)
{
    public bool Any => Course || Blocks.Count > 0;
}

/// <summary>
/// A cmi5 registration: one person's enrolment in a cmi5 course (a package activity of their course), with the state
/// of each AU. cmi5's moveOn rules decide each AU and the course: satisfied when every AU is (an AU whose moveOn is
/// NotApplicable at once, so a course of such AUs is satisfied when the registration starts). When the course becomes
/// satisfied it announces the same <see cref="ActivityProgressRecorded"/> every other kind of content does; the first
/// launch announces that it started. A failure never undoes a pass.
/// </summary>
public sealed class Cmi5Registration : Aggregate
{
    public Guid Id { get; private set; }
    public Guid EnrolmentId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid ContentItemId { get; private set; }
    public Guid PackageId { get; private set; }
    public int Number { get; private set; }
    public List<Cmi5AuState> Aus { get; private set; } = [];
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? SatisfiedAt { get; private set; }
    /// <summary>A training manager's preview (Browse mode): of no enrolment, reporting to nobody.</summary>
    public bool IsPreview { get; private set; }
    public uint RowVersion { get; private set; }

    public bool Satisfied => SatisfiedAt is not null;

    private Cmi5Registration() { }

    /// <summary>A new registration; returns it and whether the course is satisfied already (every AU NotApplicable).</summary>
    public static Cmi5Registration Start(Guid enrolmentId, Guid userId, Guid courseId, Guid activityId, ContentPackage package, int number, DateTimeOffset now)
    {
        var registration = new Cmi5Registration
        {
            Id = Guid.CreateVersion7(now), EnrolmentId = enrolmentId, UserId = userId, CourseId = courseId, ActivityId = activityId, ContentItemId = package.Id,
            PackageId = package.Id, Number = number, StartedAt = now,
            Aus = [.. package.Activities.Select(a => new Cmi5AuState(a.ItemId, a.MoveOn ?? Cmi5MoveOn.NotApplicable, Blocks: a.Blocks))],
        };
        registration.Evaluate(now);
        return registration;
    }

    /// <summary>A preview's registration: a person trying the course in Browse mode, outside any enrolment.</summary>
    public static Cmi5Registration Preview(Guid userId, ContentPackage package, DateTimeOffset now)
    {
        var registration = Start(Guid.CreateVersion7(now), userId, Guid.Empty, Guid.Empty, package, 1, now);
        registration.IsPreview = true;
        registration.TakeDomainEvents(); // a preview reports to nobody
        return registration;
    }

    public Cmi5AuState Au(string auId) => Aus.FirstOrDefault(a => a.AuId == auId) ?? throw DomainRuleException.Invalid("auId", $"The course has no AU '{auId}'.");

    /// <summary>A session of an AU began; the first of the registration starts the learner's progress.</summary>
    public void Launched(string auId, DateTimeOffset now)
    {
        var first = Aus.All(a => a.Launches == 0);
        Replace(Au(auId) with { Launches = Au(auId).Launches + 1 });
        if (first && !Satisfied) Announce(now);
    }

    /// <summary>
    /// What an AU's cmi5 statement said (completed, passed, failed; a waiver by the LMS). Returns what it made satisfied
    /// (the AU's blocks, innermost first, and the course), so the LMS records a "satisfied" statement for each.
    /// </summary>
    public Cmi5Satisfied Received(string auId, string verb, double? score, DateTimeOffset now)
    {
        var before = Au(auId);
        var au = verb switch
        {
            Cmi5Verbs.Completed => before with { Completed = true },
            Cmi5Verbs.Passed => before with { Passed = true, Score = Math.Max(score ?? 0, before.Score ?? 0) },
            Cmi5Verbs.Failed => before with { Failed = true, Score = before.Passed ? before.Score : score ?? before.Score },
            Cmi5Verbs.Waived => before with { Waived = true },
            _ => before,
        };
        Replace(au);
        // An AU is satisfied once and stays so (a failure never undoes a pass): a block is newly satisfied exactly when
        // this AU turned and every other AU in it was satisfied already.
        var blocks = !before.Satisfied && au.Satisfied
            ? (au.Blocks ?? []).Reverse().Where(BlockSatisfied).ToArray()
            : [];
        return new Cmi5Satisfied(blocks, Evaluate(now));
    }

    /// <summary>
    /// An administrator's waiver of an AU (cmi5's "waived", with one of <see cref="Cmi5Verbs.WaiverReasons"/>): the AU
    /// counts as satisfied. Once per AU in a registration, and never for an AU that is satisfied already.
    /// </summary>
    public Cmi5Satisfied Waive(string auId, string reason, DateTimeOffset now)
    {
        if (!Cmi5Verbs.WaiverReasons.Contains(reason))
            throw DomainRuleException.Invalid("reason", $"must be one of {string.Join(", ", Cmi5Verbs.WaiverReasons)}.");
        var au = Au(auId);
        if (au.Waived) throw new DomainRuleException("auId", "The AU was waived already in this registration.");
        if (au.Satisfied) throw new DomainRuleException("auId", "The AU is satisfied already; there is nothing to waive.");
        return Received(auId, Cmi5Verbs.Waived, null, now);
    }

    /// <summary>The blocks that are satisfied from the start (every AU in them NotApplicable), innermost first.</summary>
    public IReadOnlyList<string> SatisfiedBlocks() =>
        [.. Aus.SelectMany(a => (a.Blocks ?? []).Reverse()).Distinct().Where(BlockSatisfied)];

    /// <summary>Whether every AU in the block is satisfied.</summary>
    private bool BlockSatisfied(string block) => Aus.Where(a => a.Blocks?.Contains(block) == true).All(a => a.Satisfied);

    private void Replace(Cmi5AuState au) => Aus = [.. Aus.Select(a => a.AuId == au.AuId ? au : a)];

    private bool Evaluate(DateTimeOffset now)
    {
        if (Satisfied || !Aus.All(a => a.Satisfied)) return false;
        SatisfiedAt = now;
        Announce(now);
        return true;
    }

    private void Announce(DateTimeOffset now)
    {
        if (IsPreview) return;
        var scores = Aus.Where(a => a.Score is not null).Select(a => a.Score!.Value).ToList();
        Record(new ActivityProgressRecorded(EnrolmentId, UserId, CourseId, ActivityId, ContentItemId, Number,
            Satisfied ? "completed" : "incomplete", Aus.Any(a => a.Passed) ? "passed" : Aus.Any(a => a.Failed) ? "failed" : "unknown",
            scores.Count == 0 ? null : scores.Average(), Satisfied, now));
    }
}

/// <summary>
/// One launch of an AU: its session id, the AU's activity id for the LRS, the launch mode, and the credential the AU
/// uses (fetched once through the fetch URL, then sent as Basic on every xAPI request). Only hashes of the fetch token
/// and the secret are kept. A session ends when the AU terminates, or when it is abandoned (another launch of the
/// registration began without a terminate).
/// </summary>
public sealed class Cmi5Session
{
    public const string KeyPrefix = "cmi5_";

    public Guid Id { get; private set; }
    public Guid RegistrationId { get; private set; }
    public Guid UserId { get; private set; }
    public string AuId { get; private set; } = "";
    public string AuActivityId { get; private set; } = "";
    public string Mode { get; private set; } = "Normal";
    public string FetchTokenHash { get; private set; } = "";
    public string SecretHash { get; private set; } = "";
    public DateTimeOffset LaunchedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? FetchedAt { get; private set; }
    /// <summary>When the AU said "initialized": the first statement of a session, and only once.</summary>
    public DateTimeOffset? InitializedAt { get; private set; }
    public DateTimeOffset? TerminatedAt { get; private set; }
    public DateTimeOffset? AbandonedAt { get; private set; }
    public uint RowVersion { get; private set; }

    private Cmi5Session() { }

    public bool Open => TerminatedAt is null && AbandonedAt is null;

    /// <summary>A session and its one-time fetch token (for the fetch URL).</summary>
    public static (Cmi5Session Session, string FetchToken) Start(Guid registrationId, Guid userId, string auId, string auActivityId, string mode,
        DateTimeOffset now, TimeSpan lifetime)
    {
        var fetchToken = Secret.New();
        return (new Cmi5Session
        {
            Id = Guid.CreateVersion7(now), RegistrationId = registrationId, UserId = userId, AuId = auId, AuActivityId = auActivityId, Mode = mode,
            FetchTokenHash = Secret.Hash(fetchToken), LaunchedAt = now, ExpiresAt = now + lifetime,
        }, fetchToken);
    }

    /// <summary>
    /// The fetch URL's one answer: the auth-token (Basic credentials of this session), the first time only, before the
    /// session ends or expires. Null when it was used already or the session is over (cmi5's error 1).
    /// </summary>
    public string? Fetch(DateTimeOffset now)
    {
        if (FetchedAt is not null || !Open || now > ExpiresAt) return null;
        FetchedAt = now;
        var secret = Secret.New();
        SecretHash = Secret.Hash(secret);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Key}:{secret}"));
    }

    public string Key => KeyPrefix + Id.ToString("N");

    /// <summary>
    /// How long an AU's credential still works after its "terminated": long enough for requests already in flight
    /// (a last state save) to land. Statements are refused from "terminated" on (<c>Cmi5Rules</c>); after the grace
    /// period everything is.
    /// </summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);

    /// <summary>Whether the AU's credential is good: fetched, the session not abandoned, not expired and not past its grace, the secret right.</summary>
    public bool Accepts(string secret, DateTimeOffset now) =>
        FetchedAt is not null && AbandonedAt is null && (TerminatedAt is null || now <= TerminatedAt + GracePeriod) && now <= ExpiresAt
        && Secret.Matches(SecretHash, secret);

    public void Terminate(DateTimeOffset now) => TerminatedAt ??= now;

    public void Initialize(DateTimeOffset now) => InitializedAt ??= now;

    public void Abandon(DateTimeOffset now)
    {
        if (Open) AbandonedAt = now;
    }

}

/// <summary>The verbs, categories and extensions cmi5 defines.</summary>
public static class Cmi5Verbs
{
    public const string Launched = "http://adlnet.gov/expapi/verbs/launched", Initialized = "http://adlnet.gov/expapi/verbs/initialized",
        Completed = "http://adlnet.gov/expapi/verbs/completed", Passed = "http://adlnet.gov/expapi/verbs/passed", Failed = "http://adlnet.gov/expapi/verbs/failed",
        Terminated = "http://adlnet.gov/expapi/verbs/terminated", Abandoned = "https://w3id.org/xapi/adl/verbs/abandoned",
        Waived = "https://w3id.org/xapi/adl/verbs/waived", Satisfied = "https://w3id.org/xapi/adl/verbs/satisfied";

    public const string Category = "https://w3id.org/xapi/cmi5/context/categories/cmi5", MoveOnCategory = "https://w3id.org/xapi/cmi5/context/categories/moveon";
    public const string SessionIdExtension = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
    public const string Extensions = "https://w3id.org/xapi/cmi5/context/extensions/";
    /// <summary>Why an AU may be waived (cmi5's values of the reason extension).</summary>
    public static readonly IReadOnlyList<string> WaiverReasons = ["Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative"];

    public const string ReasonExtension = "https://w3id.org/xapi/cmi5/result/extensions/reason";
    public const string CourseType = "https://w3id.org/xapi/cmi5/activitytype/course", BlockType = "https://w3id.org/xapi/cmi5/activitytype/block";
}
