using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Application.Xapi;
using LmsPlatform.ContentDelivery.Infrastructure.Xapi;
using LmsPlatform.ContentDelivery.Model.Xapi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LmsPlatform.ContentDelivery.Apis;

/// <summary>The request as the LRS understood it: the xAPI version it follows and who sent it (null only on <c>/about</c>).</summary>
public sealed record XapiRequest(XapiVersion Version, XapiCaller? Caller);

/// <summary>Marks the one resource anyone may read without credentials or a version header: <c>/about</c>.</summary>
public sealed class XapiOpenResource;

/// <summary>
/// The xAPI Learning Record Store at <c>/xapi</c> (xAPI 1.0.3 and 2.0): statements, the State, Activity Profile and
/// Agent Profile documents, activities, agents and <c>/about</c>. One filter does what every resource needs: the
/// version header (each response carries the version that served it), authentication (Basic client credentials or a
/// platform bearer token), and the consistent-through time on statement responses. The rules themselves live in
/// <see cref="StatementValidator"/>, <see cref="StatementIntake"/>, <see cref="StatementStore"/> and <see cref="Documents"/>.
/// </summary>
public static class XapiApi
{
    public const string Root = "/xapi";
    private const int MaxPage = 500;
    private static readonly string[] StatementParameters = ["statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
        "related_activities", "related_agents", "since", "until", "limit", "format", "attachments", "ascending", "more"];

    public static IEndpointRouteBuilder MapXapiApi(this IEndpointRouteBuilder app)
    {
        // Credentials are checked by the filter (xAPI's Basic clients as well as bearer tokens), not the platform's policy.
        var api = app.MapGroup(Root).WithTags("xAPI LRS").AllowAnonymous().DisableAntiforgery().AddEndpointFilter(Filter);
        api.MapGet("/about", About).WithName("XapiAbout").WithSummary("The xAPI versions this LRS speaks").WithMetadata(new XapiOpenResource());
        api.MapPut("/statements", PutStatement).WithName("XapiPutStatement").WithSummary("Store one statement with the id given (statementId)");
        api.MapPost("/statements", PostStatements).WithName("XapiPostStatements").WithSummary("Store a statement or a batch; the ids in order");
        api.MapMethods("/statements", [HttpMethods.Get, HttpMethods.Head], GetStatements).WithName("XapiGetStatements")
            .WithSummary("One statement (statementId, voidedStatementId) or a page of those matching the filters, newest first, with a 'more' link");
        string[] all = [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Post, HttpMethods.Delete];
        api.MapMethods("/activities/state", all, State).WithName("XapiState").WithSummary("State documents of an activity, agent and registration");
        api.MapMethods("/activities/profile", all, ActivityProfile).WithName("XapiActivityProfile").WithSummary("Profile documents of an activity");
        api.MapMethods("/agents/profile", all, AgentProfile).WithName("XapiAgentProfile").WithSummary("Profile documents of an agent");
        api.MapMethods("/activities", [HttpMethods.Get, HttpMethods.Head], Activity).WithName("XapiActivity")
            .WithSummary("The LRS's definition of an activity, from every statement that described it");
        api.MapMethods("/agents", [HttpMethods.Get, HttpMethods.Head], Person).WithName("XapiAgents").WithSummary("The Person an agent is");
        return app;
    }

    private static readonly string[] AlternateHeaders = ["Authorization", XapiVersions.Header, "Content-Type", "Content-Length", "If-Match", "If-None-Match"];

