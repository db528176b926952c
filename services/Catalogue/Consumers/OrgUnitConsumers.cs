using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Consumers;

/// <summary>Keeps the catalogue's copy of the org tree, which decides who sees an item with a chosen audience.</summary>
public sealed class OrgUnitCreatedConsumer(CatalogueDbContext db) : IdempotentConsumer<OrgUnitCreated, CatalogueDbContext>(db)
{
    // OrgUnitCreated and OrgUnitChanged travel in different queues, so either may arrive first: each writes the row
    // with one statement that cannot collide with the other, and a late OrgUnitCreated does not undo a change.
    protected override async Task HandleAsync(OrgUnitCreated message, CancellationToken cancellationToken) =>
        await Db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({message.OrgUnitId}, {message.Name}, {message.ParentId}, TRUE)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken);
}

public sealed class OrgUnitChangedConsumer(CatalogueDbContext db, CatalogueCache cache) : IdempotentConsumer<OrgUnitChanged, CatalogueDbContext>(db)
{
    protected override async Task HandleAsync(OrgUnitChanged message, CancellationToken cancellationToken) =>
        await Db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({message.OrgUnitId}, {message.Name}, {message.ParentId}, {message.Active})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, active = excluded.active
            """, cancellationToken);

    /// <summary>A move changes who sees what, and cached searches are keyed by org unit.</summary>
    protected override Task AfterCommitAsync(OrgUnitChanged message) =>
        message.Changed.Contains("parentId") ? cache.BumpGenerationAsync() : Task.CompletedTask;
}
