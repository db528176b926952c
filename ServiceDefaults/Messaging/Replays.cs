using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Analytics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Where a position in a source's records is: the key of the last record sent, an id and a number (an enrolment and
/// its entry's sequence; an id alone with 0). Records are read in this order.
/// </summary>
public readonly record struct ReplayPosition(Guid Id, long Number);

/// <summary>
/// One source's part of a replay a read model asked for (<see cref="ReplayRequested"/>): where it has got to, so that a
/// restart carries on after the last page committed.
/// </summary>
public sealed class Replay
{
    public Guid Id { get; set; }
    public string Source { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    public Guid AfterId { get; set; }
    public long AfterNumber { get; set; }
    public int Pages { get; set; }
    public long Sent { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

public sealed class ReplayOptions
{
    /// <summary>
    /// Records per page. The outbox puts up to 100 pages in one broker message: 100 keeps the largest records (a person
    /// with their profile, about 500 bytes) near 5 MB, well under the broker's 16 MB limit.
    /// </summary>
    public int PageSize { get; set; } = 100;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>The records of one kind a service sends again: its name (one of <see cref="ReplaySources"/>) and how to read a page.</summary>
public interface IReplaySource<in TContext>
{
    string Name { get; }

    /// <summary>
    /// Reads up to <paramref name="size"/> records after <paramref name="after"/>, in position order, and makes the page
    /// event of those it sends (a source may leave some out); the position of the last record read, and how many were read.
    /// </summary>
    Task<ReplayRead> ReadAsync(TContext db, ReplayPosition after, int size, ReplayPageHeader header, CancellationToken ct);
}

/// <summary>What a page says of itself besides its records: its replay, its number, and when it was sent.</summary>
public sealed record ReplayPageHeader(Guid ReplayId, int Page, DateTimeOffset At);

/// <summary>
/// A page read: the rows read, where the next page starts, the records sent, and the page event, made once it is known
/// whether the page is the last and the total sent with it.
/// </summary>
public sealed record ReplayRead(int Read, ReplayPosition? LastPosition, int Records, Func<bool, long, IReplayPage> Event);

/// <summary>
/// A typed source: reads (position, record) pairs, and wraps the records it sends in the page event
/// (<paramref name="page"/>'s <c>Total</c> counts them).
/// </summary>
public abstract class ReplaySource<TContext, TRecord> : IReplaySource<TContext>
{
    public abstract string Name { get; }

    /// <summary>Up to <paramref name="size"/> rows after <paramref name="after"/>, each with its record, or null for a row not sent.</summary>
    protected abstract Task<IReadOnlyList<(ReplayPosition At, TRecord? Record)>> ReadRowsAsync(TContext db, ReplayPosition after, int size, CancellationToken ct);

    protected abstract IReplayPage Page(ReplayPageHeader header, IReadOnlyList<TRecord> records, bool last, long total);

    public async Task<ReplayRead> ReadAsync(TContext db, ReplayPosition after, int size, ReplayPageHeader header, CancellationToken ct)
    {
        var rows = await ReadRowsAsync(db, after, size, ct);
        var records = rows.Where(r => r.Record is not null).Select(r => r.Record!).ToList();
        return new(rows.Count, rows.Count > 0 ? rows[^1].At : null, records.Count, (last, total) => Page(header, records, last, total));
    }
}

/// <summary>
/// Sends the replays a service was asked for, a page per transaction: the page goes into the outbox with the replay's
/// new position, so a page is sent once and a crash resumes after the last page committed. One source's replay at a
/// time per replica (<c>FOR UPDATE SKIP LOCKED</c>); replicas share the work.
/// </summary>
public sealed class Replays<TContext>(TContext db, IEnumerable<IReplaySource<TContext>> sources, TimeProvider time, IOptions<ReplayOptions> options)
    where TContext : DbContext, IServiceDbContext
{
    /// <summary>Sends the next page of one unfinished replay; the number of rows read (0: nothing to do).</summary>
    public Task<int> RunOnceAsync(CancellationToken ct) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var replay = await db.Set<Replay>().FromSql($"""
            SELECT * FROM replays WHERE completed_at IS NULL ORDER BY requested_at, source LIMIT 1 FOR UPDATE SKIP LOCKED
            """).FirstOrDefaultAsync(ct);
        if (replay is null) return 0;

        var now = time.GetUtcNow();
        var size = options.Value.PageSize;
        var source = sources.FirstOrDefault(s => s.Name == replay.Source)
            ?? throw new InvalidOperationException($"No replay source '{replay.Source}' is registered.");
        var read = await source.ReadAsync(db, new(replay.AfterId, replay.AfterNumber), size, new(replay.Id, replay.Pages + 1, now), ct);
        var last = read.Read < size;
        replay.Pages++;
        replay.Sent += read.Records;
        if (read.LastPosition is { } position) (replay.AfterId, replay.AfterNumber) = (position.Id, position.Number);
        if (last) replay.CompletedAt = now;
        db.OutboxMessages.Add(OutboxMessageFactory.Create(read.Event(last, replay.Sent), now));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Math.Max(1, read.Read);
    });
}

/// <summary>Runs <see cref="Replays{TContext}"/> page after page while a replay is unfinished, else looks every poll interval.</summary>
public sealed class ReplayWorker<TContext>(IServiceScopeFactory scopes, IOptions<ReplayOptions> options, TimeProvider time, ILogger<ReplayWorker<TContext>> log)
    : RoundWorker(scopes, time, log)
    where TContext : DbContext, IServiceDbContext
{
    protected override string Doing => "Replaying records";
    protected override TimeSpan PollInterval => options.Value.PollInterval;
    protected override Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<Replays<TContext>>().RunOnceAsync(ct);
}

/// <summary>
/// A read model asks for records again: one replay per source this service sends is recorded, and
/// <see cref="ReplayWorker{TContext}"/> sends them. A service declares a sealed consumer deriving from it.
/// </summary>
public abstract class ReplayRequestedConsumer<TContext>(TContext db, IEnumerable<IReplaySource<TContext>> sources) : IdempotentConsumer<ReplayRequested, TContext>(db)
    where TContext : DbContext, IServiceDbContext
{
    protected override Task HandleAsync(ReplayRequested message, CancellationToken cancellationToken)
    {
        foreach (var source in sources)
            Db.Set<Replay>().Add(new Replay { Id = message.ReplayId, Source = source.Name, RequestedBy = message.RequestedBy, RequestedAt = message.RequestedAt });
        return Task.CompletedTask;
    }
}

public static class ReplayExtensions
{
    /// <summary>The replays' table, in a service that sends records again.</summary>
    public static ModelBuilder AddReplayTable(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Replay>(e =>
        {
            // Named columns, the same in every service whatever its naming convention (the worker writes them by name).
            e.ToTable("replays");
            e.HasKey(r => new { r.Id, r.Source });
            e.Property(r => r.Id).HasColumnName("id");
            e.Property(r => r.Source).HasColumnName("source").HasMaxLength(40);
            e.Property(r => r.RequestedBy).HasColumnName("requested_by").HasMaxLength(200);
            e.Property(r => r.RequestedAt).HasColumnName("requested_at");
            e.Property(r => r.AfterId).HasColumnName("after_id");
            e.Property(r => r.AfterNumber).HasColumnName("after_number");
            e.Property(r => r.Pages).HasColumnName("pages");
            e.Property(r => r.Sent).HasColumnName("sent");
            e.Property(r => r.CompletedAt).HasColumnName("completed_at");
        });
        return modelBuilder;
    }

    /// <summary>Sends <typeparamref name="TContext"/>'s records again when asked: the sources given, the worker, and its options (section <c>Replays</c>).</summary>
    public static IHostApplicationBuilder AddReplays<TContext>(this IHostApplicationBuilder builder, params Type[] sources)
        where TContext : DbContext, IServiceDbContext
    {
        foreach (var source in sources) builder.Services.AddScoped(typeof(IReplaySource<TContext>), source);
        builder.Services.AddScoped<Replays<TContext>>();
        builder.Services.Configure<ReplayOptions>(builder.Configuration.GetSection("Replays"));
        builder.Services.AddHostedService<ReplayWorker<TContext>>();
        return builder;
    }
}
