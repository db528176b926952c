using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Enrolment.Application;

public sealed class FollowUpOptions
{
    /// <summary>How often the clock is read for due dates, recertification windows and expiries, and completions are followed up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public int Batch { get; set; } = 1000;
    /// <summary>How many ledger entries and membership changes a round announces.</summary>
    public int AnnounceBatch { get; set; } = 5000;
}

/// <summary>An announcement claimed from <c>announcements_pending</c>.</summary>
public sealed record ClaimedAnnouncement(long Id, string Source, Guid[] RowIds);

/// <summary>A completion to follow up, as claimed from <c>completion_pending</c>.</summary>
public sealed record ClaimedCompletion(Guid EnrolmentId, int Sequence);

/// <summary>
/// What follows a change and what the clock brings, in one transaction per round (one round at a time across
/// replicas): ledger entries and membership changes are announced (the relay); each completion gets its certificate and earns or renews the certifications it counts for; windows that
/// have opened assign the renewal (the refresher, or the course again, due at the expiry); certifications unrenewed at
/// their expiry expire (and the completion's ledger records it); open enrolments whose due date has passed are
/// announced as overdue, once per due date. The overdue status itself is never stored: it is read from the clock.
/// </summary>
public sealed class FollowUps(EnrolmentDbContext db, Assignments assignments, PathAssignments paths, TimeProvider time, IOptions<FollowUpOptions> options)
{
    private const long RoundLock = 0x4C4D53464F4C; // "LMSFOL"

