using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Publishes outbox rows of one event type, in order, as one broker message (an <see cref="EventEnvelope{TEvent}"/>).
/// The MassTransit implementation is the only one in production.
/// </summary>
public interface IOutboxPublisher
{
    Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken);
}

/// <summary>
/// Publishes an envelope through MassTransit (with the broker's confirm). Each event keeps its row id as message id and
/// the traceparent of the request that raised it; the envelope's own span continues the first event's trace.
/// </summary>
public sealed class MassTransitOutboxPublisher(IBus bus) : IOutboxPublisher
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Func<IReadOnlyList<OutboxMessage>, object>> Envelopes = new();

    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        var type = OutboxMessageFactory.ResolveType(messages[0].Type) ?? throw new InvalidOperationException($"Unknown integration event type '{messages[0].Type}'.");
        var envelope = Envelopes.GetOrAdd(type, static t => (Func<IReadOnlyList<OutboxMessage>, object>)typeof(MassTransitOutboxPublisher)
            .GetMethod(nameof(Envelope), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(t).CreateDelegate(typeof(Func<IReadOnlyList<OutboxMessage>, object>)))(messages);
        ActivityContext.TryParse(messages[0].TraceParent, messages[0].TraceState, out var parent);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity($"outbox publish {type.Name} x{messages.Count}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.batch.message_count", messages.Count);
        await bus.Publish(envelope, envelope.GetType(), cancellationToken);
    }

    private static object Envelope<TEvent>(IReadOnlyList<OutboxMessage> messages) where TEvent : class, LmsPlatform.Contracts.IIntegrationEvent =>
        new LmsPlatform.Contracts.EventEnvelope<TEvent>([.. messages.Select(m => new LmsPlatform.Contracts.EnvelopedEvent<TEvent>(
            m.Id, (TEvent)OutboxMessageFactory.Deserialize(m), m.TraceParent))]);
}

/// <summary>Wakes the dispatcher as soon as a transaction with outbox rows commits, instead of waiting for the poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { if (_signal.CurrentCount == 0) _signal.Release(); }
        catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Signals the dispatcher after a SaveChanges that wrote outbox rows.</summary>
