using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record RoleAssignmentRequest(Guid? UserId, string? Role, Guid? ScopeOrgUnitId);

public sealed record RoleAssignmentDto(Guid Id, Guid UserId, string Role, Guid? ScopeOrgUnitId, DateTimeOffset CreatedAt, string? CreatedBy, IReadOnlyCollection<string> Permissions)
{
    public static RoleAssignmentDto From(RoleAssignment r) => new(r.Id, r.UserId, r.Role, r.ScopeOrgUnitId, r.CreatedAt, r.CreatedBy, Roles.PermissionsOf(r.Role));
}

/// <summary>Granting and revoking roles; the rules are on <see cref="RoleAssignment"/>.</summary>
public static class RoleAssignmentsApi
{
    public static IEndpointRouteBuilder MapRoleAssignmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/role-assignments").WithTags("Roles");
        api.MapPost("/", Grant).WithName("GrantRole").WithSummary("Grant a role, organisation-wide or for an org unit subtree").RequireOrganisationWide(Permissions.RolesAssign);
        api.MapDelete("/{id:guid}", Revoke).WithName("RevokeRole").WithSummary("Revoke a role assignment").RequireOrganisationWide(Permissions.RolesAssign);
        api.MapGet("/", List).WithName("ListRoleAssignments").WithSummary("List role assignments by user or role; paged").RequireAuthorization(Permissions.RolesRead);
        app.MapGet("/api/identity/roles", () => TypedResults.Ok(Roles.All.Select(r => new { name = r, permissions = Roles.PermissionsOf(r) })))
            .WithTags("Roles").WithName("ListRoles").WithSummary("The roles and the permissions each carries").RequireAuthorization(Permissions.RolesRead);
        return app;
    }

    public static async Task<Results<Created<RoleAssignmentDto>, ValidationProblem, Conflict<ProblemDetails>>> Grant(
        RoleAssignmentRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        errors.Check(request.UserId is not null, "userId", "is required");
        errors.Check(request.Role is not null, "role", $"must be one of {string.Join(", ", Roles.All)}");
        if (errors.IsValid && !await db.Users.AnyAsync(u => u.Id == request.UserId, ct)) errors.Add("userId", "is not a known user");
        if (request.ScopeOrgUnitId is { } scope && !await db.OrgUnits.AnyAsync(o => o.Id == scope, ct)) errors.Add("scopeOrgUnitId", "is not a known org unit");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var assignment = RoleAssignment.Grant(request.UserId!.Value, request.Role!, request.ScopeOrgUnitId, Actor.From(http), time.GetUtcNow());
        db.RoleAssignments.Add(assignment);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The user has this role with this scope already.", "role");
        }
        return TypedResults.Created($"/api/identity/role-assignments/{assignment.Id}", RoleAssignmentDto.From(assignment));
    }

    public static async Task<Results<NoContent, NotFound>> Revoke(Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var assignment = await db.RoleAssignments.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (assignment is null) return TypedResults.NotFound();
        var administrators = assignment.IsOrganisationWideAdministrator
            ? await db.RoleAssignments.CountAsync(r => r.Role == Roles.Administrator && r.ScopeOrgUnitId == null, ct)
            : 0;
        assignment.Revoke(administrators, Actor.From(http), time.GetUtcNow());
        db.RoleAssignments.Remove(assignment);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<Page<RoleAssignmentDto>>, ValidationProblem>> List(
        [AsParameters] PageRequest paging, Guid? userId, string? role, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        // A department administrator sees the roles of the people in their subtrees only.
        var people = await db.UsersFor(http.User, Permissions.RolesRead, ct);
        var query = db.RoleAssignments.AsNoTracking().Where(r => people.Any(u => u.Id == r.UserId));
        if (userId is { } u) query = query.Where(r => r.UserId == u);
        if (Roles.Canonical(role) is { } canonical) query = query.Where(r => r.Role == canonical);
        var page = await query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(RoleAssignmentDto.From));
    }
}
