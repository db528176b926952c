using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LmsPlatform.ServiceDefaults.Domain;

/// <summary>
/// An aggregate: an entity changed only through its own methods, which enforce its invariants and record what
/// happened as domain events. <see cref="DomainEventsInterceptor"/> takes the events when the change is saved.
/// </summary>
public interface IAggregate
{
    /// <summary>The events recorded since the last save, removed from the aggregate.</summary>
    IReadOnlyList<object> TakeDomainEvents();
}

/// <summary>The usual base of an aggregate; an aggregate with another base (ASP.NET Core Identity's user) holds a <see cref="DomainEvents"/>.</summary>
public abstract class Aggregate : IAggregate
{
    private readonly DomainEvents events = new();

    protected void Record(object domainEvent) => events.Record(domainEvent);

    public IReadOnlyList<object> TakeDomainEvents() => events.Take();
}

public sealed class DomainEvents
{
    private List<object> recorded = [];

    public void Record(object domainEvent) => recorded.Add(domainEvent);

    public IReadOnlyList<object> Take()
    {
        var taken = recorded;
        recorded = [];
        return taken;
    }
}

/// <summary>
/// A DbContext that records more than integration events from its aggregates' domain events (identity's audit log,
/// enrolment's ledger): the rows an event adds, saved in the same transaction (by SaveChanges, or copied by
/// <see cref="Data.BulkSave"/>).
/// </summary>
public interface IDomainEventSink
{
    IEnumerable<object> RowsOf(object domainEvent);

    /// <summary>
    /// The rows a bulk save is about to copy, with any the context folds together (a row per event is right for one
    /// change, and wasteful for a hundred thousand): by default, as they are.
    /// </summary>
    IEnumerable<object> Compact(IReadOnlyList<object> rows) => rows;
}

/// <summary>
/// A change an aggregate refuses because it would break a rule: a conflict with the current state (409), or input
/// that names something unusable (400). Every door maps it to its own error format: ProblemDetails, a SCIM error, an
/// import's row error.
/// </summary>
public sealed class DomainRuleException(string field, string message, bool conflict = true) : Exception(message)
{
    public string Field { get; } = field;
    public bool IsConflict { get; } = conflict;

    public static DomainRuleException Invalid(string field, string message) => new(field, message, conflict: false);
}

/// <summary>
/// Turns the domain events of every tracked aggregate into outbox rows (the integration events) and hands each event
/// to the context when it is an <see cref="IDomainEventSink"/>, inside SaveChanges: the events and the change are
/// written in one transaction, or not at all. Registered for every service database.
/// </summary>
public sealed class DomainEventsInterceptor(TimeProvider time) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Dispatch(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Dispatch(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    private void Dispatch(DbContext? context) => Dispatch(context, time.GetUtcNow());

    /// <summary>
    /// What SaveChanges does with the tracked aggregates' events, done now: for a bulk save that writes some of the
    /// rows itself (<see cref="Data.BulkSave"/>), so the rows the events add are among them.
    /// </summary>
    public static void Dispatch(DbContext? context, DateTimeOffset now)
    {
        if (context is not IServiceDbContext outbox) return;
        // A sink may add entities; aggregates are read once, before any are added.
        var aggregates = context.ChangeTracker.Entries<IAggregate>().Select(e => e.Entity).ToList();
        foreach (var aggregate in aggregates)
            foreach (var domainEvent in aggregate.TakeDomainEvents())
            {
                if (domainEvent is IIntegrationEvent integrationEvent) outbox.OutboxMessages.Add(OutboxMessageFactory.Create(integrationEvent, now));
                foreach (var row in (context as IDomainEventSink)?.RowsOf(domainEvent) ?? []) context.Add(row);
            }
    }
}
