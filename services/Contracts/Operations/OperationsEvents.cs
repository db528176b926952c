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
