using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Application;

/// <summary>
/// The org-unit commands every door calls (admin API, SCIM groups, CSV import): each loads what the rule needs to
/// know (the parent, the subtree, whether active users belong to the unit) and calls the <see cref="OrgUnit"/> method
/// that holds the rule. Nothing is saved until <see cref="SaveAsync"/>, so a door that makes several changes (a SCIM
/// group with its members) saves them together or not at all. Refusals are <see cref="DomainRuleException"/>s.
/// </summary>
public sealed class OrgUnitService(IdentityDbContext db, TimeProvider time)
{
    public async Task<OrgUnit> CreateAsync(string name, string? externalId, Guid? parentId, Actor actor, CancellationToken ct, Guid? id = null)
    {
        var parent = await ParentAsync(parentId, ct);
        await CheckExternalIdAsync(null, externalId, ct);
        var now = time.GetUtcNow();
        var unit = OrgUnit.Create(id ?? Guid.CreateVersion7(now), name, externalId, parent, actor, now);
        db.OrgUnits.Add(unit);
        return unit;
    }

    /// <summary>Renames, re-keys and moves a unit: what an administrator's PUT or an import row asks for.</summary>
    public async Task UpdateAsync(OrgUnit unit, string name, string? externalId, Guid? parentId, Actor actor, CancellationToken ct)
    {
        await CheckExternalIdAsync(unit, externalId, ct);
        unit.Rename(name, externalId, actor, time.GetUtcNow());
        if (unit.ParentId != parentId) await MoveAsync(unit, parentId, actor, ct);
    }

    public async Task MoveAsync(OrgUnit unit, Guid? parentId, Actor actor, CancellationToken ct)
    {
        var parent = await ParentAsync(parentId, ct);
        var subtree = await db.OrgUnits.Where(o => o.Path.StartsWith(unit.Path) && o.Id != unit.Id).ToListAsync(ct);
        unit.MoveUnder(parent, subtree, actor, time.GetUtcNow());
    }

    public async Task DeactivateAsync(OrgUnit unit, Actor actor, CancellationToken ct)
    {
        var hasActiveSubUnits = await db.OrgUnits.AnyAsync(o => o.ParentId == unit.Id && o.Active, ct);
        var hasActiveMembers = await db.Users.AnyAsync(u => u.OrgUnitId == unit.Id && u.Status == UserStatus.Active, ct);
        unit.Deactivate(hasActiveSubUnits, hasActiveMembers, actor, time.GetUtcNow());
    }

    public async Task ReactivateAsync(OrgUnit unit, Actor actor, CancellationToken ct)
    {
        var parent = unit.ParentId is { } parentId ? await db.OrgUnits.FirstAsync(o => o.Id == parentId, ct) : null;
        unit.Reactivate(parent, actor, time.GetUtcNow());
    }

    /// <summary>Saves every change made so far; a unique external id taken meanwhile or a concurrent change is refused.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw new DomainRuleException("etag", "The org unit was changed by someone else at the same time; read it again and retry.");
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            throw new DomainRuleException("externalId", "An org unit with this external id exists already.");
        }
    }

    private async Task<OrgUnit?> ParentAsync(Guid? parentId, CancellationToken ct) =>
        parentId is not { } id ? null
        : await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id, ct) ?? throw DomainRuleException.Invalid("parentId", "is not a known org unit");

    private async Task CheckExternalIdAsync(OrgUnit? unit, string? externalId, CancellationToken ct)
    {
        if (TextInput.Clean(externalId) is not { } key || key == unit?.ExternalId) return;
        if (await db.OrgUnits.AnyAsync(o => o.ExternalId == key, ct))
            throw new DomainRuleException("externalId", $"An org unit with the external id '{key}' exists already.");
    }
}
