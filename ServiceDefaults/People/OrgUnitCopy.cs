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

    /// <summary>Writes an org unit as it is now (a change, or a replay of the tree): one statement, whatever arrived before.</summary>
    public static Task UpsertAsync(DbContext db, Guid id, string name, Guid? parentId, bool active, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({id}, {name}, {parentId}, {active})
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id, active = excluded.active
            """, ct);

    /// <summary>
    /// Writes an org unit a replay sends if the copy lacks it (a database lost, say). A unit the copy holds is left to the
    /// live events: a unit carries no time to tell whether the page or the copy is newer.
    /// </summary>
    public static Task InsertMissingAsync(DbContext db, Guid id, string name, Guid? parentId, bool active, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ({id}, {name}, {parentId}, {active}) ON CONFLICT (id) DO NOTHING
            """, ct);

    /// <summary>The org unit and its ancestors, from the service's copy of the org tree.</summary>
    public static async Task<List<Guid>> SelfAndAncestorsAsync(DbContext db, Guid orgUnitId, CancellationToken ct)
    {
        var ids = await db.Database.SqlQuery<Guid>(
            $"""
             WITH RECURSIVE up AS (
                 SELECT id, parent_id FROM org_units WHERE id = {orgUnitId}
                 UNION
                 SELECT o.id, o.parent_id FROM org_units o JOIN up ON o.id = up.parent_id)
             SELECT id AS "Value" FROM up
             """).ToListAsync(ct);
        if (!ids.Contains(orgUnitId)) ids.Add(orgUnitId);
        return ids;
    }

    /// <summary>
    /// Whether a person in <paramref name="orgUnitId"/> is in a catalogue item's audience: everyone, or the members of
    /// the <paramref name="audience"/> org unit subtrees (a person in no unit is in none).
    /// </summary>
    public static async Task<bool> InAudienceAsync(DbContext db, bool everyone, IReadOnlyCollection<Guid> audience, Guid? orgUnitId, CancellationToken ct)
    {
        if (everyone) return true;
        if (orgUnitId is not { } unit) return false;
        return (await SelfAndAncestorsAsync(db, unit, ct)).Any(audience.Contains);
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
        await OrgUnitCopyModel.UpsertAsync(Db, message.OrgUnitId, message.Name, message.ParentId, message.Active, cancellationToken);
        await AfterCopyAsync(message, cancellationToken);
    }

    /// <summary>The service's own effect, in the same transaction.</summary>
    protected virtual Task AfterCopyAsync(OrgUnitChanged message, CancellationToken cancellationToken) => Task.CompletedTask;
}
