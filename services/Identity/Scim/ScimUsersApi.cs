using LmsPlatform.ServiceDefaults.Http;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Scim;

/// <summary>SCIM Users: platform users, through <see cref="UserService"/> like every other door.</summary>
public static partial class ScimApi
{
    // ---------- Users ----------

    private static async Task<IResult> ListUsers(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count,
        string? sortBy, string? sortOrder, string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking().Where(u => !u.ScimDeleted);
        if (!string.IsNullOrWhiteSpace(filter)) query = query.Where(ScimFilter.Parse(filter, UserAttributes));
        var (start, take) = Paging(startIndex, count);
        var total = await query.CountAsync(ct);
        var users = await ScimQuery.Sort(query, sortBy, sortOrder, UserAttributes, u => u.Id, u => u.CreatedAt).Skip(start - 1).Take(take).ToListAsync(ct);
        var departments = await DepartmentsAsync(db, users, ct);
        return Json(ListOf(users.Select(u => ScimQuery.Shape(ToScim(u, departments, http), attributes, excludedAttributes)).ToList<JsonNode>(), total, start));
    }

    private static async Task<IResult> GetUser(Guid id, HttpContext http, IdentityDbContext db, string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && !u.ScimDeleted, ct);
        if (user is null) return Error(404, null, $"User {id} not found.");
        http.Response.Headers.ETag = Version(user);
        return Json(ScimQuery.Shape(ToScim(user, await DepartmentsAsync(db, [user], ct), http), attributes, excludedAttributes));
    }

    private static async Task<IResult> CreateUser(HttpContext http, IdentityDbContext db, UserService users, CancellationToken ct)
    {
        var body = await ReadAsync(http, ct);
        var state = new ScimUserState();
        foreach (var (name, value) in body.AsObject()) await state.SetAsync(name, value, db, ct);
        var userName = state.UserName ?? throw new ScimException(400, "invalidValue", "userName is required.");
        // A user deleted through SCIM (deactivated, hidden) comes back when provisioned again.
        var existing = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUserName == User.Normalize(userName), ct);
        if (existing is { ScimDeleted: true })
        {
            existing.ScimDeleted = false;
            state.Active ??= true;
            return await SaveUserAsync(http, db, users, existing, state, null, 201, ct);
        }
        if (existing is not null) throw new ScimException(409, "uniqueness", $"A user with userName '{userName}' exists already.");
        var created = Unwrap(await users.CreateAsync(state.ToInput(), Actor.From(http), ct, state.ApplyScimAttributes,
            state.Active == false ? UserStatus.Deactivated : UserStatus.Active));
        http.Response.Headers.Location = $"{BaseUrl(http)}/Users/{created.Id}";
        http.Response.Headers.ETag = Version(created);
        return Json(ToScim(created, await DepartmentsAsync(db, [created], ct), http), 201);
    }

    private static async Task<IResult> ReplaceUser(Guid id, HttpContext http, IdentityDbContext db, UserService users, CancellationToken ct)
    {
        var user = await FindUserAsync(db, id, ct);
        var body = await ReadAsync(http, ct);
        var state = new ScimUserState { Active = true };
        foreach (var (name, value) in body.AsObject()) await state.SetAsync(name, value, db, ct);
        return await SaveUserAsync(http, db, users, user, state, http.Request.Headers.IfMatch.FirstOrDefault(), 200, ct);
    }

    private static async Task<IResult> PatchUser(Guid id, HttpContext http, IdentityDbContext db, UserService users, CancellationToken ct)
    {
        var user = await FindUserAsync(db, id, ct);
        var body = await ReadAsync(http, ct);
        var state = ScimUserState.From(user, await DepartmentsAsync(db, [user], ct));
        foreach (var operation in Operations(body))
        {
            var op = operation["op"]?.GetValue<string>().ToLowerInvariant();
            var path = operation["path"]?.GetValue<string>();
            var value = operation["value"];
            switch (op)
            {
                case "add" or "replace" when path is null:
                    if (value is not JsonObject attributes) throw new ScimException(400, "invalidValue", "Without a path, value must be an object of attributes.");
                    foreach (var (name, v) in attributes) await state.SetAsync(name, v, db, ct);
                    break;
                case "add" or "replace":
                    await state.SetAsync(path!, value, db, ct);
                    break;
                case "remove" when path is not null:
                    await state.SetAsync(path, null, db, ct);
                    break;
                default:
                    throw new ScimException(400, "invalidSyntax", $"Unsupported operation '{op}'{(path is null ? " without a path" : "")}.");
            }
        }
        return await SaveUserAsync(http, db, users, user, state, http.Request.Headers.IfMatch.FirstOrDefault(), 200, ct);
    }

    private static async Task<IResult> DeleteUser(Guid id, HttpContext http, IdentityDbContext db, UserService users, CancellationToken ct)
    {
        var user = await FindUserAsync(db, id, ct);
        user.ScimDeleted = true;
        Unwrap(await users.SetStatusAsync(user, UserStatus.Deactivated, "deleted by SCIM", Actor.From(http), ct));
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct); // when the user was inactive already
        return Results.NoContent();
    }

    private static async Task<IResult> SaveUserAsync(HttpContext http, IdentityDbContext db, UserService users, User user, ScimUserState state,
        string? ifMatch, int status, CancellationToken ct)
    {
        if (ETags.IsStale(ifMatch, Version(user)))
            throw new ScimException(412, null, "The resource was changed since the version in If-Match.");
        var actor = Actor.From(http);
        var wanted = state.Active ?? user.Status == UserStatus.Active;
        var updated = Unwrap(await users.UpdateAsync(user, state.ToInput(), null, actor, ct, state.ApplyScimAttributes,
            wanted == (user.Status == UserStatus.Active) ? null : wanted ? UserStatus.Active : UserStatus.Deactivated, "SCIM"));
        http.Response.Headers.ETag = Version(updated);
        return Json(ToScim(updated, await DepartmentsAsync(db, [updated], ct), http), status);
    }

    private static async Task<User> FindUserAsync(IdentityDbContext db, Guid id, CancellationToken ct) =>
        await db.Users.FirstOrDefaultAsync(u => u.Id == id && !u.ScimDeleted, ct) ?? throw new ScimException(404, null, $"User {id} not found.");

    private static User Unwrap(Outcome<User> outcome) => outcome switch
    {
        Outcome<User>.Ok(var user) => user,
        Outcome<User>.Invalid(var errors) => throw new ScimException(400, "invalidValue", string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"))),
        Outcome<User>.Conflict(var detail, _) => throw new ScimException(409, "uniqueness", detail),
        _ => throw new ScimException(404, null, "Not found."),
    };

    private static JsonObject ToScim(User u, IReadOnlyDictionary<Guid, string> departments, HttpContext http)
    {
        var enterprise = new JsonObject { ["employeeNumber"] = u.ExternalId };
        if (u.OrgUnitId is { } unit && departments.TryGetValue(unit, out var department)) enterprise["department"] = u.Department ?? department;
        else if (u.Department is not null) enterprise["department"] = u.Department;
        if (u.ManagerId is { } manager) enterprise["manager"] = new JsonObject { ["value"] = manager.ToString(), ["$ref"] = $"{BaseUrl(http)}/Users/{manager}" };
        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(UserSchema, Enterprise),
            ["id"] = u.Id.ToString(),
            ["externalId"] = u.ScimExternalId,
            ["userName"] = u.UserName,
            ["name"] = new JsonObject { ["givenName"] = u.GivenName, ["familyName"] = u.FamilyName, ["formatted"] = u.DisplayName },
            ["displayName"] = u.DisplayName,
            ["title"] = u.JobTitle,
            ["active"] = u.Status == UserStatus.Active,
            [Enterprise] = enterprise,
            ["meta"] = new JsonObject
            {
                ["resourceType"] = "User", ["created"] = u.CreatedAt.ToString("O"), ["lastModified"] = u.UpdatedAt.ToString("O"),
                ["location"] = $"{BaseUrl(http)}/Users/{u.Id}", ["version"] = Version(u),
            },
        };
        if (u.Email is not null) resource["emails"] = new JsonArray(new JsonObject { ["value"] = u.Email, ["type"] = "work", ["primary"] = true });
        if (u.Location is not null) resource["addresses"] = new JsonArray(new JsonObject { ["type"] = "work", ["locality"] = u.Location });
        return resource;
    }

    private static async Task<IReadOnlyDictionary<Guid, string>> DepartmentsAsync(IdentityDbContext db, IReadOnlyCollection<User> users, CancellationToken ct)
    {
        var ids = users.Select(u => u.OrgUnitId).OfType<Guid>().Distinct().ToList();
        return ids.Count == 0 ? new Dictionary<Guid, string>() : await db.OrgUnits.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
    }

    private static string Version(User u) => $"W/\"{u.ConcurrencyStamp}\"";
}
