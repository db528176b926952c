using LmsPlatform.Contracts.Analytics;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// A replay of the whole ledger that a read model asked for (analytics rebuilding itself): where it has got to (the
/// last entry sent, in enrolment and sequence order), so a restart carries on from there.
/// </summary>
public sealed class LedgerReplay
{
    public Guid Id { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public Guid? AfterEnrolmentId { get; set; }
    public int AfterSequence { get; set; }
    public int Pages { get; set; }
    public long Sent { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public sealed class LedgerReplayOptions
{
    /// <summary>Entries per page. The outbox puts up to 100 pages in one broker message: 250 keeps that near 6 MB.</summary>
    public int PageSize { get; set; } = 250;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Sends the ledger again, a page per transaction: the page's <see cref="LedgerReplayed"/> event goes into the outbox
/// with the replay's new position, so a page is sent once and a crash resumes after the last page committed. Entries
/// keep their numbers, so a read model that already holds some of them skips those.
/// </summary>
public sealed class LedgerReplays(EnrolmentDbContext db, TimeProvider time, IOptions<LedgerReplayOptions> options)
{
    /// <summary>Sends the next page of one unfinished replay; the number of entries sent (0: nothing to do).</summary>
    public Task<int> RunOnceAsync(CancellationToken ct) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var replay = await db.LedgerReplays.FromSql($"""
            SELECT * FROM ledger_replays WHERE "CompletedAt" IS NULL ORDER BY "RequestedAt" LIMIT 1 FOR UPDATE SKIP LOCKED
            """).FirstOrDefaultAsync(ct);
        if (replay is null) return 0;

        var after = replay.AfterEnrolmentId ?? Guid.Empty;
        var size = options.Value.PageSize;
        var page = await db.Ledger.FromSql($"""
            SELECT * FROM ledger WHERE ("EnrolmentId", "Sequence") > ({after}, {replay.AfterSequence}) ORDER BY "EnrolmentId", "Sequence" LIMIT {size}
            """).AsNoTracking().ToListAsync(ct);
        var now = time.GetUtcNow();
        var entries = page.Where(e => e.Action != LedgerAction.Expired).Select(e => new ReplayedLedgerEntry(e.EnrolmentId, e.Sequence, e.UserId, e.CourseId,
            e.Action.ToString(), e.At, e.DueAt, e.Version, e.SourceKind?.ToString())).ToList();
        var last = page.Count < size;
        replay.Pages++;
        replay.Sent += entries.Count;
        if (page.Count > 0) (replay.AfterEnrolmentId, replay.AfterSequence) = (page[^1].EnrolmentId, page[^1].Sequence);
        if (last) replay.CompletedAt = now;
        db.OutboxMessages.Add(OutboxMessageFactory.Create(new LedgerReplayed(replay.Id, replay.Pages, entries, last, replay.Sent, now), now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Math.Max(1, page.Count);
    });
}

/// <summary>Runs <see cref="LedgerReplays"/> page after page while a replay is unfinished, else looks every poll interval.</summary>
public sealed class LedgerReplayWorker(IServiceScopeFactory scopes, IOptions<LedgerReplayOptions> options, TimeProvider time, ILogger<LedgerReplayWorker> log)
    : RoundWorker(scopes, time, log)
{
    protected override string Doing => "Replaying the ledger";
    protected override TimeSpan PollInterval => options.Value.PollInterval;
    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<LedgerReplays>().RunOnceAsync(ct);
}
