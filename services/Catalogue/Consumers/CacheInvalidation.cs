using LmsPlatform.Catalogue.Application;
using LmsPlatform.Contracts.Catalogue;
using MassTransit;

namespace LmsPlatform.Catalogue.Consumers;

/// <summary>
/// The catalogue's own change events, consumed by the catalogue: every replica's request already invalidated the cache
/// when its change committed; this second invalidation covers a Redis that was unreachable at that moment (the
/// consumer retries until it succeeds). It changes nothing in the database, so it needs no inbox.
/// </summary>
public sealed class CacheInvalidationConsumer(CatalogueCache cache) :
    IConsumer<CoursePublished>, IConsumer<CourseArchived>, IConsumer<CourseReplaced>, IConsumer<LearningPathPublished>, IConsumer<LearningPathArchived>
{
    public Task Consume(ConsumeContext<CoursePublished> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<CourseArchived> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<CourseReplaced> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<LearningPathPublished> context) => cache.BumpGenerationAsync();
    public Task Consume(ConsumeContext<LearningPathArchived> context) => cache.BumpGenerationAsync();
}