public sealed class OutboxSignalInterceptor(OutboxSignal signal) : SaveChangesInterceptor
{
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Signal(eventData.Context);
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Signal(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    private void Signal(DbContext? context)
    {
        // Rows saved inside an explicit transaction become visible on commit; the dispatcher's poll covers that case.
        if (context is null || context.Database.CurrentTransaction is not null || !TracksOutboxRows(context)) return;
        signal.Notify();
    }

    /// <summary>
    /// Whether the context holds outbox rows, which a save that wrote some does. Other saves do not wake the dispatcher:
    /// a service recording hundreds of mails a second would otherwise have it look for work after each. Added rows are
    /// tracked from the moment they are added, so the state manager is read without detecting changes.
    /// </summary>
    private static bool TracksOutboxRows(DbContext context)
    {
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try { return tracker.Entries<OutboxMessage>().Any(); }
        finally { tracker.AutoDetectChangesEnabled = detect; }
    }
}

public sealed class OutboxOptions
{
    public int BatchSize { get; set; } = 1000;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>At most this many events of one type travel in one envelope.</summary>
    public int EnvelopeLimit { get; set; } = 100;
    /// <summary>How long published rows are kept (for diagnosis) before they are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Publishes pending outbox rows in batches. One dispatcher per service database is active at a time (a transaction-level
/// advisory lock; the others wait for the next poll), so several replicas never publish concurrently. A batch takes the
/// oldest due rows in id order (time-ordered ids), skipping any row whose aggregate (<see cref="OutboxMessage.OrderingKey"/>)
/// has an older row still waiting to be retried. The batch travels as envelopes: runs of consecutive rows of one event
/// type (at most <see cref="OutboxOptions.EnvelopeLimit"/>), published one after another in id order, each confirmed by
/// the broker, so every aggregate's events arrive in the order they were written; the batch is marked sent with one
/// statement. A failed envelope holds back the rest of the batch, and a row waiting for its retry holds back the later
/// rows of its aggregate in the next batches, so nothing is lost or reordered while the broker is away. Delivery is at least once (a
/// confirm lost on the wire means a second publish), which the consumers' inbox absorbs.
/// </summary>
public sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    IOutboxPublisher publisher,
    OutboxSignal signal,
    OutboxOptions options,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger,
    LoopHeartbeats heartbeats) : BackgroundService
    where TContext : DbContext, IServiceDbContext
{
    /// <summary>The advisory lock of a database's single active dispatcher (advisory locks are per database).</summary>
    private const long DispatcherLock = 0x4C4D_534F_5554_4258; // "LMSOUTBX"

    private DateTimeOffset _nextCleanup;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // While the database is away: one log line per growing pause, not a stack trace per poll.
        var outage = new Outage(logger, "Outbox dispatcher");
        var loop = $"outbox-dispatcher ({typeof(TContext).Name})";
        using var stopped = stoppingToken.Register(() => heartbeats.Stopped(loop));
        while (!stoppingToken.IsCancellationRequested)
        {
            // A turn takes at most a batch (seconds) and a pause (at most 30 s); minutes of silence mean it is wedged.
            heartbeats.Beat(loop, TimeSpan.FromMinutes(3));
            var published = 0;
            try
            {
                published = await DispatchBatchAsync(stoppingToken);
                await CleanupAsync(stoppingToken);
                outage.Recovered();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex))
            {
                try { await outage.PauseAsync(ex, stoppingToken); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox dispatch failed; retrying");
            }
            try
            {
                if (published < options.BatchSize) await signal.WaitAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Claims and publishes one batch; returns how many rows were published.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var leader = await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({DispatcherLock}) AS \"Value\"").SingleAsync(ct);
            if (!leader) return 0;

            var now = time.GetUtcNow();
            var batch = await db.OutboxMessages
                .FromSql($"""
                          SELECT * FROM outbox_messages o
                          WHERE o.sent_at IS NULL AND o.next_attempt_at <= {now}
                            AND (o.ordering_key IS NULL OR NOT EXISTS (
                                SELECT 1 FROM outbox_messages e
                                WHERE e.ordering_key = o.ordering_key AND e.sent_at IS NULL AND e.id < o.id AND e.next_attempt_at > {now}))
                          ORDER BY o.id LIMIT {options.BatchSize} FOR UPDATE SKIP LOCKED
                          """)
                .AsNoTracking().ToListAsync(ct);
            if (batch.Count == 0) return 0;

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.PublishTimeout);
            var (sent, failed) = await PublishInOrderAsync(Envelopes(batch, options.EnvelopeLimit), timeout.Token, ct);

            var sentAt = time.GetUtcNow();
            if (sent.Length > 0)
                await db.Database.ExecuteSqlAsync($"UPDATE outbox_messages SET sent_at = {sentAt} WHERE id = ANY({sent})", ct);
            if (failed.Count > 0)
            {
                // Each failed row's next attempt with its own backoff, all in one statement.
                var ids = failed.Select(f => f.Message.Id).ToArray();
                var attempts = failed.Select(f => f.Message.Attempts + 1).ToArray();
                var next = attempts.Select(a => sentAt + OutboxMessageFactory.Backoff(a, Random.Shared.NextDouble())).ToArray();
                var reasons = failed.Select(f => Truncate(f.Error.GetBaseException().Message, 2000)).ToArray();
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE outbox_messages o SET attempts = f.attempts, next_attempt_at = f.next_at, last_error = f.reason
                    FROM unnest({ids}, {attempts}, {next}, {reasons}) AS f(id, attempts, next_at, reason)
                    WHERE o.id = f.id
                    """, ct);
            }
            await transaction.CommitAsync(ct);

            MessagingTelemetry.Published.Add(sent.Length);
            if (failed.Count > 0)
            {
                MessagingTelemetry.PublishFailures.Add(failed.Count);
                logger.LogWarning("Outbox: {Failed} of {Count} messages not published (broker unavailable?); will retry",
                    failed.Count, batch.Count);
            }
            return sent.Length;
        }, cancellationToken);
    }

    /// <summary>The batch, in id order, cut into runs of one event type of at most <paramref name="limit"/> rows.</summary>
    public static IEnumerable<IReadOnlyList<OutboxMessage>> Envelopes(IReadOnlyList<OutboxMessage> batch, int limit)
    {
        var run = new List<OutboxMessage>();
        foreach (var message in batch.OrderBy(m => m.Id))
        {
            if (run.Count > 0 && (run.Count == limit || run[0].Type != message.Type))
            {
                yield return run;
                run = [];
            }
            run.Add(message);
        }
        if (run.Count > 0) yield return run;
    }

    /// <summary>Publishes the envelopes one after another; after the first failure the rest are held back.</summary>
    private async Task<(Guid[] Sent, List<(OutboxMessage Message, Exception Error)> Failed)> PublishInOrderAsync(
        IEnumerable<IReadOnlyList<OutboxMessage>> envelopes, CancellationToken timeout, CancellationToken stopping)
    {
        var sent = new List<Guid>();
        var failed = new List<(OutboxMessage, Exception)>();
        Exception? blocked = null;
        foreach (var envelope in envelopes)
        {
            if (blocked is null)
            {
                try
                {
                    await publisher.PublishAsync(envelope, timeout);
                    sent.AddRange(envelope.Select(m => m.Id));
                    continue;
                }
                catch (Exception ex) when (!stopping.IsCancellationRequested)
                {
                    blocked = ex;
                    failed.AddRange(envelope.Select(m => (m, ex)));
                    continue;
                }
            }
            var held = new InvalidOperationException($"held back behind an earlier envelope that failed: {blocked.GetBaseException().Message}");
            failed.AddRange(envelope.Select(m => (m, (Exception)held)));
        }
        return ([.. sent], failed);
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < _nextCleanup) return;
        _nextCleanup = now.AddMinutes(10);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var cutoff = now - options.Retention;
        await db.OutboxMessages.Where(m => m.SentAt != null && m.SentAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
