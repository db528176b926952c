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
    public int BatchSize { get; set; } = 200;
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>How long published rows are kept (for diagnosis) before they are deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>
/// Publishes pending outbox rows. Each batch is claimed with <c>FOR UPDATE SKIP LOCKED</c> inside a transaction, so
/// several replicas share the work without publishing a row twice; a row that fails to publish is retried later with
/// backoff, so nothing is lost while the broker is down. Delivery is at least once (a confirm lost on the wire means a
/// second publish), which the consumers' inbox absorbs.
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
            var now = time.GetUtcNow();
            var batch = await db.OutboxMessages
                .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL AND next_attempt_at <= {now} ORDER BY id LIMIT {options.BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(ct);
            if (batch.Count == 0) return 0;

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.PublishTimeout);
            var results = await Task.WhenAll(batch.Select(async message =>
            {
                try
                {
                    await publisher.PublishAsync(message, timeout.Token);
                    return (message, error: (Exception?)null);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    return (message, error: ex);
                }
            }));

            var published = 0;
            var sentAt = time.GetUtcNow();
            foreach (var (message, error) in results)
            {
                if (error is null)
                {
                    message.SentAt = sentAt;
                    published++;
                }
                else
                {
                    message.Attempts++;
                    message.NextAttemptAt = sentAt + OutboxMessageFactory.Backoff(message.Attempts, Random.Shared.NextDouble());
                    message.LastError = Truncate(error.GetBaseException().Message, 2000);
                }
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);

            MessagingTelemetry.Published.Add(published);
            if (published < batch.Count)
            {
                MessagingTelemetry.PublishFailures.Add(batch.Count - published);
                logger.LogWarning("Outbox: {Failed} of {Count} messages not published (broker unavailable?); will retry",
                    batch.Count - published, batch.Count);
            }
            return published;
        }, cancellationToken);
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
