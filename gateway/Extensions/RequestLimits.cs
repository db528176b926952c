using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Model;

namespace LmsPlatform.Gateway.Extensions;

/// <summary>
/// Request size limits at the one public entry: sign-in forms and token requests are small, HR imports are large, the
/// rest of the API takes JSON of a sane size. A request over its route's limit gets 413 before anything is forwarded
/// (by Content-Length; a chunked body is cut off when it passes the limit). Configurable under <c>Gateway:Limits</c>
/// (bytes per path prefix).
/// </summary>
public sealed class RequestLimits(long defaultLimit, IReadOnlyDictionary<string, long> byPrefix)
{
    public const string MetadataKey = "MaxRequestBodySize";
    public const long DefaultBytes = 4 * 1024 * 1024;
    public const string ImportsPrefix = "/api/identity/imports";
    public const string EnrolmentImportsPrefix = "/api/enrolment/imports";
    public const string PackagesPrefix = "/api/content/packages";
    public const string FilesPrefix = "/api/content/files";
    public const string ChunksPrefix = "/api/content/uploads";
    /// <summary>The xAPI LRS, on the path xAPI clients are configured with (its statements may carry attachments).</summary>
    public const string XapiPrefix = "/xapi";

    /// <summary>The upload routes that take more than the default: each gets a route of its own, so its limit applies.</summary>
    public static readonly IReadOnlyList<(string Prefix, string Service)> UploadRoutes =
        [(ImportsPrefix, Contracts.ResourceNames.IdentityApi), (EnrolmentImportsPrefix, Contracts.ResourceNames.EnrolmentApi),
            (PackagesPrefix, Contracts.ResourceNames.ContentApi), (FilesPrefix, Contracts.ResourceNames.ContentApi),
            (ChunksPrefix, Contracts.ResourceNames.ContentApi), (XapiPrefix, Contracts.ResourceNames.ContentApi)];

    public static readonly IReadOnlyDictionary<string, long> Defaults = new Dictionary<string, long>
    {
        ["/connect"] = 64 * 1024,
        ["/account"] = 64 * 1024,
        ["/api/identity/password"] = 64 * 1024,
        ["/scim/v2"] = 1024 * 1024,
        [ImportsPrefix] = 200 * 1024 * 1024, // HR CSV imports: 100,000 people are about 10 MB
        [EnrolmentImportsPrefix] = 25 * 1024 * 1024, // enrolment's own limit is 20 MB (Enrolment:EnrolmentImports:MaxFileBytes)
        [PackagesPrefix] = 1025L * 1024 * 1024, // content's own limit is 1 GB (Content:Packages:MaxUploadBytes)
        [FilesPrefix] = 2049L * 1024 * 1024, // content's own limit is 2 GB (Content:Files:MaxUploadBytes)
        [ChunksPrefix] = 17 * 1024 * 1024, // a resumable upload's chunk: at most 16 MB
        [XapiPrefix] = 20 * 1024 * 1024, // statement batches with attachments, documents
    };

    public static RequestLimits From(IConfiguration configuration)
    {
        var section = configuration.GetSection("Gateway:Limits");
        var byPrefix = Defaults.ToDictionary(d => d.Key, d => section.GetValue(d.Key.Trim('/').Replace('/', ':'), d.Value));
        return new RequestLimits(section.GetValue("Default", DefaultBytes), byPrefix);
    }

    /// <summary>Route metadata carrying the limit of the longest configured prefix the route's path starts with.</summary>
    public Dictionary<string, string> For(string path) => new()
    {
        [MetadataKey] = (byPrefix.Where(p => path.StartsWith(p.Key, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(p => p.Key.Length).Select(p => (long?)p.Value).FirstOrDefault() ?? defaultLimit).ToString(),
    };
}

public static class RequestLimitsMiddleware
{
    public static IReverseProxyApplicationBuilder UseRequestLimits(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            var route = context.GetReverseProxyFeature().Route.Config;
            if (route.Metadata?.TryGetValue(RequestLimits.MetadataKey, out var value) == true && long.TryParse(value, out var limit))
            {
                if (context.Request.ContentLength > limit)
                {
                    context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                    await context.Response.WriteAsJsonAsync(new ProblemDetails
                    {
                        Status = StatusCodes.Status413PayloadTooLarge,
                        Title = "The request is too large.",
                        Detail = $"Requests to {context.Request.Path} may carry at most {limit:N0} bytes; this one has {context.Request.ContentLength:N0}.",
                        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.14",
                    }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
                    return;
                }
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
                    feature.MaxRequestBodySize = limit;
            }
            await next();
        });
        return proxy;
    }
}
