using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Scim;

/// <summary>
/// SCIM Groups are org units (ADR 0009): every active unit is a group, its members are the users whose unit it is.
/// A group created by SCIM is a root unit that an administrator may move; SCIM never changes a unit's parent. Adding a
/// user to a group moves them into that unit (a user is in one unit). Every change goes through
/// <see cref="OrgUnitService"/> and <see cref="UserService"/>, so SCIM obeys the same rules as the admin API and the
/// CSV import; a request runs in one transaction, so a refused one writes nothing.
/// </summary>
public static partial class ScimApi
{
    private enum Membership { Add, Remove, Replace }

    private static async Task<IResult> ListGroups(HttpContext http, IdentityDbContext db, string? filter, int? startIndex, int? count,
        string? sortBy, string? sortOrder, string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var query = db.OrgUnits.AsNoTracking().Where(o => o.Active);
        if (!string.IsNullOrWhiteSpace(filter)) query = query.Where(ScimFilter.Parse(filter, GroupAttributes));
        var (start, take) = Paging(startIndex, count);
        var total = await query.CountAsync(ct);
        var units = await ScimQuery.Sort(query, sortBy, sortOrder, GroupAttributes, o => o.Id, o => o.CreatedAt).Skip(start - 1).Take(take).ToListAsync(ct);
        // Members are the costly part of a group: read only when they are returned.
        var withMembers = excludedAttributes?.Contains("members", StringComparison.OrdinalIgnoreCase) != true
                          && (string.IsNullOrWhiteSpace(attributes) || attributes.Contains("members", StringComparison.OrdinalIgnoreCase));
        var resources = new List<JsonNode>();
        foreach (var unit in units) resources.Add(ScimQuery.Shape(await ToScimAsync(unit, withMembers, db, http, ct), attributes, excludedAttributes));
        return Json(ListOf(resources, total, start));
    }

