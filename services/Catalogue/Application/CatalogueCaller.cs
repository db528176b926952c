using System.Security.Claims;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Security;

namespace LmsPlatform.Catalogue.Application;

/// <summary>
/// Who is asking, as the catalogue sees it.
/// <list type="bullet">
/// <item>Administrators (and integration clients holding catalogue.manage) manage every course and path.</item>
/// <item>Training managers manage the courses and paths they own.</item>
/// <item>Anyone holding catalogue.manage organisation-wide sees every published item; everyone else sees the items
/// visible to everyone and those whose audience contains their org unit or one of its ancestors.</item>
/// </list>
/// </summary>
public sealed record CatalogueCaller(Guid? UserId, Guid? OrgUnitId, bool IsAdministrator, bool SeesEverything)
{
    public static CatalogueCaller From(ClaimsPrincipal principal)
    {
        var roles = principal.FindAll(LmsClaims.Role).Select(c => c.Value).ToList();
        var orgUnit = Guid.TryParse(principal.FindFirst(LmsClaims.OrgUnit)?.Value, out var o) ? o : (Guid?)null;
        var userId = Caller.UserIdOf(principal);
        var isClient = roles.Count == 0 && orgUnit is null && principal.FindFirst(LmsClaims.ScopedRole) is null;
        var clientManages = isClient && principal.HasClaim(LmsClaims.Permission, Permissions.CatalogueManage);
        return new CatalogueCaller(
            userId,
            orgUnit,
            IsAdministrator: clientManages || roles.Contains(Roles.Administrator),
            SeesEverything: clientManages || roles.Any(r => Roles.PermissionsOf(r).Contains(Permissions.CatalogueManage)));
    }

    public bool CanManage(CatalogueItem item) => IsAdministrator || (UserId is { } id && item.OwnerUserId == id);

    /// <summary>
    /// Who owns a new course or path: the caller and their org unit unless named otherwise, which only an
    /// administrator may do. Null when the caller may not, or when a client names no owner.
    /// </summary>
    public (Guid UserId, Guid? OrgUnitId)? OwnerFor(Guid? ownerUserId, Guid? ownerOrgUnitId)
    {
        if ((ownerUserId ?? UserId) is not { } owner) return null;
        var orgUnit = ownerOrgUnitId ?? OrgUnitId;
        return IsAdministrator || owner == UserId && orgUnit == OrgUnitId ? (owner, orgUnit) : null;
    }

    /// <summary>The key under which search results for this caller may be shared with other callers.</summary>
    public string AudienceKey => SeesEverything ? "all" : OrgUnitId?.ToString("N") ?? "none";
}
