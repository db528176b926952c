using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Runtime;

/// <summary>
/// One SCO's (or asset's) part of an attempt: the run-time data last committed, what it says, and the time spent:
/// <see cref="TotalSeconds"/> before the current session, <see cref="SessionSeconds"/> in it (a session's commits
/// each carry the session's time so far, so it is replaced, not added, until the next launch folds it in).
/// </summary>
public sealed class ScoState
{
    public required string ItemId { get; init; }
    public Dictionary<string, string> Data { get; set; } = [];
    public Completion Completion { get; set; }
    public Success Success { get; set; }
    public double? Score { get; set; }
    public bool Suspended { get; set; }
    public double TotalSeconds { get; set; }
    public double SessionSeconds { get; set; }
    public int Launches { get; set; }
    public DateTimeOffset? LastCommitAt { get; set; }
    /// <summary>The player's number for the last commit applied in this session: one arriving late (an older autocommit after the final one) is ignored.</summary>
    public long CommitSequence { get; set; }

    public ScoOutcome Outcome => new(Completion, Success, Score, Suspended, SessionSeconds);
}

/// <summary>
/// A learner's attempt at a SCORM package used by an activity of a course they are enrolled on. A launch opens a
/// session on one of the package's activities; commits record its run-time data; the attempt rolls its activities up
/// (completed when all are, satisfied when all are, the mean score) and announces each change of that roll-up as
/// <see cref="ActivityProgressRecorded"/>, which enrolment turns into progress and completion. A new attempt starts
/// only when the learner asks for one after finishing; otherwise a launch resumes, and a finished attempt opens for
/// review (its data no longer changes).
/// </summary>
public sealed class ScormAttempt : Aggregate
{
    private ScormAttempt() { }

