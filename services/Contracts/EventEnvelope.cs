namespace LmsPlatform.Contracts;

/// <summary>
/// Events of one type, in the order their service wrote them, travelling as one broker message: the outbox sends an
/// import's 100,000 <c>UserCreated</c> as about a thousand envelopes, so the broker routes, stores and acknowledges a
/// thousand messages instead of 100,000 (ADR 0005). Each event keeps its own message id (what consumers deduplicate on)
/// and the trace of the request that raised it. A consumer of <typeparamref name="TEvent"/> takes both the envelope and
/// the single event.
/// </summary>
public sealed record EventEnvelope<TEvent>(IReadOnlyList<EnvelopedEvent<TEvent>> Events) where TEvent : class, IIntegrationEvent;

/// <summary>One event of an <see cref="EventEnvelope{TEvent}"/>.</summary>
public sealed record EnvelopedEvent<TEvent>(Guid MessageId, TEvent Event, string? TraceParent) where TEvent : class, IIntegrationEvent;
