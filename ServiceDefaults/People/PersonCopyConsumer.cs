using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ServiceDefaults.People;

/// <summary>
/// Keeps a service's <see cref="PersonCopy"/> of each user current from one of identity's user events: the copies a
/// batch touches are loaded in one query, a user not yet copied gets a copy, and <see cref="PersonCopy"/> applies the
/// event. A service declares one sealed consumer per event (its queue is named after it) and may add its own effect in
/// <see cref="AfterApplyAsync"/>.
/// </summary>
public abstract class PersonCopyConsumer<TEvent, TContext, TCopy>(TContext db) : IdempotentConsumer<TEvent, TContext>(db)
    where TEvent : class, IIntegrationEvent
    where TContext : DbContext, IServiceDbContext
    where TCopy : PersonCopy, new()
{
    private Dictionary<Guid, TCopy> _copies = [];

    protected override async Task BeforeHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken)
    {
        var ids = messages.Select(UserId).Distinct().ToList();
        _copies = await Db.Set<TCopy>().Where(c => ids.Contains(c.UserId)).ToDictionaryAsync(c => c.UserId, cancellationToken);
    }

    protected override async Task HandleAsync(TEvent message, CancellationToken cancellationToken)
    {
        var userId = UserId(message);
        var known = _copies.TryGetValue(userId, out var copy);
        if (!known)
        {
            copy = new TCopy { UserId = userId };
            _copies[userId] = copy;
            Db.Set<TCopy>().Add(copy);
        }
        var before = copy!.Placement;
        copy.Apply(message);
        if (known && before != copy.Placement) await PlacementChangedAsync(message, copy, before, cancellationToken);
        await AfterApplyAsync(message, copy, cancellationToken);
    }

    /// <summary>
    /// The event moved a person already copied to another org unit or manager, or changed their status (from
    /// <paramref name="before"/>; the copy holds what it is now, and <see cref="PersonCopy.TimeOf"/> the event's time).
    /// </summary>
    protected virtual Task PlacementChangedAsync(TEvent message, TCopy copy, PersonPlacement before, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>The service's own effect of the event, in the same transaction (a welcome message, say).</summary>
    protected virtual Task AfterApplyAsync(TEvent message, TCopy copy, CancellationToken cancellationToken) => Task.CompletedTask;

    private static Guid UserId(TEvent message) => PersonCopy.UserIdOf(message);
}
