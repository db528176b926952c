using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Application;

/// <summary>Who may see a published item: everyone, or the members of the chosen org unit subtrees.</summary>
public static class Audience
{
    /// <summary>The org unit and its ancestors, from the catalogue's copy of the org tree.</summary>
    public static async Task<List<Guid>> SelfAndAncestorsAsync(CatalogueDbContext db, Guid orgUnitId, CancellationToken ct)
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

    public static async Task<bool> CanSeeAsync(CatalogueCaller caller, bool everyone, IReadOnlyCollection<Guid> audience, CatalogueDbContext db, CancellationToken ct)
    {
        if (everyone || caller.SeesEverything) return true;
        if (caller.OrgUnitId is not { } orgUnit) return false;
        var mine = await SelfAndAncestorsAsync(db, orgUnit, ct);
        return audience.Any(mine.Contains);
    }
}
