using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using LmsPlatform.Portal.Extensions;

namespace LmsPlatform.Portal.Services;

/// <summary>
/// What an API said when it refused: its ProblemDetails, or one made up from the status when it sent none. Screens show
/// <see cref="Title"/> and <see cref="Detail"/> in a message and <see cref="For"/> beside the field named; never raw JSON.
/// </summary>
public sealed record Problem(int Status, string Title, string? Detail, IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyList<ReportedProblem>? Report = null)
{
    public static Problem From(HttpStatusCode status, string? title = null, string? detail = null) =>
        new((int)status, title ?? DefaultTitle(status), detail, new Dictionary<string, string[]>());

    /// <summary>The thing changed since the screen read it (a stale ETag): reload, then change it again.</summary>
    public bool IsStale => Status is 412 || (Status is 409 && (Errors.Count == 0 || Errors.ContainsKey("etag")));
    public bool SessionEnded => Status == 401;

    /// <summary>The messages for one field, matched as the APIs name them (camelCase) or by any casing.</summary>
    public IEnumerable<string> For(string field) =>
        Errors.Where(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).SelectMany(e => e.Value);

    /// <summary>The same problem with a prefix taken off its field names (a create request nests the draft under "draft.").</summary>
    public Problem WithoutPrefix(string prefix) => this with
    {
        Errors = Errors.ToDictionary(e => e.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? e.Key[prefix.Length..] : e.Key, e => e.Value),
    };

    /// <summary>The messages no field on the screen shows, so they are not lost.</summary>
    public IEnumerable<string> Besides(IEnumerable<string> shownFields)
    {
        var shown = shownFields.ToHashSet(StringComparer.OrdinalIgnoreCase);
        return Errors.Where(e => !shown.Contains(e.Key)).SelectMany(e => e.Value).Where(m => m != Detail).Distinct();
    }

    private static string DefaultTitle(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized => "Your sign-in has ended",
        HttpStatusCode.Forbidden => "You are not allowed to do this",
        HttpStatusCode.NotFound => "Not found",
        HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => "Someone else changed this first",
        HttpStatusCode.TooManyRequests => "Too many requests; wait a moment and try again",
        >= HttpStatusCode.InternalServerError => "The service is not answering; try again in a moment",
        _ => "The request was refused",
    };
}

/// <summary>One finding of a report an API refused with (a package's inspection): what, why, where, and whether it only warns.</summary>
public sealed record ReportedProblem(string Code, string Message, string? Path, bool Warning);

/// <summary>An API's answer: the value (with its ETag, for a later change) or the problem.</summary>
public sealed record ApiResult<T>(T? Value, Problem? Problem, string? ETag = null)
{
    public bool Ok => Problem is null;
}

/// <summary>
/// The portal's one way to call the platform's APIs: through the gateway, as the signed-in person (their access token
/// from <see cref="PortalSession"/>), JSON in and out, and every refusal turned into a <see cref="Problem"/>.
/// </summary>
public sealed class GatewayApi(IHttpClientFactory clients, PortalSession session)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public Task<ApiResult<T>> GetAsync<T>(string path, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Get, path, null, null, ct);

    public Task<ApiResult<T>> PostAsync<T>(string path, object? body, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Post, path, body, null, ct);

    public Task<ApiResult<T>> PutAsync<T>(string path, object? body, string? ifMatch, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Put, path, body, ifMatch, ct);

    public Task<ApiResult<T>> PatchAsync<T>(string path, object? body, string? ifMatch, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Patch, path, body, ifMatch, ct);

    public Task<ApiResult<T>> DeleteAsync<T>(string path, string? ifMatch = null, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Delete, path, null, ifMatch, ct);

    /// <summary>A public endpoint (a certificate's verification), asked as nobody: the page works for people who are not signed in.</summary>
    public Task<ApiResult<T>> GetPublicAsync<T>(string path, CancellationToken ct = default) => SendAsync<T>(HttpMethod.Get, path, null, null, ct, asPerson: false);

    public async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string path, object? body, string? ifMatch, CancellationToken ct = default, bool asPerson = true)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (asPerson)
        {
            if (await session.AccessTokenAsync(ct) is not { } token) return new(default, Problem.From(HttpStatusCode.Unauthorized));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (body is HttpContent content) request.Content = content;
        else if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(PortalExtensions.GatewayClient).SendAsync(request, ct);
        }
        catch (HttpRequestException)
        {
            return new(default, Problem.From(HttpStatusCode.ServiceUnavailable));
        }
        using (response)
        {
            var etag = response.Headers.ETag?.ToString();
            if (!response.IsSuccessStatusCode) return new(default, await ReadProblemAsync(response, ct), etag);
            if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(Unit) || response.Content.Headers.ContentLength == 0)
                return new(default, null, etag);
            return new(await response.Content.ReadFromJsonAsync<T>(Json, ct), null, etag);
        }
    }

    /// <summary>
    /// Passes a file the API streams (a CSV export, an error report) on to the person's browser as it comes, with the
    /// API's file name; a refusal becomes the portal's error page, never the API's JSON.
    /// </summary>
    public async Task<IResult> DownloadAsync(string path, CancellationToken ct)
    {
        if (await session.AccessTokenAsync(ct) is not { } token) return Results.Redirect("/sign-in");
        var request = new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await clients.CreateClient(PortalExtensions.GatewayClient).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            return Results.StatusCode((int)response.StatusCode);
        }
        return new StreamedFile(response);
    }

    private sealed class StreamedFile(HttpResponseMessage response) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            using (response)
            {
                http.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
                if (response.Content.Headers.ContentDisposition is { } disposition) http.Response.Headers.ContentDisposition = disposition.ToString();
                await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
            }
        }
    }

    private static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var fallback = Problem.From(response.StatusCode);
        if (response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json")) return fallback;
        try
        {
            var body = await response.Content.ReadFromJsonAsync<ProblemBody>(Json, ct);
            if (body is null) return fallback;
            // The APIs' titles are the status's name ("Conflict", "Not Found"); a person gets what it means for them.
            // A 400 is a refusal of what they typed: its title says so, the detail and field messages say why.
            var problem = new Problem((int)response.StatusCode, fallback.Title, body.Detail, body.Errors ?? new Dictionary<string, string[]>(), body.Problems);
            return problem.Status switch
            {
                400 => problem with { Title = problem.Errors.Count > 0 ? "Check the highlighted fields" : body.Title ?? fallback.Title },
                409 when !problem.IsStale => problem with { Title = "This change was refused" },
                422 => problem with { Title = body.Title ?? fallback.Title },
                _ => problem,
            };
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    private sealed record ProblemBody(string? Title, string? Detail, Dictionary<string, string[]>? Errors, List<ReportedProblem>? Problems);
}

/// <summary>For calls whose answer has no body worth reading.</summary>
public readonly record struct Unit;
