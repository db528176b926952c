using System.Diagnostics;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The base of every consumer: the message is recorded in the inbox and its effect applied in one transaction, keyed
/// by (message id, consumer). A redelivered or republished message finds its key and is skipped, so no effect is ever
/// applied twice; a failure rolls both back, so the retry applies it once.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TContext>(TContext db) : IConsumer<TMessage>
    where TMessage : class
    where TContext : DbContext, IServiceDbContext
{
    protected TContext Db { get; } = db;

    /// <summary>Applies the message's effect to <see cref="Db"/>; the base saves and commits.</summary>
    protected abstract Task HandleAsync(TMessage message, ConsumeContext<TMessage> context);

    /// <summary>Runs once the effect has committed (not for a duplicate): for work outside the database, such as cache invalidation.</summary>
    protected virtual Task AfterCommitAsync(TMessage message) => Task.CompletedTask;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InvalidOperationException($"{typeof(TMessage).Name} arrived without a message id.");
        var consumer = GetType().Name;
        var strategy = Db.Database.CreateExecutionStrategy();
        var applied = await strategy.ExecuteAsync(async ct =>
        {
            Db.ChangeTracker.Clear();
            await using var transaction = await Db.Database.BeginTransactionAsync(ct);
            var inserted = await Db.Database.ExecuteSqlAsync(
                $"""
                 INSERT INTO inbox_messages (message_id, consumer, message_type, processed_at, trace_id)
                 VALUES ({messageId}, {consumer}, {typeof(TMessage).FullName}, {DateTimeOffset.UtcNow}, {Activity.Current?.TraceId.ToString()})
                 ON CONFLICT DO NOTHING
                 """, ct);
            if (inserted == 0)
            {
                await transaction.RollbackAsync(ct);
                return false;
            }
            await HandleAsync(context.Message, context);
            await Db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return true;
        }, context.CancellationToken);

        if (applied) await AfterCommitAsync(context.Message);
        (applied ? MessagingTelemetry.Consumed : MessagingTelemetry.Duplicates)
            .Add(1, new KeyValuePair<string, object?>("consumer", consumer));
    }
}
