using LmsPlatform.Contracts.Operations;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Identity.Consumers;

/// <summary>
/// An operator's re-queue or discard of a failed message, in whichever service, becomes an entry of the platform's
/// audit log (<c>failed-message.requeued</c> / <c>failed-message.discarded</c>), next to every other administrative change.
/// </summary>
public sealed class FailedMessageHandledConsumer(IdentityDbContext db) : IdempotentConsumer<FailedMessageHandled, IdentityDbContext>(db)
{
    public const string EntityType = "FailedMessage";

    protected override Task HandleAsync(FailedMessageHandled message, CancellationToken cancellationToken)
    {
        var entry = AuditExtensions.Entry(new Actor(message.ActorId, message.ActorName, message.IpAddress), "failed-message." + message.Action,
            EntityType, message.MessageId, before: null,
            after: new { message.Service, message.MessageType, message.Reason, message.ErrorQueue, message.RequeuedTo }, at: message.HandledAt);
        // The entry's id is the action's: the audit log holds it once whatever the redelivery.
        entry.Id = message.ActionId;
        Db.AuditEntries.Add(entry);
        return Task.CompletedTask;
    }
}

/// <summary>A read model asks for the records again: a replay per source (<see cref="ReplayRequestedConsumer{TContext}"/>).</summary>
public sealed class ReplayRequestedConsumer(IdentityDbContext db, IEnumerable<IReplaySource<IdentityDbContext>> sources)
    : ReplayRequestedConsumer<IdentityDbContext>(db, sources);
