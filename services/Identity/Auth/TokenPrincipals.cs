using Permissions = LmsPlatform.Contracts.Security.Permissions;
using System.Collections.Immutable;
using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Auth;

/// <summary>
/// Builds the claims of the platform's tokens. A user's token carries their id, name, email, org unit, roles (every
/// user is a Learner; organisation-wide roles as <c>role</c>, subtree-scoped ones as <c>scoped_role</c> "Role:unit")
/// and the permissions those roles carry. A client's token carries the permissions granted to the client.
/// </summary>
public sealed class TokenPrincipals(IdentityDbContext db)
{
    public async Task<ClaimsPrincipal> ForUserAsync(User user, ImmutableArray<string> scopes, CancellationToken ct)
    {
        var assignments = await db.RoleAssignments.AsNoTracking().Where(r => r.UserId == user.Id).ToListAsync(ct);
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id.ToString())
            .SetClaim(Claims.Email, user.Email)
            .SetClaim(Claims.Name, user.DisplayName)
            .SetClaim(Claims.GivenName, user.GivenName)
            .SetClaim(Claims.FamilyName, user.FamilyName)
            .SetClaim(LmsClaims.OrgUnit, user.OrgUnitId?.ToString());

        var globalRoles = assignments.Where(a => a.ScopeOrgUnitId is null).Select(a => a.Role).Append(Roles.Learner).Distinct().ToList();
        identity.SetClaims(Claims.Role, [.. globalRoles]);
        identity.SetClaims(LmsClaims.ScopedRole, [.. assignments.Where(a => a.ScopeOrgUnitId is not null).Select(a => $"{a.Role}:{a.ScopeOrgUnitId}")]);
        // A scoped role adds only the permissions the services can confine to its subtree (Roles.Scopable).
        identity.SetClaims(LmsClaims.Permission, [.. globalRoles.SelectMany(Roles.PermissionsOf)
            .Concat(assignments.Where(a => a.ScopeOrgUnitId is not null).SelectMany(a => Roles.ScopedPermissionsOf(a.Role))).Distinct().Order()]);
        return Finish(identity, scopes);
    }

    public async Task<ClaimsPrincipal> ForClientAsync(string clientId, string? displayName, ImmutableArray<string> scopes, CancellationToken ct)
    {
        var grant = await db.ClientGrants.AsNoTracking().FirstOrDefaultAsync(g => g.ClientId == clientId, ct);
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaim(Claims.Name, displayName ?? clientId);
        var permissions = grant?.Permissions ?? [];
        // The SCIM scope is what lets a client provision; it carries the permission with it.
        if (scopes.Contains(LmsClaims.ScimScope)) permissions = [.. permissions.Append(Permissions.ScimProvision).Distinct()];
        identity.SetClaims(LmsClaims.Permission, [.. permissions.Order()]);
        return Finish(identity, scopes);
    }

    private static ClaimsPrincipal Finish(ClaimsIdentity identity, ImmutableArray<string> scopes)
    {
        identity.SetScopes(scopes);
        identity.SetResources(LmsClaims.Audience);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or Claims.GivenName or Claims.FamilyName when identity.HasScope(Scopes.Profile) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Email when identity.HasScope(Scopes.Email) => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Role when identity.HasScope(Scopes.Roles) => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [Destinations.AccessToken],
        });
        return new ClaimsPrincipal(identity);
    }
}
