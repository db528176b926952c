namespace LmsPlatform.Contracts.Operations;

/// <summary>
/// An operator re-queued (<see cref="Action"/> "requeued") or discarded ("discarded") a message from one of
/// <see cref="Service"/>'s <c>_error</c> queues. Identity writes it into the platform's audit log, where every other
/// administrative change is.
/// </summary>
public sealed record FailedMessageHandled(
    Guid ActionId,
    string Service,
    string Action,
    string MessageId,
    string? MessageType,
    string? Reason,
    string ErrorQueue,
    string? RequeuedTo,
    string? ActorId,
    string ActorName,
    string? IpAddress,
    DateTimeOffset HandledAt) : IIntegrationEvent;

/// <summary>
/// One operations check as a service took it: <see cref="Cadence"/> "daily", "weekly" or "monthly" (how often an
/// administrator is expected to look at it), <see cref="Status"/> "ok", "attention" or "failing", <see cref="Count"/>
/// the people, items or messages behind it, <see cref="Link"/> the portal page that lists them.
/// </summary>
public sealed record CheckOutcome(string Key, string Cadence, string Title, string Status, long Count, string? Link, string? Detail);

/// <summary>
/// A service's operations checks, taken on its own schedule (every few minutes) and sent to analytics, which keeps
/// their history for the administrator's cockpit. A service that stops sending them is itself a failing check there.
/// </summary>
public sealed record ChecksTaken(Guid RoundId, string Service, DateTimeOffset At, TimeSpan Interval, IReadOnlyList<CheckOutcome> Checks) : IIntegrationEvent;