    /// <summary>One round; how much it did (so the worker goes again at once while there is more).</summary>
    public Task<int> RunOnceAsync(CancellationToken ct) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({RoundLock})", ct);
        var now = time.GetUtcNow();
        var done = await AnnounceAsync(ct);
        done += await FollowUpCompletionsAsync(now, ct);
        done += await OpenWindowsAsync(now, ct);
        done += await ExpireAsync(now, ct);
        done += await AnnounceOverdueAsync(now, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return done;
    });

    private int Batch => options.Value.Batch;

    /// <summary>
    /// The relay: ledger entries and membership changes written since the last round become integration events in the
    /// outbox, in the order they were written (per enrolment by its entry number), in this round's transaction.
    /// </summary>
    private async Task<int> AnnounceAsync(CancellationToken ct)
    {
        // Rows in order until about a batch of ids (at least one row, however large).
        var claimed = await db.Database.SqlQuery<ClaimedAnnouncement>($"""
            DELETE FROM announcements_pending WHERE "Id" IN (
                SELECT "Id" FROM (SELECT "Id", sum(cardinality("RowIds")) OVER (ORDER BY "Id") AS running FROM announcements_pending) r
                WHERE running <= {options.Value.AnnounceBatch} OR "Id" = (SELECT min("Id") FROM announcements_pending))
            RETURNING "Id", "Source", "RowIds"
            """).ToListAsync(ct);
        if (claimed.Count == 0) return 0;
        var ledgerIds = claimed.Where(c => c.Source == nameof(AnnouncementSource.Ledger)).SelectMany(c => c.RowIds).ToList();
        var membershipIds = claimed.Where(c => c.Source == nameof(AnnouncementSource.Membership)).SelectMany(c => c.RowIds).ToList();
        var entries = ledgerIds.Count == 0 ? [] : await db.Ledger.AsNoTracking().Where(l => ledgerIds.Contains(l.Id)).ToDictionaryAsync(l => l.Id, ct);
        var changes = membershipIds.Count == 0 ? [] : await db.MembershipChanges.AsNoTracking().Where(m => membershipIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        var now = time.GetUtcNow();
        var outbox = new List<object>(claimed.Count);
        foreach (var announcement in claimed.OrderBy(c => c.Id))
            foreach (var rowId in announcement.RowIds)
            {
                Contracts.IIntegrationEvent? announced = announcement.Source == nameof(AnnouncementSource.Ledger)
                    ? entries.GetValueOrDefault(rowId)?.ToIntegrationEvent()
                    : changes.GetValueOrDefault(rowId)?.ToIntegrationEvent();
                if (announced is not null) outbox.Add(OutboxMessageFactory.Create(announced, now));
            }
        await ServiceDefaults.Data.BulkSave.SaveChangesAsync(db, now, outbox, ct);
        return claimed.Sum(c => c.RowIds.Length);
    }

    private async Task<int> FollowUpCompletionsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var claimed = await db.Database.SqlQuery<ClaimedCompletion>($"""
            DELETE FROM completion_pending WHERE "Id" IN (SELECT "Id" FROM completion_pending ORDER BY "Id" LIMIT {Batch})
            RETURNING "EnrolmentId", "Sequence"
            """).ToListAsync(ct);
        if (claimed.Count == 0) return 0;
        var enrolmentIds = claimed.Select(c => c.EnrolmentId).Distinct().ToList();
        var wanted = claimed.ToHashSet();
        var finished = (await db.Ledger.AsNoTracking()
                .Where(l => enrolmentIds.Contains(l.EnrolmentId) && (l.Action == LedgerAction.Completed || l.Action == LedgerAction.Waived)).ToListAsync(ct))
            .Where(l => wanted.Contains(new ClaimedCompletion(l.EnrolmentId, l.Sequence))).OrderBy(l => l.RecordedAt).ThenBy(l => l.Sequence).ToList();
        // A waiver completes a path's course; only a completion earns a certificate and a certification.
        await paths.FollowUpAsync([.. finished.Select(f => f.UserId).Distinct()], ct);
        var completions = finished.Where(f => f.Action == LedgerAction.Completed).ToList();
        var userIds = completions.Select(c => c.UserId).Distinct().ToList();
        var learners = await db.Learners.AsNoTracking().Where(l => userIds.Contains(l.UserId)).ToDictionaryAsync(l => l.UserId, ct);
        var certifications = await db.Certifications.Where(c => userIds.Contains(c.UserId)).ToListAsync(ct);
        var courseIds = completions.Select(c => c.CourseId).Concat(certifications.Select(c => c.CourseId)).Distinct().ToList();
        var courses = await db.Courses.AsNoTracking().Where(c => courseIds.Contains(c.CourseId)).ToDictionaryAsync(c => c.CourseId, ct);
        var issued = (await db.Certificates.AsNoTracking().Where(c => enrolmentIds.Contains(c.EnrolmentId)).Select(c => new { c.EnrolmentId, c.CompletedAt })
            .ToListAsync(ct)).Select(c => (c.EnrolmentId, c.CompletedAt)).ToHashSet();

        foreach (var completion in completions)
        {
            if (!courses.TryGetValue(completion.CourseId, out var course) || !learners.TryGetValue(completion.UserId, out var learner)) continue;
            // The course's own certification, earned or renewed; then any other the course renews (as their refresher).
            Certification? earned = null;
            if (CertificationTerms.Of(course) is { } terms)
            {
                earned = certifications.FirstOrDefault(c => c.UserId == completion.UserId && c.CourseId == completion.CourseId);
                if (earned is null)
                {
                    earned = Certification.Earn(completion.UserId, completion.CourseId, completion.EnrolmentId, completion.At, terms, now);
                    certifications.Add(earned);
                    db.Certifications.Add(earned);
                }
                else await RenewAsync(earned, completion, course, terms, now, ct);
            }
            foreach (var renewed in certifications.Where(c => c.UserId == completion.UserId && c.CourseId != completion.CourseId && c.RenewedBy(completion.CourseId)))
                if (courses.TryGetValue(renewed.CourseId, out var certifying) && CertificationTerms.Of(certifying) is { } renewedTerms
                    && await RenewAsync(renewed, completion, course, renewedTerms, now, ct))
                    earned ??= renewed;
            if (issued.Add((completion.EnrolmentId, completion.At)) && !learner.Erased)
                db.Certificates.Add(Certificate.Issue(completion, learner, course, earned, now));
        }
        return claimed.Count;
    }

    /// <summary>
    /// Renews <paramref name="certification"/> by <paramref name="completion"/>. When the window had assigned a different
    /// renewal (the refresher, while the person took the course again), that assignment is no longer needed: one the
    /// window created is withdrawn; one the person already had loses the due date the window gave it. Otherwise it
    /// would fall overdue and escalate to their manager although they are certified.
    /// </summary>
    private async Task<bool> RenewAsync(Certification certification, LedgerEntry completion, CourseCopy course, CertificationTerms terms, DateTimeOffset now, CancellationToken ct)
    {
        var (renewalId, expires) = (certification.RenewalEnrolmentId, certification.ExpiresAt);
        if (!certification.Renew(completion.EnrolmentId, completion.At, terms, now)) return false;
        if (renewalId is not { } id || id == completion.EnrolmentId || await EnrolmentAsync(e => e.Id == id, ct) is not { IsOpen: true } renewal) return true;
        var reason = $"Not needed any more: the certification was renewed by completing {course.Code}";
        if (renewal.SourceKind == EnrolmentSourceKind.Recertification && renewal.SourceReference == certification.Id.ToString())
            renewal.Withdraw(EnrolmentActor.Platform, reason, now);
        else if (renewal.DueAt == expires)
            renewal.ChangeDueDate(null, EnrolmentActor.Platform, reason, now);
        return true;
    }

    private async Task<int> OpenWindowsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var due = await db.Certifications.Where(c => c.Status == CertificationStatus.Certified && c.WindowOpensAt <= now)
            .OrderBy(c => c.WindowOpensAt).Take(Batch).ToListAsync(ct);
        foreach (var certification in due) await OpenWindowAsync(certification, now, ct);
        return due.Count;
    }

    /// <summary>
    /// Assigns the renewal, due at the expiry: the refresher when the course names one that takes enrolments, else the
    /// course again. A finished enrolment on it starts again (its completion stays in the ledger); an open one is due
    /// by the expiry at the latest; a suspended or withdrawn one is left as an administrator left it.
    /// </summary>
    private async Task OpenWindowAsync(Certification certification, DateTimeOffset now, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == certification.CourseId, ct);
        var refresher = course?.RefresherCourseId is { } refresherId ? await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == refresherId, ct) : null;
        var renewal = refresher is { IsOpen: true } ? refresher : course;
        var expires = certification.ExpiresAt;
        var reason = $"Recertification: renew {course?.Title ?? "the certification"} by {expires:yyyy-MM-dd}";
        if (renewal is not { IsOpen: true })
        {
            certification.OpenWindow(certification.CourseId, null, "Not assigned: the course takes no new enrolments", now);
            return;
        }
        var enrolment = await EnrolmentAsync(e => e.UserId == certification.UserId && e.CourseId == renewal.CourseId, ct);
        string detail;
        if (enrolment is null)
        {
            var outcome = (await assignments.AddAsync([certification.UserId], renewal.CourseId, expires,
                new EnrolmentSource(EnrolmentSourceKind.Recertification, certification.Id.ToString(), reason), EnrolmentActor.Platform, ct)).Single();
            detail = outcome.EnrolmentId is null ? $"Not assigned {renewal.Code}: the person {outcome.Reason}" : $"Assigned {renewal.Code}, due {expires:yyyy-MM-dd}";
            certification.OpenWindow(renewal.CourseId, outcome.EnrolmentId, detail, now);
            return;
        }
        switch (enrolment.Status)
        {
            case EnrolmentStatus.Completed or EnrolmentStatus.Waived:
                enrolment.Reset(EnrolmentActor.Platform, reason, now);
                enrolment.ChangeDueDate(expires, EnrolmentActor.Platform, reason, now);
                detail = $"{renewal.Code} to be taken again, due {expires:yyyy-MM-dd}";
                break;
            case EnrolmentStatus.Enrolled or EnrolmentStatus.InProgress:
                if (enrolment.DueAt is null || enrolment.DueAt > expires) enrolment.ChangeDueDate(expires, EnrolmentActor.Platform, reason, now);
                detail = $"{renewal.Code} under way, due {enrolment.DueAt:yyyy-MM-dd}";
                break;
            default:
                detail = $"Not assigned {renewal.Code}: the enrolment is {CourseEnrolment.Describe(enrolment.Status)}";
                break;
        }
        certification.OpenWindow(renewal.CourseId, enrolment.Id, detail, now);
    }

    /// <summary>The enrolment, tracked: saved already, or added earlier in this round (a renewal assigned a moment ago).</summary>
    private async Task<CourseEnrolment?> EnrolmentAsync(System.Linq.Expressions.Expression<Func<CourseEnrolment, bool>> which, CancellationToken ct) =>
        await db.Enrolments.FirstOrDefaultAsync(which, ct) ?? db.Enrolments.Local.FirstOrDefault(which.Compile());

    private async Task<int> ExpireAsync(DateTimeOffset now, CancellationToken ct)
    {
        var due = await db.Certifications.Where(c => c.Status != CertificationStatus.Expired && c.ExpiresAt <= now)
            .OrderBy(c => c.ExpiresAt).Take(Batch).ToListAsync(ct);
        foreach (var certification in due)
        {
            // A window the clock skipped (no window days, or the service was down) opens first: the renewal is assigned either way.
            if (certification.Status == CertificationStatus.Certified) await OpenWindowAsync(certification, now, ct);
            certification.Expire(now);
            var earnedBy = await EnrolmentAsync(e => e.Id == certification.EnrolmentId, ct);
            earnedBy?.RecordExpiry(EnrolmentActor.Platform, $"The certification this completion earned (cycle {certification.Cycle}) expired",
                certification.ExpiresAt, now);
        }
        return due.Count;
    }

    /// <summary>Open enrolments whose due date has passed, announced once per due date (an extension that passes is announced again).</summary>
    private async Task<int> AnnounceOverdueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var announced = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO overdue_notices ("EnrolmentId", "DueAt", "AnnouncedAt")
            SELECT e."Id", e."DueAt", {now} FROM enrolments e
            WHERE e."Status" IN ('Enrolled', 'InProgress') AND e."DueAt" IS NOT NULL AND e."DueAt" <= {now}
              AND NOT EXISTS (SELECT 1 FROM overdue_notices n WHERE n."EnrolmentId" = e."Id" AND n."DueAt" = e."DueAt")
            ORDER BY e."DueAt" LIMIT {Batch}
            ON CONFLICT DO NOTHING
            RETURNING "EnrolmentId" AS "Value"
            """).ToListAsync(ct);
        if (announced.Count == 0) return 0;
        foreach (var e in await db.Enrolments.AsNoTracking().Where(e => announced.Contains(e.Id)).ToListAsync(ct))
            db.OutboxMessages.Add(OutboxMessageFactory.Create(new Contracts.Enrolment.BecameOverdue(e.Id, e.UserId, e.CourseId, e.DueAt!.Value, now), now));
        return announced.Count;
    }
}

/// <summary>Runs <see cref="FollowUps"/> round after round: at once while there is work, else every poll interval.</summary>
public sealed class FollowUpWorker(IServiceScopeFactory scopes, IOptions<FollowUpOptions> options, TimeProvider time, ILogger<FollowUpWorker> log)
    : RoundWorker(scopes, time, log)
{
    protected override string Doing => "Following up completions and deadlines";
    protected override TimeSpan PollInterval => options.Value.PollInterval;
    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<FollowUps>().RunOnceAsync(ct);
}
