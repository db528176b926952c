using LmsPlatform.ServiceDefaults.Http;
using System.Linq.Expressions;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Scim;

/// <summary>
/// SCIM 2.0 (RFC 7643/7644) at /scim/v2, for Entra ID, Okta or an HR system to provision users and groups. Users map to
/// platform users (employeeNumber is the HR external id); Groups map to org units (members are the users in the
/// unit). DELETE of a user deactivates it and hides it from SCIM: nothing is hard-deleted. Callers need a
/// client-credentials token with the <c>scim</c> scope; every error uses SCIM's error schema.
/// </summary>
public static partial class ScimApi
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
        ["userName"] = u => u.UserName,
        ["externalId"] = u => u.ScimExternalId,
        ["name.givenName"] = u => u.GivenName,
        ["name.familyName"] = u => u.FamilyName,
        ["displayName"] = u => u.GivenName + " " + u.FamilyName,
        ["title"] = u => u.JobTitle,
        ["active"] = u => u.Status == UserStatus.Active,
        ["emails"] = u => u.Email,
        ["emails.value"] = u => u.Email,
        // A user has at most one email, their work address, which is primary.
        ["emails.type"] = u => u.Email == null ? null : "work",
        ["emails.primary"] = u => u.Email != null,
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
                if (user.Identity?.IsAuthenticated != true)
                {
                    context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer realm=\"scim\", scope=\"scim\"";
                    return Error(401, null, "A bearer token with the scim scope is required.");
                }
                if (!user.HasClaim(LmsClaims.Permission, Permissions.ScimProvision)) return Error(403, null, "The token does not carry the scim scope.");
                try { return await InTransactionAsync(context, next); }
                catch (ScimFilterException ex) { return Error(400, "invalidFilter", ex.Message); }
                catch (JsonException ex) { return Error(400, "invalidSyntax", "The body is not valid JSON: " + ex.Message); }
                catch (ScimException ex) { return Error(ex.Status, ex.ScimType, ex.Message); }
                catch (DomainRuleException ex) { return Error(ex.IsConflict ? 409 : 400, ex.IsConflict ? "mutability" : "invalidValue", ex.Message); }
            });

        scim.MapGet("/ServiceProviderConfig", ServiceProviderConfig);
        scim.MapGet("/ResourceTypes", (HttpContext http) => Json(ListOf([.. ResourceTypes(http)])));
        scim.MapGet("/ResourceTypes/{id}", (string id, HttpContext http) =>
            ResourceTypes(http).FirstOrDefault(r => string.Equals((string?)r["id"], id, StringComparison.OrdinalIgnoreCase)) is { } type
                ? Json(type) : Error(404, null, $"Resource type '{id}' not found."));
        scim.MapGet("/Schemas", (HttpContext http) => Json(ListOf([.. Schemas(http)])));
        scim.MapGet("/Schemas/{id}", (string id, HttpContext http) =>
            Schemas(http).FirstOrDefault(r => string.Equals((string?)r["id"], id, StringComparison.OrdinalIgnoreCase)) is { } schema
                ? Json(schema) : Error(404, null, $"Schema '{id}' not found."));
        // Bulk is not offered (ServiceProviderConfig says so); a client that tries is told plainly.
        scim.MapPost("/Bulk", () => Error(501, null, "Bulk operations are not supported; send each operation on its own."));

        scim.MapGet("/Users", ListUsers);
        scim.MapGet("/Users/{id:guid}", GetUser);
        scim.MapPost("/Users", CreateUser);
        scim.MapPut("/Users/{id:guid}", ReplaceUser);
        scim.MapPatch("/Users/{id:guid}", PatchUser);
        scim.MapDelete("/Users/{id:guid}", DeleteUser);

        scim.MapGet("/Groups", ListGroups);
        scim.MapGet("/Groups/{id:guid}", GetGroup);
        scim.MapPost("/Groups", CreateGroup);
        scim.MapPut("/Groups/{id:guid}", ReplaceGroup);
        scim.MapPatch("/Groups/{id:guid}", PatchGroup);
        scim.MapDelete("/Groups/{id:guid}", DeleteGroup);
        return app;
    }

    // ---------- protocol ----------

    /// <summary>
    /// A write runs in one transaction, committed only when it succeeds: a request refused halfway (a group whose
    /// third member is unknown) leaves nothing behind. The body is buffered so that a retried transaction reads it again.
    /// </summary>
    private static async ValueTask<object?> InTransactionAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method)) return await next(context);
        http.Request.EnableBuffering();
        var db = http.RequestServices.GetRequiredService<IdentityDbContext>();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            http.Request.Body.Position = 0;
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(http.RequestAborted);
            var result = await next(context);
            if (result is not IStatusCodeHttpResult { StatusCode: >= 400 }) await transaction.CommitAsync(http.RequestAborted);
            return result;
        });
    }

    private static IResult ServiceProviderConfig(HttpContext http) => Json(new JsonObject
    {
        ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"),
        ["documentationUri"] = $"{BaseUrl(http)}/ServiceProviderConfig",
        ["patch"] = new JsonObject { ["supported"] = true },
        ["bulk"] = new JsonObject { ["supported"] = false, ["maxOperations"] = 0, ["maxPayloadSize"] = 0 },
        ["filter"] = new JsonObject { ["supported"] = true, ["maxResults"] = MaxCount },
        ["changePassword"] = new JsonObject { ["supported"] = false },
        ["sort"] = new JsonObject { ["supported"] = true },
        ["etag"] = new JsonObject { ["supported"] = true },
        ["authenticationSchemes"] = new JsonArray(new JsonObject
        {
            ["type"] = "oauthbearertoken", ["name"] = "OAuth Bearer Token",
            ["description"] = "A client-credentials access token from /connect/token with the scim scope.", ["primary"] = true,
        }),
    });

    private static IEnumerable<JsonObject> ResourceTypes(HttpContext http) =>
        [ResourceType("User", "/Users", UserSchema, true, http), ResourceType("Group", "/Groups", GroupSchema, false, http)];

    private static JsonObject ResourceType(string name, string endpoint, string schema, bool enterprise, HttpContext http)
    {
        var type = new JsonObject
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:ResourceType"),
            ["id"] = name, ["name"] = name, ["endpoint"] = endpoint, ["schema"] = schema,
            ["meta"] = new JsonObject { ["resourceType"] = "ResourceType", ["location"] = $"{BaseUrl(http)}/ResourceTypes/{name}" },
        };
        if (enterprise) type["schemaExtensions"] = new JsonArray(new JsonObject { ["schema"] = Enterprise, ["required"] = false });
        return type;
    }

    /// <summary>The schemas (RFC 7643 §7) of what this server keeps, complex attributes with their sub-attributes.</summary>
    private static IEnumerable<JsonObject> Schemas(HttpContext http)
    {
        static JsonObject Attr(string name, string type = "string", bool required = false, bool multi = false, string uniqueness = "none",
            string mutability = "readWrite", string returned = "default", bool caseExact = false, JsonObject[]? sub = null, string[]? canonical = null)
        {
            var attribute = new JsonObject
            {
                ["name"] = name, ["type"] = type, ["multiValued"] = multi, ["description"] = name, ["required"] = required,
                ["caseExact"] = caseExact, ["mutability"] = mutability, ["returned"] = returned, ["uniqueness"] = uniqueness,
            };
            if (sub is not null) attribute["subAttributes"] = new JsonArray([.. sub]);
            if (canonical is not null) attribute["canonicalValues"] = new JsonArray([.. canonical.Select(c => (JsonNode)c)]);
            if (type == "reference") attribute["referenceTypes"] = new JsonArray("User", "Group");
            return attribute;
        }
        JsonObject Schema(string id, string name, params JsonObject[] attributes) => new()
        {
            ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:Schema"),
            ["id"] = id, ["name"] = name, ["description"] = name, ["attributes"] = new JsonArray([.. attributes]),
            ["meta"] = new JsonObject { ["resourceType"] = "Schema", ["location"] = $"{BaseUrl(http)}/Schemas/{id}" },
        };
        return
        [
            Schema(UserSchema, "User",
                Attr("userName", required: true, uniqueness: "server"),
                Attr("name", "complex", sub: [Attr("formatted", mutability: "readOnly"), Attr("givenName"), Attr("familyName")]),
                Attr("displayName", mutability: "readOnly"),
                Attr("title"),
                Attr("active", "boolean"),
                Attr("emails", "complex", multi: true, sub: [Attr("value"), Attr("type", canonical: ["work"]), Attr("primary", "boolean")]),
                Attr("addresses", "complex", multi: true, sub: [Attr("type", canonical: ["work"]), Attr("locality")])),
            Schema(GroupSchema, "Group",
                Attr("displayName", required: true),
                Attr("members", "complex", multi: true, sub: [Attr("value", mutability: "immutable"), Attr("$ref", "reference", mutability: "immutable"),
                    Attr("display", mutability: "readOnly"), Attr("type", mutability: "immutable", canonical: ["User"])])),
            Schema(Enterprise, "EnterpriseUser",
                Attr("employeeNumber", uniqueness: "server"),
                Attr("department"),
                Attr("manager", "complex", sub: [Attr("value"), Attr("$ref", "reference"), Attr("displayName", mutability: "readOnly")])),
        ];
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

    /// <summary>
    /// What routing answers by itself under /scim/v2 (an unknown path, a method a path does not take) is a SCIM error
    /// too, in SCIM's media type, as identity providers expect of every response there.
    /// </summary>
    public static IApplicationBuilder UseScimErrors(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        await next(http);
        if (!http.Request.Path.StartsWithSegments("/scim/v2") || http.Response.HasStarted || http.Response.StatusCode < 400
            || http.Response.ContentLength > 0 || http.Response.ContentType is not null) return;
        var status = http.Response.StatusCode;
        await Error(status, null, status switch
        {
            404 => $"Nothing is at {http.Request.Path}.",
            405 => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
            _ => ReasonPhrases.GetReasonPhrase(status),
        }).ExecuteAsync(http);
    });

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
