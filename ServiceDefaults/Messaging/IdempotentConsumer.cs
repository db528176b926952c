using System.Diagnostics;
using System.Reflection;
using LmsPlatform.Contracts;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The base of every consumer. Messages arrive as the outbox's envelopes (<see cref="EventEnvelope{TEvent}"/>: up to
/// 100 events of one type in one broker message), or single events in batches (MassTransit's <see cref="Batch{T}"/>: up to
/// <see cref="IdempotentConsumerOptions.MessageLimit"/> messages, or what came within
/// <see cref="IdempotentConsumerOptions.TimeLimit"/>), and a batch is applied in one transaction: its inbox rows,
/// keyed by (message id, consumer), are inserted with one statement, and only the messages whose row was new are
/// handled, in queue order, before one SaveChanges and one commit. A redelivered or republished message finds its key
/// and is skipped, so no effect is ever applied twice; a failure rolls the whole batch back, so a retry applies it once.
/// <para>
/// A message that fails on its own (its effect cannot be applied, not the database being away) does not fail the rest:
/// the batch is applied again one message per transaction, the ones that fail alone are moved to the queue's
/// <c>_error</c> queue with the reason, and the others are applied. While the database or the network is away the
/// batch is held, unacknowledged, and tried again after a growing pause for as long as the outage lasts (see
/// <see cref="Outage"/>): nothing reaches <c>_error</c> because a dependency was down.
/// </para>
/// <para>
/// Order: one batch at a time per consumer and instance (<see cref="IdempotentConsumerOptions.ConcurrencyLimit"/> 1),
/// messages handled in the order of the queue, which is the order the outbox published them in (per aggregate, see
/// <see cref="OutboxDispatcher{TContext}"/>). Across replicas of a service a queue's messages are shared, so a handler
/// whose effect depends on the order of one key's events compares versions rather than trusting arrival order.
/// </para>
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db) : IConsumer<Batch<TMessage>>, IConsumer<EventEnvelope<TMessage>>
    where TMessage : class, IIntegrationEvent
    where TContext : DbContext, IServiceDbContext
{
    protected TContext Db { get; } = db;

    /// <summary>
    /// Applies one message's effect to <see cref="Db"/>; the base saves and commits the batch. Messages of the batch
    /// before this one are already applied to the tracked entities (not yet saved), so <c>FindAsync</c> sees them.
    /// </summary>
    protected abstract Task HandleAsync(TMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Runs before the batch's new messages are handled, in the same transaction: for loading in one query what each
    /// <see cref="HandleAsync"/> would otherwise look up alone. The tracked entities were cleared just before.
    /// </summary>
    protected virtual Task BeforeHandlingAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs after every new message of the batch was handled, before the one save, in the same transaction: for an
    /// effect computed from the batch as a whole (a projection rebuilt once per key rather than once per message).
    /// </summary>
    protected virtual Task AfterHandlingAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the effect has committed (not for a duplicate): for work outside the database, such as cache invalidation.</summary>
    protected virtual Task AfterCommitAsync(TMessage message) => Task.CompletedTask;

    /// <summary>Single events (as published directly, or moved back from an error queue), collected into batches.</summary>
    public Task Consume(ConsumeContext<Batch<TMessage>> context) =>
        ConsumeAsync(context, [.. context.Message.Select(m => new Incoming(MessageId(m), m.Message, TraceId(m.Headers.Get<string>("traceparent") ?? m.Headers.Get<string>("MT-Activity-Id"))))]);

    /// <summary>An envelope of events, as the outbox publishes them.</summary>
    public Task Consume(ConsumeContext<EventEnvelope<TMessage>> context) =>
        ConsumeAsync(context, [.. context.Message.Events.Select(e => new Incoming(e.MessageId, e.Event, TraceId(e.TraceParent)))]);

    private async Task ConsumeAsync(ConsumeContext context, IReadOnlyList<Incoming> messages)
    {
        var consumer = GetType().Name;
        IReadOnlyList<Incoming> applied;
        try
        {
            applied = await ApplyThroughOutagesAsync(context, messages, consumer);
        }
        catch (Exception ex) when (messages.Count > 1 && !TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
        {
            applied = await ApplyOneByOneAsync(context, messages, consumer, ex);
        }

        foreach (var message in applied) await AfterCommitAsync(message.Message);
        var tag = new KeyValuePair<string, object?>("consumer", consumer);
        MessagingTelemetry.Consumed.Add(applied.Count, tag);
        if (messages.Count > applied.Count) MessagingTelemetry.Duplicates.Add(messages.Count - applied.Count, tag);
        MessagingTelemetry.BatchSize.Record(messages.Count, tag);
    }

    /// <summary>
    /// <see cref="ApplyAsync"/>, held through an outage of the database or the network for as long as it lasts: the batch
    /// stays unacknowledged (so the consumer takes nothing else meanwhile) and is tried again after a growing pause.
    /// Retries and the <c>_error</c> queue are for messages that are wrong, not for dependencies that are away. Only the
    /// service stopping ends the wait; the broker then delivers the batch again.
    /// </summary>
    private async Task<IReadOnlyList<Incoming>> ApplyThroughOutagesAsync(ConsumeContext context, IReadOnlyList<Incoming> messages, string consumer)
    {
        var outage = new Outage(Logger(context), consumer);
        while (true)
        {
            try
            {
                var applied = await ApplyAsync(messages, consumer, context.CancellationToken);
                outage.Recovered();
                return applied;
            }
            catch (Exception ex) when (TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                await outage.PauseAsync(ex, context.CancellationToken);
            }
        }
    }

    /// <summary>One transaction: the batch's inbox rows, the effects of the new ones, one save. Returns the new ones.</summary>
    private async Task<IReadOnlyList<Incoming>> ApplyAsync(IReadOnlyList<Incoming> messages, string consumer, CancellationToken cancellationToken)
    {
        // A message id twice in one batch (a redelivery racing its original) counts once.
        var distinct = messages.DistinctBy(m => m.MessageId).ToList();
        var strategy = Db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            Db.ChangeTracker.Clear();
            await using var transaction = await Db.Database.BeginTransactionAsync(ct);
            var fresh = await InsertInboxRowsAsync(distinct, consumer, ct);
            var toApply = distinct.Where(m => fresh.Contains(m.MessageId)).ToList();
            if (toApply.Count == 0)
            {
                await transaction.RollbackAsync(ct);
                return toApply;
            }
            await BeforeHandlingAsync([.. toApply.Select(m => m.Message)], ct);
            foreach (var message in toApply) await HandleAsync(message.Message, ct);
            await AfterHandlingAsync([.. toApply.Select(m => m.Message)], ct);
            await Db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return toApply;
        }, cancellationToken);
    }

    private async Task<HashSet<Guid>> InsertInboxRowsAsync(IReadOnlyList<Incoming> messages, string consumer, CancellationToken ct)
    {
        var ids = messages.Select(m => m.MessageId).ToArray();
        var traces = messages.Select(m => m.TraceId).ToArray();
        var inserted = await Db.Database.SqlQuery<Guid>(
            $"""
             INSERT INTO inbox_messages (message_id, consumer, message_type, processed_at, trace_id)
             SELECT m.id, {consumer}, {typeof(TMessage).FullName}, {DateTimeOffset.UtcNow}, m.trace
             FROM unnest({ids}, {traces}) AS m(id, trace)
             ON CONFLICT DO NOTHING
             RETURNING message_id AS "Value"
             """).ToListAsync(ct);
        return [.. inserted];
    }

    /// <summary>
    /// After a batch failed for a reason of its own: each message in a transaction of its own. The ones that still fail
    /// go to the <c>_error</c> queue; if every one fails, the batch as a whole is what is wrong and it is thrown again.
    /// </summary>
    private async Task<IReadOnlyList<Incoming>> ApplyOneByOneAsync(ConsumeContext context, IReadOnlyList<Incoming> messages, string consumer, Exception batchFailure)
    {
        var applied = new List<Incoming>();
        var failed = new List<(Incoming Message, Exception Error)>();
        foreach (var message in messages)
        {
            try
            {
                applied.AddRange(await ApplyThroughOutagesAsync(context, [message], consumer));
            }
            catch (Exception ex) when (!TransientFailures.IsTransient(ex) && !context.CancellationToken.IsCancellationRequested)
            {
                failed.Add((message, ex));
            }
        }
        if (failed.Count == messages.Count) throw batchFailure;

        var logger = Logger(context);
        foreach (var (message, error) in failed)
        {
            logger?.LogError(error, "{Consumer}: message {MessageId} cannot be applied; moved to the error queue, the rest of its batch applied",
                consumer, message.MessageId);
            await MoveToErrorQueueAsync(context, message, error);
        }
        MessagingTelemetry.Poisoned.Add(failed.Count, new KeyValuePair<string, object?>("consumer", consumer));
        return applied;
    }

    /// <summary>
    /// Sends the message, as a single event, to <c>{queue}_error</c> with MassTransit's fault headers, as a faulted
    /// message would be; moved back to the queue it is consumed like any single event.
    /// </summary>
    private static async Task MoveToErrorQueueAsync(ConsumeContext context, Incoming message, Exception error)
    {
        var queue = context.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).Last();
        var endpoint = await context.GetSendEndpoint(new Uri($"queue:{queue}_error"));
        var reason = error.GetBaseException();
        await endpoint.Send(message.Message, send =>
        {
            send.MessageId = message.MessageId;
            send.Headers.Set("MT-Reason", "fault");
            send.Headers.Set("MT-Fault-ExceptionType", reason.GetType().FullName);
            send.Headers.Set("MT-Fault-Message", reason.Message);
            send.Headers.Set("MT-Fault-StackTrace", reason.StackTrace);
            send.Headers.Set("MT-Fault-Timestamp", DateTime.UtcNow.ToString("O"));
            send.Headers.Set("MT-Fault-InputAddress", context.ReceiveContext.InputAddress.ToString());
        }, context.CancellationToken);
    }

    private static ILogger? Logger(ConsumeContext context) =>
        context.TryGetPayload<IServiceProvider>(out var services)
            ? services.GetService(typeof(ILogger<IdempotentConsumer<TMessage, TContext>>)) as ILogger
            : null;

    private static Guid MessageId(ConsumeContext<TMessage> message) =>
        message.MessageId ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id.");

    /// <summary>The W3C trace id a traceparent names (the trace of the request that raised the event), if any.</summary>
    private static string? TraceId(string? traceParent) =>
        traceParent is { Length: >= 55 } && ActivityContext.TryParse(traceParent, null, out var parent)
            ? parent.TraceId.ToString()
            : Activity.Current?.TraceId.ToString();

    private sealed record Incoming(Guid MessageId, TMessage Message, string? TraceId);
}

