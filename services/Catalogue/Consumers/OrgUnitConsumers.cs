using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Catalogue.Consumers;

// The catalogue's copy of the org tree, which decides who sees an item with a chosen audience.
public sealed class OrgUnitCreatedConsumer(CatalogueDbContext db) : OrgUnitCreatedCopyConsumer<CatalogueDbContext>(db);

public sealed class OrgUnitChangedConsumer(CatalogueDbContext db, CatalogueCache cache) : OrgUnitChangedCopyConsumer<CatalogueDbContext>(db)
{
    /// <summary>A move changes who sees what, and cached searches are keyed by org unit.</summary>
    protected override Task AfterCommitAsync(OrgUnitChanged message) =>
        message.Changed.Contains("parentId") ? cache.BumpGenerationAsync() : Task.CompletedTask;
}

/// <summary>A read model asks for the records again: a replay per source (<see cref="ReplayRequestedConsumer{TContext}"/>).</summary>
public sealed class ReplayRequestedConsumer(CatalogueDbContext db, IEnumerable<IReplaySource<CatalogueDbContext>> sources)
    : ServiceDefaults.Messaging.ReplayRequestedConsumer<CatalogueDbContext>(db, sources);