    public Guid Id { get; private set; }
    public Guid EnrolmentId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid ContentItemId { get; private set; }
    public Guid PackageId { get; private set; }
    public int Number { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public Completion Completion { get; private set; }
    public Success Success { get; private set; }
    public double? Score { get; private set; }
    public bool Satisfied { get; private set; }
    public int Commits { get; private set; }
    public List<ScoState> Scos { get; private set; } = [];
    /// <summary>PostgreSQL's xmin: two commits of one attempt at once cannot both win (the loser reads again).</summary>
    public uint RowVersion { get; private set; }

    /// <summary>Finished: every activity completed (passed, failed or completed). A finished attempt is reviewed, not changed.</summary>
    public bool Finished => FinishedAt is not null;

    public double TotalSeconds => Scos.Sum(s => s.TotalSeconds + s.SessionSeconds);

    public static ScormAttempt Start(Guid enrolmentId, Guid userId, Guid courseId, Guid activityId, Guid contentItemId, ContentPackage package,
        int number, DateTimeOffset now) => new()
        {
            Id = Guid.CreateVersion7(now), EnrolmentId = enrolmentId, UserId = userId, CourseId = courseId, ActivityId = activityId,
            ContentItemId = contentItemId, PackageId = package.Id, Number = number, StartedAt = now, UpdatedAt = now,
            Scos = [.. package.Activities.Select(a => new ScoState { ItemId = a.ItemId })],
        };

    /// <summary>The activity a launch opens when none is asked for: the first not yet satisfied, else the first.</summary>
    public string DefaultItem(ContentPackage package) =>
        package.Activities.FirstOrDefault(a => Sco(a.ItemId) is not { } s || !s.Outcome.Satisfied)?.ItemId ?? package.Activities[0].ItemId;

    /// <summary>
    /// A new session on one of the package's activities: the last session's time is folded into the total. An asset
    /// (no run-time API) is completed by being opened.
    /// </summary>
    public ScoState Launch(ContentPackage package, string itemId, DateTimeOffset now)
    {
        var activity = ActivityOf(package, itemId);
        var sco = Sco(itemId) ?? Add(itemId);
        if (Finished) return sco;
        sco.TotalSeconds += sco.SessionSeconds;
        sco.SessionSeconds = 0;
        sco.CommitSequence = 0;
        sco.Launches++;
        if (!activity.IsSco && sco.Completion != Completion.Completed)
        {
            sco.Completion = Completion.Completed;
            RollUp(package, now, final: true);
        }
        UpdatedAt = now;
        return sco;
    }

    /// <summary>
    /// Records what the player committed for one activity (its <paramref name="sequence"/> in the session, when it
    /// numbers them). Refused for an activity the package does not have and for data that is too large; ignored once the
    /// attempt is finished (a review changes nothing) and when an earlier commit of the session arrives after a later one.
    /// </summary>
    public void Commit(ContentPackage package, string itemId, IReadOnlyDictionary<string, string> cmi, long? sequence, DateTimeOffset now, bool final = false)
    {
        var activity = ActivityOf(package, itemId);
        if (ScormCmi.Check(cmi) is { } problem) throw DomainRuleException.Invalid("cmi", problem);
        if (Finished) return;
        var sco = Sco(itemId) ?? Add(itemId);
        if (sequence is { } number)
        {
            if (number <= sco.CommitSequence) return;
            sco.CommitSequence = number;
        }
        var outcome = ScormCmi.Read(package.Standard, cmi, activity);
        sco.Data = new Dictionary<string, string>(cmi);
        (sco.Completion, sco.Success, sco.Score, sco.Suspended, sco.SessionSeconds, sco.LastCommitAt) =
            (outcome.Completion, outcome.Success, outcome.Score, outcome.Suspended, outcome.SessionSeconds, now);
        Commits++;
        UpdatedAt = now;
        RollUp(package, now, final);
    }

    /// <summary>
    /// The attempt's own state from its activities', announced when it changes. Only the end of a session (the
    /// content's finish, <paramref name="final"/>) may satisfy or close the attempt: content commits "completed" as the
    /// learner reaches the last page and "failed" after the quiz that follows, and the attempt must not be closed, nor
    /// the course completed, on the first of those.
    /// </summary>
    private void RollUp(ContentPackage package, DateTimeOffset now, bool final)
    {
        var states = package.Activities.Select(a => Sco(a.ItemId)?.Outcome ?? ScoOutcome.None).ToList();
        var completion = states.All(s => s.Completion == Completion.Completed) ? Completion.Completed
            : states.Any(s => s.Completion != Completion.NotAttempted) ? Completion.Incomplete : Completion.NotAttempted;
        var satisfied = states.All(s => s.Satisfied) && (final || Satisfied);
        var success = states.Any(s => s.Success == Success.Failed) ? Success.Failed
            : satisfied && states.Any(s => s.Success == Success.Passed) ? Success.Passed : Success.Unknown;
        var scores = states.Where(s => s.Score is not null).Select(s => s.Score!.Value).ToList();
        double? score = scores.Count > 0 ? Math.Round(scores.Average(), 4) : null;
        if ((completion, success, score, satisfied) == (Completion, Success, Score, Satisfied)) return;
        (Completion, Success, Score, Satisfied) = (completion, success, score, satisfied);
        if (final && completion == Completion.Completed) FinishedAt = now;
        Record(new ActivityProgressRecorded(EnrolmentId, UserId, CourseId, ActivityId, ContentItemId, Number, Words(completion), Words(success), score,
            satisfied, now));
    }

    public static string Words(Completion completion) => completion switch
    {
        Completion.NotAttempted => "not-attempted",
        _ => completion.ToString().ToLowerInvariant(),
    };

    public static string Words(Success success) => success.ToString().ToLowerInvariant();

    private ScoState? Sco(string itemId) => Scos.FirstOrDefault(s => s.ItemId == itemId);

    private ScoState Add(string itemId)
    {
        var sco = new ScoState { ItemId = itemId };
        Scos.Add(sco);
        return sco;
    }

    private static PackageActivity ActivityOf(ContentPackage package, string itemId) =>
        package.Activities.FirstOrDefault(a => a.ItemId == itemId)
        ?? throw DomainRuleException.Invalid("itemId", $"The package has no activity '{itemId}'.");
}
