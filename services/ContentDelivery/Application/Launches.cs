using LmsPlatform.ContentDelivery.Application.Xapi;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Runtime;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>Why a launch was refused: nothing to open (404), or a package the course no longer can use (409).</summary>
public sealed record LaunchRefusal(int Status, string Title, string Detail);

/// <summary>An opened session: the attempt, its package, the activity opened and the token for its URLs.</summary>
public sealed record OpenedLaunch(ScormAttempt Attempt, ContentPackage Package, ScoState Sco, PackageActivity Activity, string Token, RuntimeGrant Grant);

/// <summary>An opened document or media file: the learner's progress on it, the item and the token for its URLs.</summary>
public sealed record OpenedMedia(MediaProgress Progress, ContentItem Item, string Token, RuntimeGrant Grant);

/// <summary>
/// Opens a package activity for a learner: only through an enrolment of theirs (not withdrawn) on a course version whose
/// activity uses the package. Resumes the latest attempt; starts one on the first launch or, once the latest is
/// finished, when the learner asks for a new one; otherwise a finished attempt opens for review. Every commit for the
/// session goes through <see cref="CommitAsync"/>.
/// </summary>
public sealed class Launches(ContentDbContext db, RuntimeTokens tokens, Xapi.Cmi5Launches cmi5, TimeProvider time)
{
    /// <summary>
    /// Two launches of one activity at once (a double click, two tabs) both start the same first attempt, or both
    /// resume it: the one that loses the race on the attempt's unique number or its row version opens again, and
    /// finds what the other made.
    /// </summary>
    public async Task<(OpenedLaunch? Launch, OpenedMedia? Media, LaunchRefusal? Refusal, OpenedCmi5? Cmi5, ContentItem? Link)> OpenAsync(Guid userId, Guid enrolmentId, Guid activityId,
        string? itemId, bool newAttempt, CancellationToken ct, string learnerName = "")
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await OpenOnceAsync(userId, enrolmentId, activityId, itemId, newAttempt, learnerName, ct);
            }
            catch (DbUpdateException e) when (tries < 4 && (e is DbUpdateConcurrencyException || e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation }))
            {
                db.ChangeTracker.Clear();
                newAttempt = false; // the other launch started the new attempt this one asked for
            }
        }
    }

    private async Task<(OpenedLaunch? Launch, OpenedMedia? Media, LaunchRefusal? Refusal, OpenedCmi5? Cmi5, ContentItem? Link)> OpenOnceAsync(Guid userId, Guid enrolmentId,
        Guid activityId, string? itemId, bool newAttempt, string learnerName, CancellationToken ct)
    {
        var enrolment = await db.Enrolments.AsNoTracking().FirstOrDefaultAsync(e => e.EnrolmentId == enrolmentId && e.UserId == userId, ct);
        if (enrolment is null || enrolment.Withdrawn)
            return (null, null, new(404, "No such enrolment", "You have no enrolment with this id, or it was withdrawn."), null, null);
        var activity = await db.CourseActivities.AsNoTracking().FirstOrDefaultAsync(a =>
            a.CourseId == enrolment.CourseId && a.Version == enrolment.Version && a.ActivityId == activityId, ct);
        if (activity?.ContentItemId is not { } contentItemId)
            return (null, null, new(404, "No such activity", "The course version you are enrolled on has no content activity with this id."), null, null);
        var item = await db.ContentItems.AsNoTracking().FirstOrDefaultAsync(i => i.Id == contentItemId, ct);
        if (item is { IsUploadedFile: true }) return (null, await OpenMediaAsync(enrolment, activityId, item, ct), null, null, null);
        // A link or an outside tool (an xAPI activity reports through the LRS): the learner is sent to it.
        if (item is { Url: { Length: > 0 }, PackageId: null }) return (null, null, null, null, item);
        var package = item?.PackageId is { } packageId ? await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == packageId, ct) : null;
        if (package is null)
            return (null, null, new(409, "Nothing to play", "The activity's content is not a package or file that can be opened here."), null, null);

        if (package.Standard == ScormVersion.Cmi5)
            return (null, null, null, await cmi5.OpenAsync(enrolment, activityId, package, itemId, newAttempt, learnerName, ct), null);

        var now = time.GetUtcNow();
        var attempt = await db.Attempts.Where(a => a.EnrolmentId == enrolmentId && a.ActivityId == activityId)
            .OrderByDescending(a => a.Number).FirstOrDefaultAsync(ct);
        if (attempt is null || (newAttempt && attempt.Finished) || enrolment.StartedBeforeReset(attempt.StartedAt))
        {
            attempt = ScormAttempt.Start(enrolmentId, userId, enrolment.CourseId, activityId, contentItemId, package, (attempt?.Number ?? 0) + 1, now);
            db.Attempts.Add(attempt);
        }
        var opened = itemId ?? attempt.DefaultItem(package);
        var sco = attempt.Launch(package, opened, now);
        await db.SaveChangesAsync(ct);
        var token = tokens.Issue(attempt.Id, package.Id, review: attempt.Finished, now);
        return (new OpenedLaunch(attempt, package, sco, package.Activities.First(a => a.ItemId == opened), token, tokens.Read(token, now)!), null, null, null, null);
    }

    private async Task<OpenedMedia> OpenMediaAsync(EnrolmentCopy enrolment, Guid activityId, ContentItem item, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var progress = await db.MediaProgress.FirstOrDefaultAsync(p => p.EnrolmentId == enrolment.EnrolmentId && p.ActivityId == activityId, ct);
        if (progress is null)
        {
            progress = MediaProgress.Start(enrolment.EnrolmentId, enrolment.UserId, enrolment.CourseId, activityId, item.Id, item.Kind == ContentKind.Video, now);
            db.MediaProgress.Add(progress);
        }
        else if (enrolment.StartedBeforeReset(progress.StartedAt)) progress.Restart(now);
        progress.Open(now);
        await db.SaveChangesAsync(ct);
        var token = tokens.Issue(progress.Id, item.Id, review: false, now, file: true);
        return new OpenedMedia(progress, item, token, tokens.Read(token, now)!);
    }

    /// <summary>
    /// The grant a player's token carries, if it holds now (<see cref="RuntimeGrant.HoldsAt"/>): the one check every
    /// runtime request (a package's file, a commit, a media report) goes through. Only an expired token costs a read.
    /// </summary>
    public async Task<RuntimeGrant?> GrantAsync(string token, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (tokens.ReadSigned(token) is not { } grant) return null;
        if (grant.HoldsAt(now, null)) return grant;
        var lastUsed = grant.IsFile
            ? await db.MediaProgress.AsNoTracking().Where(p => p.Id == grant.AttemptId).Select(p => (DateTimeOffset?)p.UpdatedAt).FirstOrDefaultAsync(ct)
            : await db.Attempts.AsNoTracking().Where(a => a.Id == grant.AttemptId).Select(a => (DateTimeOffset?)a.UpdatedAt).FirstOrDefaultAsync(ct);
        return grant.HoldsAt(now, lastUsed) ? grant : null;
    }

    /// <summary>What a media player reports, for the progress its grant names (concurrent reports are applied one after the other).</summary>
    public Task RecordMediaAsync(RuntimeGrant grant, double position, double? duration, IReadOnlyList<WatchedSpan> played, CancellationToken ct) =>
        ChangeAsync(async () =>
        {
            var progress = await db.MediaProgress.FirstOrDefaultAsync(p => p.Id == grant.AttemptId, ct)
                ?? throw new LmsPlatform.ServiceDefaults.Domain.DomainRuleException("progress", "The progress no longer exists.");
            progress.Record(position, duration, played, time.GetUtcNow());
        }, ct);

    /// <summary>
    /// Records a commit for the attempt the grant names. Two commits of one attempt at once (an autocommit and the
    /// final one) are applied one after the other: the row's version is checked and a loser reads again.
    /// </summary>
    public Task CommitAsync(RuntimeGrant grant, string itemId, IReadOnlyDictionary<string, string> cmi, long? sequence, bool final, CancellationToken ct) =>
        grant.Review ? Task.CompletedTask : ChangeAsync(async () =>
        {
            var attempt = await db.Attempts.FirstOrDefaultAsync(a => a.Id == grant.AttemptId, ct)
                ?? throw new LmsPlatform.ServiceDefaults.Domain.DomainRuleException("attempt", "The attempt no longer exists.");
            var package = await db.Packages.AsNoTracking().FirstAsync(p => p.Id == attempt.PackageId, ct);
            attempt.Commit(package, itemId, cmi, sequence, time.GetUtcNow(), final);
        }, ct);

    /// <summary>
    /// Reads, changes and saves; when another request changed the same row first (its xmin moved), reads again and
    /// applies the change to what is there now, up to five times.
    /// </summary>
    private async Task ChangeAsync(Func<Task> change, CancellationToken ct)
    {
        for (var tries = 1; ; tries++)
        {
            db.ChangeTracker.Clear();
            await change();
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateConcurrencyException) when (tries < 5) { }
        }
    }
}
