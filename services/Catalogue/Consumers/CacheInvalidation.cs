using LmsPlatform.Catalogue.Application;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using MassTransit;

namespace LmsPlatform.Catalogue.Consumers;

/// <summary>
/// The catalogue's own change events, consumed by the catalogue: every replica's request already invalidated the cache
/// when its change committed; this second invalidation covers a Redis that was unreachable at that moment (the
/// consumer retries until it succeeds). Events travel in envelopes (see the outbox); one bump covers an envelope. It
/// changes nothing in the database, so it needs no inbox.
/// </summary>
public sealed class CacheInvalidationConsumer(CatalogueCache cache) :
    IConsumer<EventEnvelope<CoursePublished>>, IConsumer<EventEnvelope<CourseArchived>>, IConsumer<EventEnvelope<CourseReplaced>>,
    IConsumer<EventEnvelope<LearningPathPublished>>, IConsumer<EventEnvelope<LearningPathArchived>>
{
    public Task Consume(ConsumeContext<EventEnvelope<CoursePublished>> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<EventEnvelope<CourseArchived>> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<EventEnvelope<CourseReplaced>> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<EventEnvelope<LearningPathPublished>> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<EventEnvelope<LearningPathArchived>> context) => cache.BumpGenerationAsync();
}
