using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Catalogue.Application;

/// <summary>Who may see a published item: everyone, or the members of the chosen org unit subtrees.</summary>
public static class Audience
{
    public static async Task<bool> CanSeeAsync(CatalogueCaller caller, bool everyone, IReadOnlyCollection<Guid> audience, CatalogueDbContext db, CancellationToken ct) =>
        caller.SeesEverything || await OrgUnitCopyModel.InAudienceAsync(db, everyone, audience, caller.OrgUnitId, ct);
}
