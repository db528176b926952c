using LmsPlatform.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace LmsPlatform.Gateway.Extensions;

public static class GatewayExtensions
{
    /// <summary>
    /// The routes (<c>/api/{context}/...</c> to each service, path unchanged; identity's public paths; each service's
    /// OpenAPI document at <c>/api/{context}/openapi/v1.json</c>), clusters addressed by service-discovery name
    /// (<c>http://identity-api</c>, resolved by Microsoft.Extensions.ServiceDiscovery.Yarp: Aspire's variables locally,
    /// DNS under Kubernetes), request size limits per route, and one health check per service so that the gateway's
    /// <c>/health</c> shows every service; HR imports have a route of their own for their larger size limit. A service that is down makes the gateway Degraded, not Unhealthy: the
    /// gateway itself still serves the others.
    /// </summary>
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        // No token validation here: each service validates the bearer token and checks its permission (with a fallback
        // policy that refuses an unauthenticated caller on any endpoint that forgets its own), so validating at the
        // gateway too would do the same work twice on every request (ADR 0005).
        var limits = RequestLimits.From(builder.Configuration);

        // API routes, identity's public paths and the API descriptions: the services decide who may call what.
        var routes = ResourceNames.GatewayRoutes.Select(r => new RouteConfig
        {
            RouteId = r.Service,
            ClusterId = r.Service,
            Match = new RouteMatch { Path = r.PathPrefix + "/{**rest}" },
            Metadata = limits.For(r.PathPrefix),
        }).Concat(ResourceNames.IdentityPublicPaths.Select(path => new RouteConfig
        {
            RouteId = $"{ResourceNames.IdentityApi}{path.Replace('/', '-')}",
            ClusterId = ResourceNames.IdentityApi,
            Match = new RouteMatch { Path = path + "/{**rest}" },
            Metadata = limits.For(path),
        })).Concat(RequestLimits.UploadRoutes.Select(upload => new RouteConfig
        {
            RouteId = $"{upload.Service}{upload.Prefix.Replace('/', '-')}",
            ClusterId = upload.Service,
            Match = new RouteMatch { Path = upload.Prefix + "/{**rest}" },
            Metadata = limits.For(upload.Prefix),
        })).Concat(ResourceNames.GatewayRoutes.Select(r => new RouteConfig
        {
            RouteId = $"{r.Service}-openapi",
            ClusterId = r.Service,
            Order = -1,
            Match = new RouteMatch { Path = OpenApiPath(r.PathPrefix), Methods = ["GET"] },
        }.WithTransformPathSet("/openapi/v1.json")))
        // Everything else is the portal's: its pages, its sign-in callback, its files. Last, so every route above wins.
        .Append(new RouteConfig
        {
            RouteId = ResourceNames.Portal,
            ClusterId = ResourceNames.Portal,
            Order = int.MaxValue,
            Match = new RouteMatch { Path = "/{**catch-all}" },
        }).ToList();

        var clusters = ResourceNames.GatewayRoutes.Select(r => r.Service).Append(ResourceNames.Portal).Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"http://{service}" },
            },
        }).ToList();

        builder.Services.AddSingleton(limits);
        // Routes of an operator's own (the ReverseProxy configuration section, YARP's format) come after the platform's.
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters).LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();

        // No retries for health: a 503 is the answer (the service says it is not ready), not a failure to retry until
        // the check times out and reports "unreachable".
        // RemoveAllResilienceHandlers is marked experimental (EXTEXP0001); the alternative, a client without the
        // factory, would lose service discovery.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(ServiceHealthCheck.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        var health = builder.Services.AddHealthChecks();
        foreach (var (service, _) in ResourceNames.GatewayRoutes)
            health.Add(new HealthCheckRegistration(service,
                sp => new ServiceHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), service),
                HealthStatus.Degraded, ["services"], TimeSpan.FromSeconds(5)));
    }

    /// <summary>The proxy, with each route's request size limit applied before anything is forwarded.</summary>
    public static void MapGateway(this WebApplication app)
    {
        app.MapReverseProxy(proxy => proxy.UseRequestLimits());
        // An API path no service answers is an API client's mistake: a 404 ProblemDetails, not the portal's page.
        app.Map("/api/{**rest}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
            detail: "No service answers this path.")).AllowAnonymous();
        app.MapApiReference();
    }

    private static string OpenApiPath(string pathPrefix) => pathPrefix + "/openapi/v1.json";

    /// <summary>
    /// One API reference for the whole platform at <c>/docs</c> (Scalar), with each service's OpenAPI document as a
    /// selectable definition; requests from it go through the gateway with the bearer token the reader pastes in.
    /// </summary>
    private static void MapApiReference(this WebApplication app) =>
        app.MapScalarApiReference("/docs", options =>
        {
            // Nothing of it calls out: no telemetry, no fonts from a CDN, no hosted AI agent or MCP, no vendor toolbar.
            options.WithTitle("LmsPlatform API").DisableTelemetry().DisableDefaultFonts().DisableAgent().DisableMcp().HideDeveloperTools();
            options.AddPreferredSecuritySchemes(["Bearer"]);
            foreach (var (service, prefix) in ResourceNames.GatewayRoutes)
                options.AddDocument(service, service.Replace("-api", "", StringComparison.Ordinal), OpenApiPath(prefix), isDefault: service == ResourceNames.IdentityApi);
        }).AllowAnonymous();
}
