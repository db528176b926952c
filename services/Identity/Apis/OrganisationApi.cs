using LmsPlatform.Identity.Application;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record OrgUnitRequest(string? Name, string? ExternalId, Guid? ParentId)
{
    public Dictionary<string, string[]> Validate() => new ValidationErrors()
        .Required("name", Name, 200).MaxLength("externalId", ExternalId, 64).ToDictionary();
}

public sealed record OrgUnitDto(Guid Id, string Name, string? ExternalId, Guid? ParentId, IReadOnlyList<Guid> Path, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static OrgUnitDto From(OrgUnit o) => new(o.Id, o.Name, o.ExternalId, o.ParentId, o.PathIds(), o.Active, o.CreatedAt, o.UpdatedAt);
}

public sealed record RoleAssignmentRequest(Guid? UserId, string? Role, Guid? ScopeOrgUnitId);

public sealed record RoleAssignmentDto(Guid Id, Guid UserId, string Role, Guid? ScopeOrgUnitId, DateTimeOffset CreatedAt, string? CreatedBy, IReadOnlyCollection<string> Permissions)
{
    public static RoleAssignmentDto From(RoleAssignment r) => new(r.Id, r.UserId, r.Role, r.ScopeOrgUnitId, r.CreatedAt, r.CreatedBy, Roles.PermissionsOf(r.Role));
}

