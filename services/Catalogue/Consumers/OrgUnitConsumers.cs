using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace LmsPlatform.Catalogue.Consumers;

/// <summary>Keeps the catalogue's copy of the org tree, which decides who sees an item with a chosen audience.</summary>
public sealed class OrgUnitCreatedConsumer(CatalogueDbContext db) : IdempotentConsumer<OrgUnitCreated, CatalogueDbContext>(db)
{
    protected override async Task HandleAsync(OrgUnitCreated message, CancellationToken cancellationToken)
    {
        if (await Db.OrgUnits.FindAsync([message.OrgUnitId], cancellationToken) is null)
            Db.OrgUnits.Add(new OrgUnitCopy { Id = message.OrgUnitId, Name = message.Name, ParentId = message.ParentId });
    }
}

public sealed class OrgUnitChangedConsumer(CatalogueDbContext db, CatalogueCache cache) : IdempotentConsumer<OrgUnitChanged, CatalogueDbContext>(db)
{
    protected override async Task HandleAsync(OrgUnitChanged message, CancellationToken cancellationToken)
    {
        var unit = await Db.OrgUnits.FindAsync([message.OrgUnitId], cancellationToken);
        if (unit is null) Db.OrgUnits.Add(unit = new OrgUnitCopy { Id = message.OrgUnitId, Name = message.Name });
        unit.Name = message.Name;
        unit.ParentId = message.ParentId;
        unit.Active = message.Active;
    }

    /// <summary>A move changes who sees what, and cached searches are keyed by org unit.</summary>
    protected override Task AfterCommitAsync(OrgUnitChanged message) =>
        message.Changed.Contains("parentId") ? cache.BumpGenerationAsync() : Task.CompletedTask;
}
