using LmsPlatform.ServiceDefaults.Security;
using LmsPlatform.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace LmsPlatform.Gateway.Extensions;

public static class GatewayExtensions
{
    /// <summary>
    /// The routes (<c>/api/{context}/...</c> to each service, path unchanged), clusters addressed by service-discovery
    /// name (<c>http://identity-api</c>), and one health check per service so that the gateway's <c>/health</c> shows
    /// every service. A service that is down makes the gateway Degraded, not Unhealthy: the gateway itself still
    /// serves the others.
    /// </summary>
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        // API routes need a valid access token (the services check permissions); identity's public paths do not.
        var routes = ResourceNames.GatewayRoutes.Select(r => new RouteConfig
        {
            RouteId = r.Service,
            ClusterId = r.Service,
            Match = new RouteMatch { Path = r.PathPrefix + "/{**rest}" },
            AuthorizationPolicy = "default",
        }).Concat(ResourceNames.IdentityPublicPaths.Select(path => new RouteConfig
        {
            RouteId = $"{ResourceNames.IdentityApi}{path.Replace('/', '-')}",
            ClusterId = ResourceNames.IdentityApi,
            Match = new RouteMatch { Path = path + "/{**rest}" },
            AuthorizationPolicy = "anonymous",
        })).ToList();
        builder.AddTokenValidation();
        var clusters = ResourceNames.GatewayRoutes.Select(r => new ClusterConfig
        {
            ClusterId = r.Service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [r.Service] = new() { Address = $"http://{r.Service}" },
            },
        }).ToList();

        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        builder.Services.AddSingleton<IDestinationResolver, ServiceDiscoveryDestinationResolver>();

        builder.Services.AddHttpClient(ServiceHealthCheck.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5));
        var health = builder.Services.AddHealthChecks();
        foreach (var (service, _) in ResourceNames.GatewayRoutes)
            health.Add(new HealthCheckRegistration(service,
                sp => new ServiceHealthCheck(sp.GetRequiredService<IHttpClientFactory>(), service),
                HealthStatus.Degraded, ["services"], TimeSpan.FromSeconds(5)));
    }
}
