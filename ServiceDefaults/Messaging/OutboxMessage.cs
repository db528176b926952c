namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// An integration event waiting to be published: written in the same transaction as the state change it announces,
/// published by <see cref="OutboxDispatcher{TContext}"/>. Its id is the message id consumers deduplicate on.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public required string Payload { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    /// <summary>The aggregate the event is about (see <see cref="OutboxMessageFactory.OrderingKey"/>): events with the
    /// same key are published in the order they were written.</summary>
    public Guid? OrderingKey { get; set; }
    /// <summary>W3C traceparent of the request that raised the event, so the trace continues in every consumer.</summary>
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A message a consumer has applied: its key (message id, consumer) makes redelivery a no-op.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }
    public required string Consumer { get; set; }
    public required string MessageType { get; set; }
    public DateTimeOffset ProcessedAt { get; set; }
    public string? TraceId { get; set; }
}