    /// <summary>
    /// xAPI 1.0.3's alternate request syntax (a browser's cross-origin form post): <c>POST /xapi/…?method=PUT</c> with
    /// a form whose header fields become headers, whose <c>content</c> becomes the body and whose other fields become
    /// the query, rewritten before routing so the request meets the same endpoints. Only for a 1.0.x version field:
    /// xAPI 2.0 removed the syntax, and the filter answers a <c>method</c> parameter on any other request with 400.
    /// </summary>
    public static IApplicationBuilder UseXapiAlternateRequests(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var request = http.Request;
        if (request.Path.StartsWithSegments(Root) && HttpMethods.IsPost(request.Method) && request.Query.Count == 1
            && request.Query.TryGetValue("method", out var method) && method.ToString() is "GET" or "PUT" or "POST" or "DELETE" && request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(http.RequestAborted);
            string? Field(string name) => form.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) is { } key ? form[key].ToString() : null;
            if (XapiVersions.FromHeader(Field(XapiVersions.Header)) == XapiVersion.V103)
            {
                request.Method = method.ToString();
                foreach (var header in AlternateHeaders)
                    if (Field(header) is { } value) request.Headers[header] = value;
                var content = Encoding.UTF8.GetBytes(Field("content") ?? "");
                request.Body = new MemoryStream(content);
                request.ContentLength = content.Length;
                if (content.Length > 0 && Field("Content-Type") is null) request.ContentType = "application/json";
                if (content.Length == 0 && Field("Content-Type") is null) request.Headers.Remove("Content-Type");
                var query = form.Where(f => f.Key != "content" && !AlternateHeaders.Contains(f.Key, StringComparer.OrdinalIgnoreCase))
                    .ToDictionary(f => f.Key, f => f.Value);
                request.QueryString = QueryString.Create(query);
                http.Features.Set<Microsoft.AspNetCore.Http.Features.IFormFeature>(null);
            }
        }
        await next(http);
    });

    private static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var version = XapiVersions.FromHeader(http.Request.Headers[XapiVersions.Header]);
        http.Response.Headers[XapiVersions.Header] = (version ?? XapiVersion.V200).Name();
        if (http.Request.Path.Value?.EndsWith("/statements", StringComparison.Ordinal) == true)
            http.Response.Headers[XapiVersions.ConsistentThrough] = ConsistentThrough(http, null);
        if (http.Request.Query.ContainsKey("method"))
            return Problem(StatusCodes.Status400BadRequest,
                "The alternate request syntax (?method=) is xAPI 1.0.3's only: a form post with X-Experience-API-Version 1.0.x, and 'method' as the only parameter.");
        var open = http.GetEndpoint()?.Metadata.GetMetadata<XapiOpenResource>() is not null;
        XapiCaller? caller = null;
        if (!open)
        {
            caller = await http.RequestServices.GetRequiredService<XapiAuthentication>().AuthenticateAsync(http);
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Basic realm=\"xAPI\"";
                return Problem(StatusCodes.Status401Unauthorized, "Credentials are missing or not accepted: Basic credentials of an LRS client, or a platform bearer token.");
            }
            if (version is null)
                return Problem(StatusCodes.Status400BadRequest,
                    $"The {XapiVersions.Header} header must name the xAPI version of the request: 1.0.x or 2.0.x (it was '{http.Request.Headers[XapiVersions.Header]}').");
        }
        http.Features.Set(new XapiRequest(version ?? XapiVersion.V200, caller));
        return await next(context);
    }

    private static XapiRequest Xapi(HttpContext http) => http.Features.Get<XapiRequest>()!;

    private static IResult Problem(int status, string detail, IReadOnlyList<string>? faults = null) =>
        TypedResults.Problem(statusCode: status, detail: detail, title: status switch
        {
            400 => "The request is not valid xAPI",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not found",
            409 => "Conflict",
            412 => "Precondition failed",
            _ => "Refused",
        }, extensions: faults is { Count: > 1 } ? new Dictionary<string, object?> { ["faults"] = faults } : null);

    /// <summary>
    /// Every statement stored before this time can be read: a little before now (a batch being written now may not be
    /// visible yet), and never before the newest statement a response returns.
    /// </summary>
    private static string ConsistentThrough(HttpContext http, DateTimeOffset? newestReturned)
    {
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().AddSeconds(-2);
        return XapiFormats.Format(newestReturned is { } newest && newest > now ? newest : now);
    }

    private static IResult About() => TypedResults.Json(new { version = new[] { "1.0.3", "2.0.0" } });

    // ---------------------------------------------------------------- statements

    private static async Task<IResult> PutStatement(HttpContext http, StatementIntake intake, CancellationToken cancellationToken)
    {
        var xapi = Xapi(http);
        var parameters = new XapiParameters(http.Request.Query, xapi.Version, "statementId");
        var id = parameters.Text("statementId", required: true) is { } text && XapiFormats.IsUuid(text) ? Guid.Parse(text) : (Guid?)null;
        if (parameters.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
        if (id is null) return Problem(StatusCodes.Status400BadRequest, "'statementId' must be a UUID.");
        var (body, parts, refusal) = await ReadStatementsAsync(http.Request, cancellationToken);
        if (refusal is not null) return refusal;
        var result = await intake.StoreAsync(body!.RootElement, id, xapi.Caller!, xapi.Version, parts, cancellationToken);
        return result.Reason is { } reason ? Problem(result.Status, reason, result.Faults) : TypedResults.NoContent();
    }

    private static async Task<IResult> PostStatements(HttpContext http, StatementIntake intake, CancellationToken cancellationToken)
    {
        var xapi = Xapi(http);
        var parameters = new XapiParameters(http.Request.Query, xapi.Version);
        if (parameters.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
        var (body, parts, refusal) = await ReadStatementsAsync(http.Request, cancellationToken);
        if (refusal is not null) return refusal;
        var result = await intake.StoreAsync(body!.RootElement, null, xapi.Caller!, xapi.Version, parts, cancellationToken);
        return result.Reason is { } reason ? Problem(result.Status, reason, result.Faults) : TypedResults.Json(result.Ids);
    }

    /// <summary>The statements of a request: <c>application/json</c>, or <c>multipart/mixed</c> with the statements first and then each attachment's bytes.</summary>
    private static async Task<(JsonDocument? Body, List<AttachmentContent> Parts, IResult? Refusal)> ReadStatementsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var parts = new List<AttachmentContent>();
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            return (null, parts, Problem(StatusCodes.Status400BadRequest, "Statements are sent as application/json, or multipart/mixed with attachments."));
        try
        {
            if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
                return (await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken), parts, null);
            if (!type.MediaType.Equals("multipart/mixed", StringComparison.OrdinalIgnoreCase) || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 } boundary)
                return (null, parts, Problem(StatusCodes.Status400BadRequest, $"Statements are sent as application/json, or multipart/mixed (with a boundary) with attachments, not {type.MediaType}."));
            var reader = new MultipartReader(boundary, request.Body);
            JsonDocument? statements = null;
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (statements is null)
                {
                    if (section.ContentType is null || !Documents.IsJson(section.ContentType))
                        return (null, parts, Problem(StatusCodes.Status400BadRequest, "The first part of a multipart/mixed request is the statements, as application/json."));
                    statements = await JsonDocument.ParseAsync(section.Body, cancellationToken: cancellationToken);
                    continue;
                }
                if (!section.Headers!.TryGetValue("X-Experience-API-Hash", out var hash) || !XapiFormats.IsSha2(hash.ToString()))
                    return (null, parts, Problem(StatusCodes.Status400BadRequest, "Each attachment part carries its SHA-2 in X-Experience-API-Hash."));
                if (section.Headers.TryGetValue("Content-Transfer-Encoding", out var encoding) && !encoding.ToString().Equals("binary", StringComparison.OrdinalIgnoreCase))
                    return (null, parts, Problem(StatusCodes.Status400BadRequest, "Attachment parts are sent with Content-Transfer-Encoding: binary."));
                using var buffer = new MemoryStream();
                await section.Body.CopyToAsync(buffer, cancellationToken);
                var bytes = buffer.ToArray();
                var sha2 = hash.ToString().ToLowerInvariant();
                var actual = Convert.ToHexStringLower(sha2.Length switch { 96 => SHA384.HashData(bytes), 128 => SHA512.HashData(bytes), _ => SHA256.HashData(bytes) });
                if (actual != sha2)
                    return (null, parts, Problem(StatusCodes.Status400BadRequest, $"The part's bytes do not have the SHA-2 {sha2} its header says."));
                parts.Add(new AttachmentContent(sha2, section.ContentType ?? "application/octet-stream", bytes));
            }
            return statements is null ? (null, parts, Problem(StatusCodes.Status400BadRequest, "The multipart/mixed request has no statements part.")) : (statements, parts, null);
        }
        catch (JsonException e)
        {
            return (null, parts, Problem(StatusCodes.Status400BadRequest, $"The statements are not JSON: {e.Message}"));
        }
        catch (IOException e)
        {
            return (null, parts, Problem(StatusCodes.Status400BadRequest, $"The multipart/mixed body cannot be read: {e.Message}"));
        }
    }

    private static async Task<IResult> GetStatements(HttpContext http, StatementStore store, CancellationToken cancellationToken)
    {
        var xapi = Xapi(http);
        var caller = xapi.Caller!;
        if (XapiScopes.CanReadStatements(caller.Scopes) is not { } readsAll) return Problem(StatusCodes.Status403Forbidden, "This credential may not read statements.");
        var p = new XapiParameters(http.Request.Query, xapi.Version, StatementParameters);
        var format = p.Text("format") ?? "exact";
        if (format is not ("exact" or "ids" or "canonical")) return Problem(StatusCodes.Status400BadRequest, "'format' is exact, ids or canonical.");
        var withAttachments = p.Boolean("attachments");

        var single = p.Has("statementId") || p.Has("voidedStatementId");
        if (single)
        {
            if (p.Has("statementId") && p.Has("voidedStatementId")) return Problem(StatusCodes.Status400BadRequest, "Ask for statementId or voidedStatementId, not both.");
            if (http.Request.Query.Keys.Any(k => k is not ("statementId" or "voidedStatementId" or "format" or "attachments")))
                return Problem(StatusCodes.Status400BadRequest, "With statementId or voidedStatementId, only format and attachments may be given.");
            var voided = p.Has("voidedStatementId");
            var id = p.Uuid(voided ? "voidedStatementId" : "statementId");
            if (p.Fault is { } singleFault) return Problem(StatusCodes.Status400BadRequest, singleFault);
            var row = await store.GetAsync(id!.Value, cancellationToken);
            if (row is null || row.Voided != voided || (!readsAll && !StoredBy(row, caller)))
                return Problem(StatusCodes.Status404NotFound, voided ? "No voided statement has this id." : "No statement has this id (a voided one is read with voidedStatementId).");
            http.Response.Headers.LastModified = row.Stored.ToString("R");
            http.Response.Headers[XapiVersions.ConsistentThrough] = ConsistentThrough(http, row.Stored);
            var json = (await RenderAsync([row], format, http.Request, store, cancellationToken))[0];
            return await RespondAsync(json, withAttachments, row.Attachments, store, cancellationToken);
        }

        StatementQuery query;
        if (p.Text("more") is { } more)
        {
            if (http.Request.Query.Count > 1) return Problem(StatusCodes.Status400BadRequest, "A 'more' link is followed as it is, with no other parameters.");
            if (PageToken.Read(more) is not { } token) return Problem(StatusCodes.Status400BadRequest, "The 'more' link is not one this LRS gave.");
            (query, format, withAttachments) = (token.Query, token.Format, token.Attachments);
        }
        else
        {
            var agent = p.Agent("agent", required: false, groupAllowed: true);
            var verb = p.Iri("verb");
            var activity = p.Iri("activity");
            var registration = p.Uuid("registration");
            var relatedActivities = p.Boolean("related_activities");
            var relatedAgents = p.Boolean("related_agents");
            var since = p.Timestamp("since");
            var until = p.Timestamp("until");
            var limit = p.Integer("limit") ?? 0;
            var ascending = p.Boolean("ascending");
            if (p.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
            var keys = new List<string>();
            if (agent is { Key: var agentKey }) keys.Add((relatedAgents ? StatementFacts.RelatedAgent : StatementFacts.Agent) + agentKey);
            if (verb is not null) keys.Add(StatementFacts.Verb + verb);
            if (activity is not null) keys.Add((relatedActivities ? StatementFacts.RelatedActivity : StatementFacts.Activity) + activity);
            if (registration is { } r) keys.Add(StatementFacts.Registration + r.ToString());
            query = new StatementQuery([.. keys], since, until, ascending, limit is 0 or > MaxPage ? MaxPage : limit, null);
        }
        // Reading only one's own statements is a filter the LRS adds, never one a 'more' link carries.
        var run = readsAll ? query : query with { Keys = [.. query.Keys, StatementFacts.Authority + caller.AuthorityKey] };
        var rows = await store.QueryAsync(run, cancellationToken);
        var page = rows.Take(query.Limit).ToList();
        var next = rows.Count > query.Limit ? $"{Root}/statements?more={PageToken.Write(new PageToken(query with { After = page[^1].Seq }, format, withAttachments))}" : "";
        http.Response.Headers[XapiVersions.ConsistentThrough] = ConsistentThrough(http, page.Count == 0 ? null : page.Max(s => s.Stored));
        var statements = await RenderAsync(page, format, http.Request, store, cancellationToken);
        var result = new StringBuilder("{\"statements\":[").AppendJoin(',', statements).Append("],\"more\":").Append(JsonSerializer.Serialize(next)).Append('}');
        return await RespondAsync(result.ToString(), withAttachments, [.. page.SelectMany(s => s.Attachments).Distinct()], store, cancellationToken);
    }

    private static bool StoredBy(StatementRow row, XapiCaller caller)
    {
        using var statement = JsonDocument.Parse(row.Json);
        return statement.RootElement.TryGetProperty("authority", out var authority) && AgentKey.Of(authority) == caller.AuthorityKey;
    }

    /// <summary>The statements in the format asked for: as stored (exact), reduced to identifiers (ids), or canonical in the reader's language.</summary>
    private static async Task<IReadOnlyList<string>> RenderAsync(IReadOnlyList<StatementRow> rows, string format, HttpRequest request, StatementStore store,
        CancellationToken cancellationToken)
    {
        if (format == "exact") return rows.Select(r => r.Json).ToList();
        var nodes = rows.Select(r => JsonNode.Parse(r.Json)!.AsObject()).ToList();
        if (format == "ids")
        {
            nodes.ForEach(StatementDocument.ToIds);
            return nodes.Select(n => n.ToJsonString()).ToList();
        }
        var ids = nodes.SelectMany(StatementDocument.ActivityIds).ToHashSet(StringComparer.Ordinal);
        var definitions = await store.DefinitionsAsync(ids, cancellationToken);
        var languages = request.GetTypedHeaders().AcceptLanguage.OrderByDescending(l => l.Quality ?? 1).Select(l => l.Value.Value!).Where(l => l != "*").ToList();
        foreach (var node in nodes) StatementDocument.ToCanonical(node, id => definitions.GetValueOrDefault(id), languages);
        return nodes.Select(n => n.ToJsonString()).ToList();
    }

    /// <summary>JSON, or with attachments multipart/mixed: the JSON first, then each attachment's bytes once, by SHA-2.</summary>
    private static async Task<IResult> RespondAsync(string json, bool multipart, IReadOnlyCollection<string> attachments, StatementStore store,
        CancellationToken cancellationToken)
    {
        if (!multipart) return TypedResults.Text(json, "application/json", Encoding.UTF8);
        var boundary = "xapi-" + Guid.NewGuid().ToString("N");
        var body = new MemoryStream();
        void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
        Write($"--{boundary}\r\nContent-Type: application/json\r\n\r\n{json}\r\n");
        foreach (var attachment in await store.AttachmentsAsync(attachments, cancellationToken))
        {
            Write($"--{boundary}\r\nContent-Type: {attachment.ContentType}\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {attachment.Sha2}\r\n\r\n");
            body.Write(attachment.Content);
            Write("\r\n");
        }
        Write($"--{boundary}--\r\n");
        return TypedResults.Bytes(body.ToArray(), $"multipart/mixed; boundary={boundary}");
    }

    /// <summary>A query to go on with, as the 'more' link carries it: its filters, format and where the last page ended.</summary>
    private sealed record PageToken(StatementQuery Query, string Format, bool Attachments)
    {
        public static string Write(PageToken token) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(token));

        public static PageToken? Read(string text)
        {
            try
            {
                var token = JsonSerializer.Deserialize<PageToken>(Base64Url.DecodeFromChars(text));
                return token is { Query.Keys: not null, Query.After: not null } && token.Query.Keys.All(k => !k.StartsWith(StatementFacts.Authority, StringComparison.Ordinal))
                    ? token : null;
            }
            catch (Exception e) when (e is FormatException or JsonException)
            {
                return null;
            }
        }
    }

    // ---------------------------------------------------------------- documents

    private static Task<IResult> State(HttpContext http, Documents documents, CancellationToken cancellationToken) =>
        DocumentAsync(http, documents, XapiDocumentKind.State, cancellationToken);

    private static Task<IResult> ActivityProfile(HttpContext http, Documents documents, CancellationToken cancellationToken) =>
        DocumentAsync(http, documents, XapiDocumentKind.ActivityProfile, cancellationToken);

    private static Task<IResult> AgentProfile(HttpContext http, Documents documents, CancellationToken cancellationToken) =>
        DocumentAsync(http, documents, XapiDocumentKind.AgentProfile, cancellationToken);

    private static async Task<IResult> DocumentAsync(HttpContext http, Documents documents, XapiDocumentKind kind, CancellationToken cancellationToken)
    {
        var xapi = Xapi(http);
        var method = http.Request.Method;
        var reading = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        if (!XapiScopes.CanUseDocuments(xapi.Caller!.Scopes, kind, write: !reading))
            return Problem(StatusCodes.Status403Forbidden, $"This credential may not {(reading ? "read" : "write")} {(kind == XapiDocumentKind.State ? "state" : "profiles")}.");
        var idName = kind == XapiDocumentKind.State ? "stateId" : "profileId";
        var p = kind switch
        {
            XapiDocumentKind.State => new XapiParameters(http.Request.Query, xapi.Version, "activityId", "agent", "registration", "stateId", "since"),
            XapiDocumentKind.ActivityProfile => new XapiParameters(http.Request.Query, xapi.Version, "activityId", "profileId", "since"),
            _ => new XapiParameters(http.Request.Query, xapi.Version, "agent", "profileId", "since"),
        };
        var activityId = kind == XapiDocumentKind.AgentProfile ? "" : p.Iri("activityId", required: true) ?? "";
        var agentKey = kind == XapiDocumentKind.ActivityProfile ? "" : p.Agent("agent", required: true, groupAllowed: false)?.Key ?? "";
        var registration = kind == XapiDocumentKind.State ? p.Uuid("registration") : null;
        var documentId = p.Text(idName);
        var since = p.Timestamp("since");
        if (p.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
        if (since is not null && (!reading || documentId is not null))
            return Problem(StatusCodes.Status400BadRequest, $"'since' filters the list of ids (a GET without {idName}).");
        if (documentId is null && !reading && !(HttpMethods.IsDelete(method) && kind == XapiDocumentKind.State))
            return Problem(StatusCodes.Status400BadRequest, $"'{idName}' is required to {method} a document.");

        if (xapi.Caller.Cmi5 is not null && !reading && kind == XapiDocumentKind.State && documentId is "LMS.LaunchData" or null)
            return Problem(StatusCodes.Status403Forbidden, "LMS.LaunchData is the LMS's: an AU reads it and never changes it.");
        var conditions = new Preconditions(Header(http, HeaderNames.IfMatch), Header(http, HeaderNames.IfNoneMatch));
        if (reading && documentId is null)
        {
            var (ids, lastModified) = await documents.ListAsync(kind, activityId, agentKey, registration, since, cancellationToken);
            var list = JsonSerializer.SerializeToUtf8Bytes(ids);
            http.Response.Headers.ETag = $"\"{Documents.ETagOf(list)}\"";
            if (lastModified is { } last) http.Response.Headers.LastModified = last.ToString("R");
            return TypedResults.Bytes(list, "application/json");
        }
        var key = new DocumentKey(kind, activityId, agentKey, registration, documentId ?? "");
        if (reading)
        {
            var document = await documents.GetAsync(key, cancellationToken);
            if (document is null) return Problem(StatusCodes.Status404NotFound, $"No document with this {idName}.");
            http.Response.Headers.ETag = $"\"{document.ETag}\"";
            http.Response.Headers.LastModified = document.UpdatedAt.ToString("R");
            return TypedResults.Bytes(document.Content, document.ContentType);
        }
        if (HttpMethods.IsDelete(method))
        {
            if (documentId is null)
            {
                await documents.DeleteStatesAsync(activityId, agentKey, registration, cancellationToken);
                return TypedResults.NoContent();
            }
            var deleted = await documents.DeleteAsync(key, conditions, cancellationToken);
            return deleted.Reason is { } why ? Problem(deleted.Status, why) : TypedResults.NoContent();
        }
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        var outcome = await documents.WriteAsync(key, buffer.ToArray(), http.Request.ContentType ?? "application/octet-stream", merge: HttpMethods.IsPost(method),
            conditions, cancellationToken);
        return outcome.Reason is { } reason ? Problem(outcome.Status, reason) : TypedResults.NoContent();
    }

    private static string? Header(HttpContext http, string name) => http.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    // ---------------------------------------------------------------- activities and agents

    private static async Task<IResult> Activity(HttpContext http, StatementStore store, CancellationToken cancellationToken)
    {
        var xapi = Xapi(http);
        var p = new XapiParameters(http.Request.Query, xapi.Version, "activityId");
        var id = p.Iri("activityId", required: true);
        if (p.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
        var activity = new JsonObject { ["objectType"] = "Activity", ["id"] = id };
        if (await store.DefinitionAsync(id!, cancellationToken) is { } definition) activity["definition"] = definition;
        return TypedResults.Text(activity.ToJsonString(), "application/json", Encoding.UTF8);
    }

    private static IResult Person(HttpContext http)
    {
        var xapi = Xapi(http);
        var p = new XapiParameters(http.Request.Query, xapi.Version, "agent");
        var agent = p.Agent("agent", required: true, groupAllowed: false);
        if (p.Fault is { } fault) return Problem(StatusCodes.Status400BadRequest, fault);
        // The LRS knows no more of a person than the identifier asked about: a Person of that identifier (and name).
        var person = new JsonObject { ["objectType"] = "Person" };
        foreach (var property in agent!.Value.Agent.EnumerateObject())
            if (property.Name is "name" or "mbox" or "mbox_sha1sum" or "openid" or "account") person[property.Name] = new JsonArray(JsonNode.Parse(property.Value.GetRawText()));
        return TypedResults.Text(person.ToJsonString(), "application/json", Encoding.UTF8);
    }
}