    private static async Task<IResult> GetGroup(Guid id, HttpContext http, IdentityDbContext db, string? attributes, string? excludedAttributes, CancellationToken ct)
    {
        var unit = await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id && o.Active, ct);
        return unit is null ? Error(404, null, $"Group {id} not found.")
            : Json(ScimQuery.Shape(await ToScimAsync(unit, true, db, http, ct), attributes, excludedAttributes));
    }

    private static async Task<IResult> CreateGroup(HttpContext http, IdentityDbContext db, OrgUnitService units, UserService users, CancellationToken ct)
    {
        var body = await ReadAsync(http, ct);
        var name = DisplayName(body["displayName"]);
        var members = body["members"] is { } m ? MemberIds(m) : [];
        // Group names are how identity providers match a group to an existing one: a second active unit of the same
        // name would split the organisation's "Sales" in two.
        if (await db.OrgUnits.Where(o => o.Active && o.Name.ToLower() == name.ToLower()).Select(o => (Guid?)o.Id).FirstOrDefaultAsync(ct) is { } same)
            throw new ScimException(409, "uniqueness", $"A group named '{name}' exists already (id {same}); match it by displayName instead of creating another.");
        var unit = await units.CreateAsync(name, Text(body["externalId"]), null, Actor.From(http), ct);
        await units.SaveAsync(ct);
        await SetMembersAsync(db, users, unit, members, Membership.Add, http, ct);
        http.Response.Headers.Location = $"{BaseUrl(http)}/Groups/{unit.Id}";
        return Json(await ToScimAsync(unit, true, db, http, ct), 201);
    }

    private static async Task<IResult> ReplaceGroup(Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, UserService users, CancellationToken ct)
    {
        var unit = await FindGroupAsync(db, id, ct);
        var body = await ReadAsync(http, ct);
        var members = body["members"] is { } m ? MemberIds(m) : [];
        await units.UpdateAsync(unit, DisplayName(body["displayName"]), Text(body["externalId"]), unit.ParentId, Actor.From(http), ct);
        await units.SaveAsync(ct);
        await SetMembersAsync(db, users, unit, members, Membership.Replace, http, ct);
        return Json(await ToScimAsync(unit, true, db, http, ct));
    }

    private static async Task<IResult> PatchGroup(Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, UserService users, CancellationToken ct)
    {
        var unit = await FindGroupAsync(db, id, ct);
        var body = await ReadAsync(http, ct);
        var actor = Actor.From(http);
        foreach (var operation in Operations(body))
        {
            var op = operation["op"]?.GetValue<string>().ToLowerInvariant();
            var path = operation["path"]?.GetValue<string>();
            var value = operation["value"];
            var (name, externalId) = (unit.Name, unit.ExternalId);
            switch (op, path?.ToLowerInvariant())
            {
                case ("add" or "replace", null) when value is JsonObject attributes:
                    foreach (var (attribute, v) in attributes)
                        switch (attribute.ToLowerInvariant())
                        {
                            case "displayname": name = DisplayName(v); break;
                            case "externalid": externalId = Text(v); break;
                            case "members": await SetMembersAsync(db, users, unit, MemberIds(v), op == "add" ? Membership.Add : Membership.Replace, http, ct); break;
                            default: throw new ScimException(400, "invalidPath", $"'{attribute}' is not a Group attribute that can be changed.");
                        }
                    break;
                case ("add" or "replace", "displayname"): name = DisplayName(value); break;
                case ("add" or "replace", "externalid"): externalId = Text(value); break;
                case ("remove", "externalid"): externalId = null; break;
                case ("add", "members"): await SetMembersAsync(db, users, unit, MemberIds(value), Membership.Add, http, ct); break;
                case ("replace", "members"): await SetMembersAsync(db, users, unit, value is null ? [] : MemberIds(value), Membership.Replace, http, ct); break;
                case ("remove", "members"):
                    if (value is null) await SetMembersAsync(db, users, unit, [], Membership.Replace, http, ct);
                    else await SetMembersAsync(db, users, unit, MemberIds(value), Membership.Remove, http, ct);
                    break;
                case ("remove", { } p) when MemberFilter().Match(p) is { Success: true } match:
                    await SetMembersAsync(db, users, unit, [ParseMember(match.Groups[1].Value)], Membership.Remove, http, ct);
                    break;
                default:
                    throw new ScimException(400, op is "add" or "replace" or "remove" ? "invalidPath" : "invalidSyntax", $"Unsupported group operation '{op}' on '{path}'.");
            }
            if (name != unit.Name || externalId != unit.ExternalId)
            {
                await units.UpdateAsync(unit, name, externalId, unit.ParentId, actor, ct);
                await units.SaveAsync(ct);
            }
        }
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteGroup(Guid id, HttpContext http, IdentityDbContext db, OrgUnitService units, CancellationToken ct)
    {
        var unit = await FindGroupAsync(db, id, ct);
        await units.DeactivateAsync(unit, Actor.From(http), ct);
        await units.SaveAsync(ct);
        return Results.NoContent();
    }

    private static async Task<OrgUnit> FindGroupAsync(IdentityDbContext db, Guid id, CancellationToken ct) =>
        await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id && o.Active, ct) ?? throw new ScimException(404, null, $"Group {id} not found.");

    /// <summary>
    /// Adds users to the unit (moving them from wherever they were), takes them out of it, or makes the members exactly
    /// <paramref name="ids"/>. Every id must be a user SCIM can see.
    /// </summary>
    private static async Task SetMembersAsync(IdentityDbContext db, UserService users, OrgUnit unit, IReadOnlyCollection<Guid> ids, Membership mode,
        HttpContext http, CancellationToken ct)
    {
        var named = await db.Users.Where(u => ids.Contains(u.Id) && !u.ScimDeleted).ToListAsync(ct);
        if (ids.FirstOrDefault(id => named.All(u => u.Id != id)) is var unknown && unknown != Guid.Empty)
            throw new ScimException(400, "invalidValue", $"Member {unknown} is not a known user.");
        var current = mode == Membership.Replace
            ? await db.Users.Where(u => u.OrgUnitId == unit.Id && !u.ScimDeleted && !ids.Contains(u.Id)).ToListAsync(ct)
            : [];
        var moves = mode switch
        {
            Membership.Add or Membership.Replace => named.Where(u => u.OrgUnitId != unit.Id).Select(u => (User: u, To: (Guid?)unit.Id)),
            _ => named.Where(u => u.OrgUnitId == unit.Id).Select(u => (User: u, To: (Guid?)null)),
        };
        foreach (var (user, to) in moves.Concat(current.Select(u => (User: u, To: (Guid?)null))).ToList())
        {
            var input = ScimUserState.From(user, new Dictionary<Guid, string>()).ToInput() with { OrgUnitId = to };
            Unwrap(await users.UpdateAsync(user, input, null, Actor.From(http), ct));
        }
    }

    private static List<Guid> MemberIds(JsonNode? value) => value switch
    {
        JsonArray members => members.Select(m => ParseMember(m?["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)).Distinct().ToList(),
        JsonObject member => [ParseMember(member["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null)],
        _ => throw new ScimException(400, "invalidValue", "members must be a list of objects with a value (a user id)."),
    };

    private static Guid ParseMember(string? value) =>
        value is null ? throw new ScimException(400, "invalidValue", "A member has no value; each member needs the user's id as its value.")
        : Guid.TryParse(value, out var id) ? id
        : throw new ScimException(400, "invalidValue", $"Member '{value}' is not a user id.");

    private static string DisplayName(JsonNode? value)
    {
        var name = Text(value);
        if (name is null || name.Length > 200) throw new ScimException(400, "invalidValue", "displayName is required (at most 200 characters).");
        return name;
    }

    private static string? Text(JsonNode? value)
    {
        if (value is null) return null;
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) throw new ScimException(400, "invalidValue", "Expected a string.");
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    [GeneratedRegex("""^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$""", RegexOptions.IgnoreCase)]
    private static partial Regex MemberFilter();

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
}