public static class TransientFailures
{
    /// <summary>The database or the network being away, as opposed to a message's content being wrong.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
            // 57P01-57P03: the server shutting down or starting up, which is an outage too.
            if (ex is NpgsqlException { IsTransient: true } or PostgresException { SqlState: "57P01" or "57P02" or "57P03" }
                or TimeoutException or RetryLimitExceededException or System.Net.Sockets.SocketException
                or RabbitMQ.Client.Exceptions.BrokerUnreachableException)
                return true;
        return false;
    }
}

/// <summary>How consumers take their messages (the same for every consumer of the platform).</summary>
public sealed class IdempotentConsumerOptions
{
    public int MessageLimit { get; set; } = 500;
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(25);
    /// <summary>One batch at a time per consumer and instance, so messages are applied in queue order.</summary>
    public int ConcurrencyLimit { get; set; } = 1;
}

/// <summary>The endpoint and batch settings every <see cref="IdempotentConsumer{TMessage,TContext}"/> is registered with.</summary>
public sealed class IdempotentConsumerDefinition<TConsumer>(IdempotentConsumerOptions options) : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        // Enough unacknowledged messages on the wire for the next batch to fill while this one commits.
        endpointConfigurator.PrefetchCount = Math.Max(endpointConfigurator.PrefetchCount, options.MessageLimit * 2);
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(options.MessageLimit)
            .SetTimeLimit(options.TimeLimit)
            .SetConcurrencyLimit(options.ConcurrencyLimit));
        // Envelopes one at a time too, so events are applied in the order they were published.
        var message = typeof(TConsumer).GetInterfaces()
            .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>) && i.GenericTypeArguments[0].IsGenericType
                         && i.GenericTypeArguments[0].GetGenericTypeDefinition() == typeof(EventEnvelope<>)).GenericTypeArguments[0];
        typeof(IdempotentConsumerDefinition<TConsumer>).GetMethod(nameof(LimitConcurrency), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(message).Invoke(null, [consumerConfigurator, options.ConcurrencyLimit]);
    }

    private static void LimitConcurrency<TMessage>(IConsumerConfigurator<TConsumer> consumer, int limit) where TMessage : class =>
        consumer.Message<TMessage>(m => m.UseConcurrentMessageLimit(limit));
}
