using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Application;

/// <summary>
/// Where a caller may use a permission: everywhere (an organisation-wide role, or an integration client), or only in
/// the org unit subtrees of their scoped role assignments ("Administrator of Sales EMEA").
/// </summary>
public sealed record CallerScope(bool Global, IReadOnlyCollection<Guid> OrgUnitIds)
{
    public static async Task<CallerScope> ForAsync(ClaimsPrincipal caller, string permission, IdentityDbContext db, CancellationToken ct)
    {
        var roles = caller.FindAll(Claims.Role).Select(c => c.Value).ToList();
        var isClient = caller.FindFirst(LmsClaims.OrgUnit) is null && roles.Count == 0;
        if (isClient || roles.Any(r => Roles.PermissionsOf(r).Contains(permission))) return new CallerScope(true, []);

        var roots = caller.FindAll(LmsClaims.ScopedRole)
            .Select(c => c.Value.Split(':', 2))
            .Where(p => p.Length == 2 && Roles.ScopedPermissionsOf(p[0]).Contains(permission) && Guid.TryParse(p[1], out _))
            .Select(p => Guid.Parse(p[1])).Distinct().ToList();
        if (roots.Count == 0) return new CallerScope(false, []);
        var paths = await db.OrgUnits.Where(o => roots.Contains(o.Id)).Select(o => o.Path).ToListAsync(ct);
        var ids = new HashSet<Guid>();
        foreach (var path in paths)
            ids.UnionWith(await db.OrgUnits.Where(o => o.Path.StartsWith(path)).Select(o => o.Id).ToListAsync(ct));
        return new CallerScope(false, ids);
    }

    public bool Covers(Guid? orgUnitId) => Global || orgUnitId is { } id && OrgUnitIds.Contains(id);

    /// <summary>The users of <paramref name="users"/> this scope reaches: all, or those in its subtrees.</summary>
    public IQueryable<User> Filter(IQueryable<User> users)
    {
        if (Global) return users;
        var ids = OrgUnitIds.ToList();
        return users.Where(u => u.OrgUnitId != null && ids.Contains(u.OrgUnitId.Value));
    }
}

public static class ScopedUsers
{
    /// <summary>
    /// The users the caller may see or change with <paramref name="permission"/>: every user read and write of the admin
    /// API starts here, so an administrator of one department never meets a user outside it (as 404, not 403).
    /// </summary>
    public static async Task<IQueryable<User>> UsersFor(this IdentityDbContext db, ClaimsPrincipal caller, string permission, CancellationToken ct) =>
        (await CallerScope.ForAsync(caller, permission, db, ct)).Filter(db.Users);
}

public static class OrganisationWide
{
    /// <summary>
    /// The permission, held organisation-wide: a role scoped to an org unit subtree does not carry it here. For
    /// endpoints whose effect is not confined to a subtree (granting roles, integration clients, imports, the audit
    /// log, the org unit tree), so that an administrator of one department cannot, say, make themselves administrator
    /// of everything.
    /// </summary>
    public static TBuilder RequireOrganisationWide<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(permission).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var scope = await CallerScope.ForAsync(http.User, permission, http.RequestServices.GetRequiredService<IdentityDbContext>(), http.RequestAborted);
            return scope.Global
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                    detail: $"This needs '{permission}' organisation-wide; a role scoped to an org unit does not carry it here.");
        });
}
