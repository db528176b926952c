using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>Publishes one outbox row to the broker. The MassTransit implementation is the only one in production.</summary>
public interface IOutboxPublisher
{
    Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken);
}

/// <summary>Publishes through MassTransit with the row's id as message id, continuing the trace that raised the event.</summary>
public sealed class MassTransitOutboxPublisher(IBus bus) : IOutboxPublisher
{
    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        var payload = OutboxMessageFactory.Deserialize(message);
        ActivityContext.TryParse(message.TraceParent, message.TraceState, out var parent);
        using var activity = MessagingTelemetry.ActivitySource.StartActivity(
            $"outbox publish {payload.GetType().Name}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", message.Id);
        await bus.Publish(payload, payload.GetType(), context => context.MessageId = message.Id, cancellationToken);
    }
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
        if (context?.Database.CurrentTransaction is null) signal.Notify();
    }
}

public sealed class OutboxOptions
{
    public int BatchSize { get; set; } = 1000;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long published rows are kept (for diagnosis) before they are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Publishes pending outbox rows in batches. One dispatcher per service database is active at a time (a transaction-level
/// advisory lock; the others wait for the next poll), so several replicas never publish concurrently. A batch takes the
/// oldest due rows in id order (time-ordered ids), skipping any row whose aggregate (<see cref="OutboxMessage.OrderingKey"/>)
/// has an older row still waiting to be retried; it publishes the rows of each aggregate one after another and the
/// aggregates concurrently (MassTransit waits for each broker confirm, so many confirms are in flight at once), and
/// marks the batch sent with one statement. A row that fails to publish holds back the later rows of its aggregate and
/// is retried with backoff, so nothing is lost or reordered while the broker is away. Delivery is at least once (a
/// confirm lost on the wire means a second publish), which the consumers' inbox absorbs.
/// </summary>
public sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopes,
    IOutboxPublisher publisher,
    OutboxSignal signal,
    OutboxOptions options,
    TimeProvider time,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService
    where TContext : DbContext, IServiceDbContext
{
    /// <summary>The advisory lock of a database's single active dispatcher (advisory locks are per database).</summary>
    private const long DispatcherLock = 0x4C4D_534F_5554_4258; // "LMSOUTBX"

    private DateTimeOffset _nextCleanup;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var published = 0;
            try
            {
                published = await DispatchBatchAsync(stoppingToken);
                await CleanupAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
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
            var outcomes = await Task.WhenAll(OrderedGroups(batch).Select(group => PublishInOrderAsync(group, timeout.Token, ct)));
            var sent = outcomes.SelectMany(o => o.Sent).ToArray();
            var failed = outcomes.Where(o => o.Failed.Count > 0).SelectMany(o => o.Failed).ToList();

            var sentAt = time.GetUtcNow();
            if (sent.Length > 0)
                await db.Database.ExecuteSqlAsync($"UPDATE outbox_messages SET sent_at = {sentAt} WHERE id = ANY({sent})", ct);
            foreach (var (message, error) in failed)
            {
                var attempts = message.Attempts + 1;
                var next = sentAt + OutboxMessageFactory.Backoff(attempts, Random.Shared.NextDouble());
                var reason = Truncate(error.GetBaseException().Message, 2000);
                await db.Database.ExecuteSqlAsync(
                    $"UPDATE outbox_messages SET attempts = {attempts}, next_attempt_at = {next}, last_error = {reason} WHERE id = {message.Id}", ct);
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

    /// <summary>The batch split by aggregate, each group in id order; rows without a key are groups of their own.</summary>
    private static IEnumerable<IReadOnlyList<OutboxMessage>> OrderedGroups(IReadOnlyList<OutboxMessage> batch) =>
        batch.GroupBy(m => m.OrderingKey ?? m.Id).Select(g => (IReadOnlyList<OutboxMessage>)g.OrderBy(m => m.Id).ToList());

    /// <summary>Publishes one aggregate's rows one after another; after the first failure the rest are held back.</summary>
    private async Task<(List<Guid> Sent, List<(OutboxMessage Message, Exception Error)> Failed)> PublishInOrderAsync(
        IReadOnlyList<OutboxMessage> group, CancellationToken timeout, CancellationToken stopping)
    {
        var sent = new List<Guid>(group.Count);
        var failed = new List<(OutboxMessage, Exception)>();
        Exception? blocked = null;
        foreach (var message in group)
        {
            if (blocked is not null)
            {
                failed.Add((message, new InvalidOperationException($"held back behind an earlier event of the same aggregate: {blocked.GetBaseException().Message}")));
                continue;
            }
            try
            {
                await publisher.PublishAsync(message, timeout);
                sent.Add(message.Id);
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                blocked = ex;
                failed.Add((message, ex));
            }
        }
        return (sent, failed);
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
