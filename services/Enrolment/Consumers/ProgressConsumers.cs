using LmsPlatform.Contracts.Content;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Consumers;

/// <summary>
/// A learner's progress on an activity, from content: the activity's result is kept; the first progress starts the
/// enrolment (<c>ProgressRecorded</c>), and the result that satisfies the last activity the pinned version needs
/// completes it (<c>EnrolmentCompleted</c>, with everything a completion brings: certificate, certification, paths).
/// Results satisfied before the enrolment was last reset (a recertification, a retake) do not count again.
/// </summary>
public sealed class ActivityProgressRecordedConsumer(EnrolmentDbContext db, TimeProvider time) : IdempotentConsumer<ActivityProgressRecorded, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(ActivityProgressRecorded message, CancellationToken ct)
    {
        if (await Db.Enrolments.FindAsync([message.EnrolmentId], ct) is not { } enrolment || enrolment.UserId != message.UserId) return;
        // The enrolment's results, tracked: with those of earlier messages in this batch (not yet saved), they are all here.
        await Db.ActivityResults.Where(r => r.EnrolmentId == message.EnrolmentId).LoadAsync(ct);
        var result = await Db.ActivityResults.FindAsync([message.EnrolmentId, message.ActivityId], ct);
        if (result is null)
        {
            result = new ActivityResult { EnrolmentId = message.EnrolmentId, ActivityId = message.ActivityId };
            Db.ActivityResults.Add(result);
        }
        else if (message.Attempt < result.Attempt || (message.Attempt == result.Attempt && message.At < result.RecordedAt)) return; // older news
        var newAttempt = message.Attempt > result.Attempt;
        (result.Attempt, result.Completion, result.Success, result.Score, result.RecordedAt) =
            (message.Attempt, message.Completion, message.Success, message.Score, message.At);
        // A satisfied result stays so; a later attempt that satisfies again (a retake after a reset) is dated anew.
        if (message.Satisfied && (!result.Satisfied || newAttempt)) (result.Satisfied, result.SatisfiedAt) = (true, message.At);

        var now = time.GetUtcNow();
        var at = message.At < now ? message.At : now;
        var name = (await Db.Learners.FindAsync([message.UserId], ct))?.DisplayName is { Length: > 0 } display ? display : "the learner";
        var actor = new EnrolmentActor(message.UserId, name);
        if (message.Completion != "not-attempted") enrolment.Start(at, actor, now);
        if (!enrolment.IsOpen || await Db.CourseVersions.FindAsync([enrolment.CourseId, enrolment.Version], ct) is not { } version) return;

        var resetAt = await Db.Ledger.Where(l => l.EnrolmentId == enrolment.Id && l.Action == LedgerAction.Reset).MaxAsync(l => (DateTimeOffset?)l.At, ct);
        var satisfied = Db.ActivityResults.Local.Where(r => r.EnrolmentId == enrolment.Id && r.Satisfied && (resetAt == null || r.SatisfiedAt > resetAt))
            .Select(r => r.ActivityId).ToHashSet();
        if (version.CompletedBy(satisfied)) enrolment.Complete(at, actor, "Completed the course's activities", now);
    }
}
