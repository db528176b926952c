using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LmsPlatform.ServiceDefaults.People;

/// <summary>A service's copy of identity's org unit tree, kept from OrgUnitCreated and OrgUnitChanged.</summary>
public sealed class OrgUnitCopy
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid? ParentId { get; set; }
    public bool Active { get; set; } = true;
}

public static class OrgUnitCopyModel
{
    /// <summary>The copy's table, the same in every service (the consumers write it by name).</summary>
    public static EntityTypeBuilder<OrgUnitCopy> MapOrgUnitCopy(this EntityTypeBuilder<OrgUnitCopy> e)
    {
        e.ToTable("org_units");
        e.Property(o => o.Id).HasColumnName("id");
        e.Property(o => o.Name).HasColumnName("name").HasMaxLength(200);
        e.Property(o => o.ParentId).HasColumnName("parent_id");
        e.Property(o => o.Active).HasColumnName("active");
        e.HasIndex(o => o.ParentId);
        return e;
    }
}

/// <summary>
/// OrgUnitCreated and OrgUnitChanged travel in different queues, so either may arrive first: each writes the row with
/// one statement that cannot collide with the other, and a late OrgUnitCreated does not undo a change.
/// </summary>
public abstract class OrgUnitCreatedCopyConsumer<TContext>(TContext db) : IdempotentConsumer<OrgUnitCreated, TContext>(db)
    where TContext : DbContext, IServiceDbContext
{
    protected override async Task HandleAsync(OrgUnitCreated message, CancellationToken cancellationToken) =>
        await Db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({message.OrgUnitId}, {message.Name}, {message.ParentId}, TRUE)
            ON CONFLICT (id) DO NOTHING
            """, cancellationToken);
}

/// <summary>A rename, move or (de)activation; a service adds its own effect of a move in <see cref="AfterCopyAsync"/>.</summary>
public abstract class OrgUnitChangedCopyConsumer<TContext>(TContext db) : IdempotentConsumer<OrgUnitChanged, TContext>(db)
    where TContext : DbContext, IServiceDbContext
{
    protected override async Task HandleAsync(OrgUnitChanged message, CancellationToken cancellationToken)
    {
        await Db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({message.OrgUnitId}, {message.Name}, {message.ParentId}, {message.Active})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, active = excluded.active
            """, cancellationToken);
        await AfterCopyAsync(message, cancellationToken);
    }

    /// <summary>The service's own effect, in the same transaction.</summary>
    protected virtual Task AfterCopyAsync(OrgUnitChanged message, CancellationToken cancellationToken) => Task.CompletedTask;
}
