using System.Net;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.ServiceDiscovery;

namespace LmsPlatform.Gateway.Extensions;

/// <summary>
/// Resolves YARP destinations written as service names (<c>http://catalogue-api</c>) through
/// Microsoft.Extensions.ServiceDiscovery, which reads <c>services__catalogue-api__http__0</c> locally and DNS under
/// Kubernetes. Every endpoint of a service becomes a destination, so replicas are load-balanced.
/// </summary>
public sealed class ServiceDiscoveryDestinationResolver(ServiceEndpointResolver resolver) : IDestinationResolver
{
    public async ValueTask<ResolvedDestinationCollection> ResolveDestinationsAsync(
        IReadOnlyDictionary<string, DestinationConfig> destinations, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, DestinationConfig>();
        var changeTokens = new List<IChangeToken>();
        foreach (var (name, destination) in destinations)
        {
            var configured = new Uri(destination.Address);
            var source = await resolver.GetEndpointsAsync(configured.GetLeftPart(UriPartial.Authority), cancellationToken);
            changeTokens.Add(source.ChangeToken);
            var index = 0;
            foreach (var endpoint in source.Endpoints)
            {
                var address = endpoint.EndPoint switch
                {
                    UriEndPoint uri => uri.Uri.GetLeftPart(UriPartial.Authority),
                    IPEndPoint ip => $"{configured.Scheme}://{ip}",
                    DnsEndPoint dns => $"{configured.Scheme}://{dns.Host}:{dns.Port}",
                    var other => $"{configured.Scheme}://{other}",
                };
                resolved[$"{name}[{index++}]"] = destination with { Address = address };
            }
        }
        return new ResolvedDestinationCollection(resolved, new CompositeChangeToken(changeTokens));
    }
}
