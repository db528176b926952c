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

public sealed record OrgUnitRequest(string? Name, string? ExternalId, Guid? ParentId)
{
    public Dictionary<string, string[]> Validate() => new ValidationErrors()
        .Required("name", Name, 200).MaxLength("externalId", ExternalId, 64).ToDictionary();
}

public sealed record OrgUnitDto(Guid Id, string Name, string? ExternalId, Guid? ParentId, IReadOnlyList<Guid> Path, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static OrgUnitDto From(OrgUnit o) => new(o.Id, o.Name, o.ExternalId, o.ParentId, o.PathIds(), o.Active, o.CreatedAt, o.UpdatedAt);
}

/// <summary>
/// The org unit tree, for administrators: a thin door over <see cref="OrgUnitService"/>, where the rules are. A refused
/// change (<see cref="ServiceDefaults.Domain.DomainRuleException"/>) is answered by the exception handler as a 400 or
/// 409 naming the field.
/// </summary>
public static class OrgUnitsApi
{
    public static IEndpointRouteBuilder MapOrgUnitsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/org-units").WithTags("Org units");
        api.MapPost("/", Create).WithName("CreateOrgUnit").WithSummary("Create an org unit under a parent (or as a root)").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapGet("/{id:guid}", Get).WithName("GetOrgUnit").WithSummary("Get an org unit (ETag in the response)").RequireAuthorization(Permissions.OrgUnitsRead);
        api.MapPut("/{id:guid}", Update).WithName("UpdateOrgUnit").WithSummary("Rename or move an org unit with its subtree (no cycles); If-Match is checked").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapPost("/{id:guid}/deactivate", (Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, CancellationToken ct) =>
                ChangeAsync(id, http, db, units, (unit, actor) => units.DeactivateAsync(unit, actor, ct), ct))
            .WithName("DeactivateOrgUnit").WithSummary("Deactivate an org unit (refused while active units or users are in it)").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapPost("/{id:guid}/reactivate", (Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, CancellationToken ct) =>
                ChangeAsync(id, http, db, units, (unit, actor) => units.ReactivateAsync(unit, actor, ct), ct))
            .WithName("ReactivateOrgUnit").WithSummary("Reactivate an org unit (refused while its parent is inactive)").RequireOrganisationWide(Permissions.OrgUnitsWrite);
        api.MapGet("/", List).WithName("ListOrgUnits").WithSummary("List org units: children of a parent, or a subtree, or search by name; paged").RequireAuthorization(Permissions.OrgUnitsRead);
        return app;
    }

    public static async Task<Results<Created<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        OrgUnitRequest request, HttpContext http, OrgUnitService units, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var unit = await units.CreateAsync(request.Name!, request.ExternalId, request.ParentId, Actor.From(http), ct);
        await units.SaveAsync(ct);
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
        Guid id, OrgUnitRequest request, HttpContext http, IdentityDbContext db, OrgUnitService units, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        return await ChangeAsync(id, http, db, units, (unit, actor) => units.UpdateAsync(unit, request.Name!, request.ExternalId, request.ParentId, actor, ct), ct);
    }

    /// <summary>Loads the unit, checks If-Match, applies the change and saves it.</summary>
    private static async Task<Results<Ok<OrgUnitDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound>> ChangeAsync(
        Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, Func<OrgUnit, Actor, Task> change, CancellationToken ct)
    {
        var unit = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id, ct);
        if (unit is null) return TypedResults.NotFound();
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), unit.ETag))
            return Problems.Conflict("The org unit was changed by someone else since you read it; read it again and retry.", "etag");
        await change(unit, Actor.From(http));
        await units.SaveAsync(ct);
        http.Response.Headers.ETag = unit.ETag;
        return TypedResults.Ok(OrgUnitDto.From(unit));
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
}
