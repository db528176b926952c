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

/// <summary>
/// SCIM 2.0 (RFC 7643/7644) at /scim/v2, for Entra ID, Okta or an HR system to provision users and groups. Users map to
/// platform users (employeeNumber is the HR external id); Groups map to org units (members are the users in the
/// unit). DELETE of a user deactivates it and hides it from SCIM: nothing is hard-deleted. Callers need a
/// client-credentials token with the <c>scim</c> scope; every error uses SCIM's error schema.
/// </summary>
public static class ScimApi
{
    public const string ContentType = "application/scim+json";
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    private const string ListSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
    private const string PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
    private const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
    private const int MaxCount = 200;

    private static readonly Dictionary<string, Expression<Func<User, object?>>> UserAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = u => u.Id,
        ["userName"] = u => u.Email,
        ["externalId"] = u => u.ScimExternalId,
        ["name.givenName"] = u => u.GivenName,
        ["name.familyName"] = u => u.FamilyName,
        ["displayName"] = u => u.GivenName + " " + u.FamilyName,
        ["title"] = u => u.JobTitle,
        ["active"] = u => u.Status == UserStatus.Active,
        ["emails"] = u => u.Email,
        ["emails.value"] = u => u.Email,
        ["addresses.locality"] = u => u.Location,
        ["employeeNumber"] = u => u.ExternalId,
        [Enterprise + ":employeeNumber"] = u => u.ExternalId,
        ["manager.value"] = u => u.ManagerId,
        [Enterprise + ":manager.value"] = u => u.ManagerId,
        ["meta.created"] = u => u.CreatedAt,
        ["meta.lastModified"] = u => u.UpdatedAt,
    };

    private static readonly Dictionary<string, Expression<Func<OrgUnit, object?>>> GroupAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["id"] = o => o.Id,
        ["displayName"] = o => o.Name,
        ["externalId"] = o => o.ExternalId,
        ["meta.created"] = o => o.CreatedAt,
        ["meta.lastModified"] = o => o.UpdatedAt,
    };

    public static IEndpointRouteBuilder MapScimApi(this IEndpointRouteBuilder app)
    {
        var scim = app.MapGroup("/scim/v2").AllowAnonymous().ExcludeFromDescription().DisableAntiforgery()
            .AddEndpointFilter(async (context, next) =>
            {
                var user = context.HttpContext.User;
                if (user.Identity?.IsAuthenticated != true) return Error(401, null, "A bearer token with the scim scope is required.");
                if (!user.HasClaim(LmsClaims.Permission, Permissions.ScimProvision)) return Error(403, null, "The token does not carry the scim scope.");
                try { return await next(context); }
                catch (ScimFilterException ex) { return Error(400, "invalidFilter", ex.Message); }
                catch (JsonException ex) { return Error(400, "invalidSyntax", "The body is not valid JSON: " + ex.Message); }
                catch (ScimException ex) { return Error(ex.Status, ex.ScimType, ex.Message); }
            });

        scim.MapGet("/ServiceProviderConfig", ServiceProviderConfig);
        scim.MapGet("/ResourceTypes", (HttpContext http) => Json(ListOf([ResourceType("User", "/Users", UserSchema, true), ResourceType("Group", "/Groups", GroupSchema, false)])));
        scim.MapGet("/Schemas", () => Json(ListOf([SchemaOf(UserSchema, "User"), SchemaOf(GroupSchema, "Group"), SchemaOf(Enterprise, "EnterpriseUser")])));

        scim.MapGet("/Users", ListUsers);
        scim.MapGet("/Users/{id:guid}", GetUser);
        scim.MapPost("/Users", CreateUser);
        scim.MapPut("/Users/{id:guid}", ReplaceUser);
        scim.MapPatch("/Users/{id:guid}", PatchUser);
        scim.MapDelete("/Users/{id:guid}", DeleteUser);

        scim.MapGet("/Groups", ListGroups);
        scim.MapGet("/Groups/{id:guid}", GetGroup);
        scim.MapPost("/Groups", CreateGroup);
        scim.MapPatch("/Groups/{id:guid}", PatchGroup);
        scim.MapDelete("/Groups/{id:guid}", DeleteGroup);
        return app;
    }

    // ---------- Users ----------

    private static async Task<IResult> ListUsers(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking().Where(u => !u.ScimDeleted);
        if (!string.IsNullOrWhiteSpace(filter)) query = query.Where(ScimFilter.Parse(filter, UserAttributes));
        var (start, take) = Paging(startIndex, count);
        var total = await query.CountAsync(ct);
        var users = await query.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).Skip(start - 1).Take(take).ToListAsync(ct);
        var departments = await DepartmentsAsync(db, users, ct);
        return Json(ListOf(users.Select(u => ToScim(u, departments, http)).ToList<JsonNode>(), total, start));
    }

    private static async Task<IResult> GetUser(Guid id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id && !u.ScimDeleted, ct);
        if (user is null) return Error(404, null, $"User {id} not found.");
        http.Response.Headers.ETag = Version(user);
        return Json(ToScim(user, await DepartmentsAsync(db, [user], ct), http));
    }

    private static async Task<IResult> CreateUser(HttpContext http, IdentityDbContext db, UserService users, CancellationToken ct)
    {
        var body = await ReadAsync(http, ct);
        var state = new ScimUserState();
        foreach (var (name, value) in body.AsObject()) await state.SetAsync(name, value, db, ct);
        var email = state.Email ?? throw new ScimException(400, "invalidValue", "userName is required.");
        // A user deleted through SCIM (deactivated, hidden) comes back when provisioned again.
        var existing = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == User.Normalize(email), ct);
        if (existing is { ScimDeleted: true })
        {
            existing.ScimDeleted = false;
            state.Active ??= true;
            return await SaveUserAsync(http, db, users, existing, state, null, 201, ct);
        }
        if (existing is not null) throw new ScimException(409, "uniqueness", $"A user with userName '{email}' exists already.");
        var outcome = await users.CreateAsync(state.ToInput(), Actor.From(http), ct, u => u.ScimExternalId = state.ScimExternalId);
        var created = Unwrap(outcome);
        if (state.Active == false) Unwrap(await users.SetStatusAsync(created, UserStatus.Deactivated, "SCIM", Actor.From(http), ct));
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
        var scimExternalId = state.ScimExternalId;
        var updated = Unwrap(await users.UpdateAsync(user, state.ToInput(), null, actor, ct, u => u.ScimExternalId = scimExternalId));
        var wanted = state.Active ?? updated.Status == UserStatus.Active;
        if (wanted != (updated.Status == UserStatus.Active))
            updated = Unwrap(await users.SetStatusAsync(updated, wanted ? UserStatus.Active : UserStatus.Deactivated, "SCIM", actor, ct));
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
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
        if (u.OrgUnitId is { } unit && departments.TryGetValue(unit, out var department)) enterprise["department"] = department;
        if (u.ManagerId is { } manager) enterprise["manager"] = new JsonObject { ["value"] = manager.ToString(), ["$ref"] = $"{BaseUrl(http)}/Users/{manager}" };
        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(UserSchema, Enterprise),
            ["id"] = u.Id.ToString(),
            ["externalId"] = u.ScimExternalId,
            ["userName"] = u.Email,
            ["name"] = new JsonObject { ["givenName"] = u.GivenName, ["familyName"] = u.FamilyName, ["formatted"] = u.DisplayName },
            ["displayName"] = u.DisplayName,
            ["title"] = u.JobTitle,
            ["active"] = u.Status == UserStatus.Active,
            ["emails"] = new JsonArray(new JsonObject { ["value"] = u.Email, ["type"] = "work", ["primary"] = true }),
            [Enterprise] = enterprise,
            ["meta"] = new JsonObject
            {
                ["resourceType"] = "User", ["created"] = u.CreatedAt.ToString("O"), ["lastModified"] = u.UpdatedAt.ToString("O"),
                ["location"] = $"{BaseUrl(http)}/Users/{u.Id}", ["version"] = Version(u),
            },
        };
        if (u.Location is not null) resource["addresses"] = new JsonArray(new JsonObject { ["type"] = "work", ["locality"] = u.Location });
        return resource;
    }

    private static async Task<IReadOnlyDictionary<Guid, string>> DepartmentsAsync(IdentityDbContext db, IReadOnlyCollection<User> users, CancellationToken ct)
    {
        var ids = users.Select(u => u.OrgUnitId).OfType<Guid>().Distinct().ToList();
        return ids.Count == 0 ? new Dictionary<Guid, string>() : await db.OrgUnits.AsNoTracking().Where(o => ids.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
    }

    private static string Version(User u) => $"W/\"{u.ConcurrencyStamp}\"";

    // ---------- Groups (org units) ----------

    private static async Task<IResult> ListGroups(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count, string? excludedAttributes, CancellationToken ct)
    {
        var query = db.OrgUnits.AsNoTracking().Where(o => o.Active);
        if (!string.IsNullOrWhiteSpace(filter)) query = query.Where(ScimFilter.Parse(filter, GroupAttributes));
        var (start, take) = Paging(startIndex, count);
        var total = await query.CountAsync(ct);
        var units = await query.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id).Skip(start - 1).Take(take).ToListAsync(ct);
        var withMembers = excludedAttributes?.Contains("members", StringComparison.OrdinalIgnoreCase) != true;
        var resources = new List<JsonNode>();
        foreach (var unit in units) resources.Add(await ToScimAsync(unit, withMembers, db, http, ct));
        return Json(ListOf(resources, total, start));
    }

    private static async Task<IResult> GetGroup(Guid id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var unit = await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id && o.Active, ct);
        return unit is null ? Error(404, null, $"Group {id} not found.") : Json(await ToScimAsync(unit, true, db, http, ct));
    }

    private static async Task<IResult> CreateGroup(HttpContext http, IdentityDbContext db, TimeProvider time, UserService users, CancellationToken ct)
    {
        var body = await ReadAsync(http, ct);
        var name = body["displayName"]?.GetValue<string>()?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200) throw new ScimException(400, "invalidValue", "displayName is required (at most 200 characters).");
        var externalId = body["externalId"]?.GetValue<string>()?.Trim();
        if (externalId is not null && await db.OrgUnits.AnyAsync(o => o.ExternalId == externalId, ct))
            throw new ScimException(409, "uniqueness", $"A group with externalId '{externalId}' exists already.");
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var unit = new OrgUnit { Id = id, Name = name, ExternalId = externalId, Path = OrgUnit.PathOf(null, id), CreatedAt = now, UpdatedAt = now };
        db.OrgUnits.Add(unit);
        db.AddIntegrationEvent(new OrgUnitCreated(unit.Id, unit.Name, unit.ExternalId, null, now));
        db.Audit(Actor.From(http), "orgunit.created", "orgunit", unit.Id, null, new { unit.Name, unit.ExternalId, via = "SCIM" }, now);
        await db.SaveChangesAsync(ct);
        if (body["members"] is JsonArray members) await SetMembersAsync(db, users, unit.Id, members, add: true, http, ct);
        http.Response.Headers.Location = $"{BaseUrl(http)}/Groups/{unit.Id}";
        return Json(await ToScimAsync(unit, true, db, http, ct), 201);
    }

    private static async Task<IResult> PatchGroup(Guid id, HttpContext http, IdentityDbContext db, UserService users, TimeProvider time, CancellationToken ct)
    {
        var unit = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id && o.Active, ct) ?? throw new ScimException(404, null, $"Group {id} not found.");
        var body = await ReadAsync(http, ct);
        foreach (var operation in Operations(body))
        {
            var op = operation["op"]?.GetValue<string>().ToLowerInvariant();
            var path = operation["path"]?.GetValue<string>();
            var value = operation["value"];
            if (path is null && value is JsonObject attributes && op is "add" or "replace")
            {
                if (attributes["displayName"] is { } dn) await RenameAsync(db, unit, dn.GetValue<string>(), http, time, ct);
                if (attributes["members"] is JsonArray m) await SetMembersAsync(db, users, unit.Id, m, add: true, http, ct);
            }
            else if (string.Equals(path, "displayName", StringComparison.OrdinalIgnoreCase) && op is "add" or "replace")
                await RenameAsync(db, unit, value?.GetValue<string>() ?? "", http, time, ct);
            else if (string.Equals(path, "members", StringComparison.OrdinalIgnoreCase) && op is "add" && value is JsonArray added)
                await SetMembersAsync(db, users, unit.Id, added, add: true, http, ct);
            else if (string.Equals(path, "members", StringComparison.OrdinalIgnoreCase) && op is "remove")
                await SetMembersAsync(db, users, unit.Id, value as JsonArray, add: false, http, ct);
            else if (path?.StartsWith("members[", StringComparison.OrdinalIgnoreCase) == true && op is "remove"
                     && System.Text.RegularExpressions.Regex.Match(path, "value\\s+eq\\s+\"([^\"]+)\"") is { Success: true } match)
                await SetMembersAsync(db, users, unit.Id, new JsonArray(new JsonObject { ["value"] = match.Groups[1].Value }), add: false, http, ct);
            else throw new ScimException(400, "invalidPath", $"Unsupported group operation '{op}' on '{path}'.");
        }
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteGroup(Guid id, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var unit = await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id && o.Active, ct) ?? throw new ScimException(404, null, $"Group {id} not found.");
        if (await db.Users.AnyAsync(u => u.OrgUnitId == id && u.Status == UserStatus.Active, ct) || await db.OrgUnits.AnyAsync(o => o.ParentId == id && o.Active, ct))
            throw new ScimException(409, "mutability", "The group still has active members or sub-units; remove them first.");
        var now = time.GetUtcNow();
        unit.Active = false;
        unit.UpdatedAt = now;
        db.AddIntegrationEvent(new OrgUnitChanged(unit.Id, ["active"], unit.Name, unit.ParentId, unit.PathIds(), false, now));
        db.Audit(Actor.From(http), "orgunit.deactivated", "orgunit", unit.Id, null, new { via = "SCIM" }, now);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task RenameAsync(IdentityDbContext db, OrgUnit unit, string name, HttpContext http, TimeProvider time, CancellationToken ct)
    {
        name = name.Trim();
        if (name.Length is 0 or > 200) throw new ScimException(400, "invalidValue", "displayName is required (at most 200 characters).");
        if (name == unit.Name) return;
        var now = time.GetUtcNow();
        db.Audit(Actor.From(http), "orgunit.updated", "orgunit", unit.Id, new { unit.Name }, new { Name = name, via = "SCIM" }, now);
        unit.Name = name;
        unit.UpdatedAt = now;
        db.AddIntegrationEvent(new OrgUnitChanged(unit.Id, ["name"], unit.Name, unit.ParentId, unit.PathIds(), unit.Active, now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Adding a member moves the user into the unit; removing one takes them out (only if they are in it).</summary>
    private static async Task SetMembersAsync(IdentityDbContext db, UserService users, Guid unitId, JsonArray? members, bool add, HttpContext http, CancellationToken ct)
    {
        var ids = members?.Select(m => Guid.TryParse(m?["value"]?.GetValue<string>(), out var g) ? g : throw new ScimException(400, "invalidValue", "A member value is not a user id.")).ToList();
        var query = db.Users.Where(u => !u.ScimDeleted);
        query = ids is null ? query.Where(u => u.OrgUnitId == unitId) : query.Where(u => ids.Contains(u.Id));
        var found = await query.ToListAsync(ct);
        if (ids is not null && found.Count != ids.Distinct().Count()) throw new ScimException(400, "invalidValue", "A member is not a known user.");
        foreach (var user in found)
        {
            if (!add && user.OrgUnitId != unitId) continue;
            var state = ScimUserState.From(user, new Dictionary<Guid, string>());
            var input = state.ToInput() with { OrgUnitId = add ? unitId : null };
            Unwrap(await users.UpdateAsync(user, input, null, Actor.From(http), ct));
        }
    }

    private static async Task<JsonObject> ToScimAsync(OrgUnit unit, bool withMembers, IdentityDbContext db, HttpContext http, CancellationToken ct)
    {
        var resource = new JsonObject
        {
            ["schemas"] = new JsonArray(GroupSchema),
            ["id"] = unit.Id.ToString(),
            ["externalId"] = unit.ExternalId,
            ["displayName"] = unit.Name,
            ["meta"] = new JsonObject
            {
                ["resourceType"] = "Group", ["created"] = unit.CreatedAt.ToString("O"), ["lastModified"] = unit.UpdatedAt.ToString("O"),
                ["location"] = $"{BaseUrl(http)}/Groups/{unit.Id}", ["version"] = $"W/\"{unit.Version}\"",
            },
        };
        if (withMembers)
        {
            var members = await db.Users.AsNoTracking().Where(u => u.OrgUnitId == unit.Id && !u.ScimDeleted)
                .OrderBy(u => u.FamilyName).Select(u => new { u.Id, u.GivenName, u.FamilyName }).ToListAsync(ct);
            resource["members"] = new JsonArray([.. members.Select(m => (JsonNode)new JsonObject
            {
                ["value"] = m.Id.ToString(), ["display"] = $"{m.GivenName} {m.FamilyName}", ["$ref"] = $"{BaseUrl(http)}/Users/{m.Id}",
            })]);
        }
        return resource;
    }

    // ---------- protocol ----------

    private static IResult ServiceProviderConfig(HttpContext http) => Json(new JsonObject
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"),
        ["documentationUri"] = $"{BaseUrl(http)}/ServiceProviderConfig",
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = MaxCount },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = false },
        ["etag"] = new JsonObject { ["supported"] = true },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken", ["name"] = "OAuth Bearer Token",
            ["description"] = "A client-credentials access token from /connect/token with the scim scope.", ["primary"] = true,
        }),
    });

    private static JsonObject ResourceType(string name, string endpoint, string schema, bool enterprise)
    {
        var type = new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ResourceType"),
            ["id"] = name, ["name"] = name, ["endpoint"] = endpoint, ["schema"] = schema,
            ["meta"] = new JsonObject { ["resourceType"] = "ResourceType" },
        };
        if (enterprise) type["schemaExtensions"] = new JsonArray(new JsonObject { ["schema"] = Enterprise, ["required"] = false });
        return type;
    }

    private static JsonObject SchemaOf(string id, string name)
    {
        static JsonObject Attr(string name, string type = "string", bool required = false, bool multi = false, string uniqueness = "none") => new()
        {
            ["name"] = name, ["type"] = type, ["multiValued"] = multi, ["required"] = required, ["caseExact"] = false,
            ["mutability"] = name == "id" ? "readOnly" : "readWrite", ["returned"] = "default", ["uniqueness"] = uniqueness,
        };
        JsonArray attributes = id switch
        {
            UserSchema => [Attr("userName", required: true, uniqueness: "server"), Attr("name", "complex"), Attr("displayName"), Attr("title"),
                Attr("active", "boolean"), Attr("emails", "complex", multi: true), Attr("addresses", "complex", multi: true), Attr("externalId")],
            GroupSchema => [Attr("displayName", required: true), Attr("members", "complex", multi: true), Attr("externalId")],
            _ => [Attr("employeeNumber", uniqueness: "server"), Attr("department"), Attr("manager", "complex")],
        };
        return new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:Schema"),
            ["id"] = id, ["name"] = name, ["attributes"] = attributes, ["meta"] = new JsonObject { ["resourceType"] = "Schema" },
        };
    }

    private static JsonObject ListOf(IReadOnlyList<JsonNode> resources, int? total = null, int start = 1) => new()
    {
        ["schemas"] = new JsonArray(ListSchema),
        ["totalResults"] = total ?? resources.Count,
        ["startIndex"] = start,
        ["itemsPerPage"] = resources.Count,
        ["Resources"] = new JsonArray([.. resources.Select(r => r.DeepClone())]),
    };

    private static (int Start, int Take) Paging(int? startIndex, int? count) =>
        (Math.Max(1, startIndex ?? 1), Math.Clamp(count ?? 100, 0, MaxCount));

    private static IEnumerable<JsonObject> Operations(JsonNode body)
    {
        if (body["schemas"] is not JsonArray schemas || !schemas.Any(s => s?.GetValue<string>() == PatchSchema))
            throw new ScimException(400, "invalidSyntax", $"A PATCH body must carry the schema {PatchSchema}.");
        if (body["Operations"] is not JsonArray operations || operations.Count == 0)
            throw new ScimException(400, "invalidSyntax", "A PATCH body needs Operations.");
        return operations.Select(o => o as JsonObject ?? throw new ScimException(400, "invalidSyntax", "Each operation must be an object."));
    }

    private static async Task<JsonNode> ReadAsync(HttpContext http, CancellationToken ct) =>
        await JsonNode.ParseAsync(http.Request.Body, cancellationToken: ct) as JsonObject
        ?? throw new ScimException(400, "invalidSyntax", "The body must be a JSON object.");

    private static string BaseUrl(HttpContext http) => http.RequestServices.GetRequiredService<IConfiguration>()["Identity:Issuer"]!.TrimEnd('/') + "/scim/v2";

    private static IResult Json(JsonNode node, int status = 200) =>
        Results.Text(node.ToJsonString(), ContentType, System.Text.Encoding.UTF8, status);

    public static IResult Error(int status, string? scimType, string detail)
    {
        var error = new JsonObject { ["schemas"] = new JsonArray(ErrorSchema), ["status"] = status.ToString(), ["detail"] = detail };
        if (scimType is not null) error["scimType"] = scimType;
        return Json(error, status);
    }
}

public sealed class ScimException(int status, string? scimType, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string? ScimType { get; } = scimType;
}