/// <summary>The org unit tree and role assignments.</summary>
public static class OrganisationApi
{
    public static IEndpointRouteBuilder MapOrgUnitsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/org-units").WithTags("Org units");
        api.MapPost("/", Create).WithName("CreateOrgUnit").WithSummary("Create an org unit under a parent (or as a root)").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapGet("/{id:guid}", Get).WithName("GetOrgUnit").WithSummary("Get an org unit (ETag in the response)").RequireAuthorization(Permissions.OrgUnitsRead);
        api.MapPut("/{id:guid}", Update).WithName("UpdateOrgUnit").WithSummary("Rename or move an org unit (no cycles); If-Match is checked").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapPost("/{id:guid}/deactivate", (Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct) => SetActive(id, false, http, db, time, ct))
            .WithName("DeactivateOrgUnit").WithSummary("Deactivate an org unit (refused while active units or users are in it)").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapPost("/{id:guid}/reactivate", (Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct) => SetActive(id, true, http, db, time, ct))
            .WithName("ReactivateOrgUnit").WithSummary("Reactivate an org unit").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapGet("/", List).WithName("ListOrgUnits").WithSummary("List org units: children of a parent, or a subtree, or search by name; paged").RequireAuthorization(Permissions.OrgUnitsRead);
        return app;
    }

    public static IEndpointRouteBuilder MapRoleAssignmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/role-assignments").WithTags("Roles");
        api.MapPost("/", Grant).WithName("GrantRole").WithSummary("Grant a role, organisation-wide or for an org unit subtree").RequireOrganisationWide(Permissions.RolesAssign);
        api.MapDelete("/{id:guid}", Revoke).WithName("RevokeRole").WithSummary("Revoke a role assignment").RequireOrganisationWide(Permissions.RolesAssign);
        api.MapGet("/", ListAssignments).WithName("ListRoleAssignments").WithSummary("List role assignments by user or role; paged").RequireAuthorization(Permissions.RolesRead);
        app.MapGet("/api/identity/roles", () => TypedResults.Ok(Roles.All.Select(r => new { name = r, permissions = Roles.PermissionsOf(r) })))
            .WithTags("Roles").WithName("ListRoles").WithSummary("The roles and the permissions each carries").RequireAuthorization(Permissions.RolesRead);
        return app;
    }

    public static async Task<Results<Created<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        OrgUnitRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        OrgUnit? parent = null;
        if (request.ParentId is { } parentId && (parent = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == parentId, ct)) is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["parentId"] = ["is not a known org unit"] });
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var unit = new OrgUnit
        {
            Id = id, Name = request.Name!.Trim(), ExternalId = TextInput.Clean(request.ExternalId), ParentId = parent?.Id,
            Path = OrgUnit.PathOf(parent, id), CreatedAt = now, UpdatedAt = now,
        };
        db.OrgUnits.Add(unit);
        db.AddIntegrationEvent(new OrgUnitCreated(unit.Id, unit.Name, unit.ExternalId, unit.ParentId, now));
        db.Audit(Actor.From(http), "orgunit.created", "orgunit", unit.Id, null, OrgUnitDto.From(unit), now);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict($"An org unit with the external id '{unit.ExternalId}' exists already.", "externalId");
        }
        http.Response.Headers.ETag = unit.ETag;
        return TypedResults.Created($"/api/identity/org-units/{unit.Id}", OrgUnitDto.From(unit));
    }

    public static async Task<Results<Ok<OrgUnitDto>, NotFound>> Get(Guid id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var unit = await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (unit is null) return TypedResults.NotFound();
        http.Response.Headers.ETag = unit.ETag;
        return TypedResults.Ok(OrgUnitDto.From(unit));
    }

    public static async Task<Results<Ok<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> Update(
        Guid id, OrgUnitRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var unit = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (unit is null) return TypedResults.NotFound();
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), unit.ETag))
            return Problems.Conflict("The org unit was changed by someone else since you read it; read it again and retry.", "etag");

        var before = OrgUnitDto.From(unit);
        var changed = new List<string>();
        var now = time.GetUtcNow();
        if (unit.Name != request.Name!.Trim()) { unit.Name = request.Name.Trim(); changed.Add("name"); }
        if (unit.ExternalId != TextInput.Clean(request.ExternalId)) { unit.ExternalId = TextInput.Clean(request.ExternalId); changed.Add("externalId"); }
        if (unit.ParentId != request.ParentId)
        {
            OrgUnit? parent = null;
            if (request.ParentId is { } parentId)
            {
                parent = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == parentId, ct);
                if (parent is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["parentId"] = ["is not a known org unit"] });
                if (parent.Path.StartsWith(unit.Path, StringComparison.Ordinal))
                    return Problems.Conflict($"'{parent.Name}' is inside '{unit.Name}': moving it there would make a cycle.", "parentId");
            }
            var oldPath = unit.Path;
            var newPath = OrgUnit.PathOf(parent, unit.Id);
            // The whole subtree moves with it, saved in the same transaction as the unit itself.
            var descendants = await db.OrgUnits.Where(o => o.Path.StartsWith(oldPath) && o.Id != unit.Id).ToListAsync(ct);
            foreach (var descendant in descendants) descendant.Path = newPath + descendant.Path[oldPath.Length..];
            unit.Path = newPath;
            unit.ParentId = parent?.Id;
            changed.Add("parentId");
        }
        if (changed.Count == 0) return TypedResults.Ok(OrgUnitDto.From(unit));
        unit.UpdatedAt = now;
        db.AddIntegrationEvent(new OrgUnitChanged(unit.Id, changed, unit.Name, unit.ParentId, unit.PathIds(), unit.Active, now));
        db.Audit(Actor.From(http), "orgunit.updated", "orgunit", unit.Id, before, OrgUnitDto.From(unit), now);
        return await SaveAsync(db, unit, http, ct);
    }

    private static async Task<Results<Ok<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> SetActive(
        Guid id, bool active, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var unit = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (unit is null) return TypedResults.NotFound();
        if (unit.Active == active) return TypedResults.Ok(OrgUnitDto.From(unit));
        if (!active)
        {
            if (await db.OrgUnits.AnyAsync(o => o.ParentId == id && o.Active, ct))
                return Problems.Conflict("The org unit has active units below it; move or deactivate them first.", "id");
            if (await db.Users.AnyAsync(u => u.OrgUnitId == id && u.Status == UserStatus.Active, ct))
                return Problems.Conflict("Active users belong to the org unit; move them first.", "id");
        }
        else if (unit.ParentId is { } parentId && !await db.OrgUnits.AnyAsync(o => o.Id == parentId && o.Active, ct))
            return Problems.Conflict("The parent org unit is inactive; reactivate it first.", "parentId");
        var before = OrgUnitDto.From(unit);
        var now = time.GetUtcNow();
        unit.Active = active;
        unit.UpdatedAt = now;
        db.AddIntegrationEvent(new OrgUnitChanged(unit.Id, ["active"], unit.Name, unit.ParentId, unit.PathIds(), unit.Active, now));
        db.Audit(Actor.From(http), active ? "orgunit.reactivated" : "orgunit.deactivated", "orgunit", unit.Id, before, OrgUnitDto.From(unit), now);
        return await SaveAsync(db, unit, http, ct);
    }

    public static async Task<Results<Ok<Page<OrgUnitDto>>, ValidationProblem>> List(
        [AsParameters] PageRequest paging, Guid? parentId, Guid? subtreeOf, string? search, bool? active, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.OrgUnits.AsNoTracking();
        if (parentId is { } p) query = query.Where(o => o.ParentId == p);
        if (subtreeOf is { } root)
        {
            var path = await db.OrgUnits.Where(o => o.Id == root).Select(o => o.Path).FirstOrDefaultAsync(ct) ?? "\u0000";
            query = query.Where(o => o.Path.StartsWith(path));
        }
        if (!string.IsNullOrWhiteSpace(search)) query = query.Where(o => EF.Functions.ILike(o.Name, $"%{UsersApi.Like(search.Trim())}%"));
        if (active is { } a) query = query.Where(o => o.Active == a);
        var page = await query.OrderBy(o => o.Path.Length).ThenBy(o => o.Name).ThenBy(o => o.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(OrgUnitDto.From));
    }

    public static async Task<Results<Created<RoleAssignmentDto>, ValidationProblem, Conflict<ProblemDetails>>> Grant(
        RoleAssignmentRequest request, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var role = Roles.Canonical(request.Role);
        errors.Check(request.UserId is not null, "userId", "is required");
        errors.Check(role is not null, "role", $"must be one of {string.Join(", ", Roles.All)}");
        errors.Check(role != Roles.Learner, "role", "every user is a Learner already");
        if (errors.IsValid && !await db.Users.AnyAsync(u => u.Id == request.UserId, ct)) errors.Add("userId", "is not a known user");
        if (request.ScopeOrgUnitId is { } scope && !await db.OrgUnits.AnyAsync(o => o.Id == scope, ct)) errors.Add("scopeOrgUnitId", "is not a known org unit");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var now = time.GetUtcNow();
        var actor = Actor.From(http);
        var assignment = new RoleAssignment
        {
            Id = Guid.CreateVersion7(now), UserId = request.UserId!.Value, Role = role!, ScopeOrgUnitId = request.ScopeOrgUnitId,
            CreatedAt = now, CreatedBy = actor.Name,
        };
        db.RoleAssignments.Add(assignment);
        db.AddIntegrationEvent(new RoleAssignmentChanged(assignment.Id, assignment.UserId, assignment.Role, assignment.ScopeOrgUnitId, true, now));
        db.Audit(actor, "role.granted", "user", assignment.UserId, null, RoleAssignmentDto.From(assignment), now);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The user has this role with this scope already.", "role");
        }
        return TypedResults.Created($"/api/identity/role-assignments/{assignment.Id}", RoleAssignmentDto.From(assignment));
    }

    public static async Task<Results<NoContent, NotFound, Conflict<ProblemDetails>>> Revoke(Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var assignment = await db.RoleAssignments.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (assignment is null) return TypedResults.NotFound();
        if (assignment is { Role: Roles.Administrator, ScopeOrgUnitId: null }
            && await db.RoleAssignments.CountAsync(r => r.Role == Roles.Administrator && r.ScopeOrgUnitId == null, ct) == 1)
            return Problems.Conflict("This is the last organisation-wide administrator; grant the role to someone else first.", "role");
        var now = time.GetUtcNow();
        db.RoleAssignments.Remove(assignment);
        db.AddIntegrationEvent(new RoleAssignmentChanged(assignment.Id, assignment.UserId, assignment.Role, assignment.ScopeOrgUnitId, false, now));
        db.Audit(Actor.From(http), "role.revoked", "user", assignment.UserId, RoleAssignmentDto.From(assignment), null, now);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<Page<RoleAssignmentDto>>, ValidationProblem>> ListAssignments(
        [AsParameters] PageRequest paging, Guid? userId, string? role, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.RoleAssignments.AsNoTracking();
        if (userId is { } u) query = query.Where(r => r.UserId == u);
        if (Roles.Canonical(role) is { } canonical) query = query.Where(r => r.Role == canonical);
        var page = await query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(RoleAssignmentDto.From));
    }

    private static async Task<Results<Ok<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> SaveAsync(
        IdentityDbContext db, OrgUnit unit, HttpContext http, CancellationToken ct)
    {
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The org unit was changed by someone else at the same time; read it again and retry.", "etag");
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict($"An org unit with the external id '{unit.ExternalId}' exists already.", "externalId");
        }
        http.Response.Headers.ETag = unit.ETag;
        return TypedResults.Ok(OrgUnitDto.From(unit));
    }
}
