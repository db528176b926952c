using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Services;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.AppHost.Supervision;

/// <summary>
/// Stops the platform in order when the AppHost stops: the services first (they stop consuming and flush their
/// telemetry while the broker and databases are still there), then the servers, then what the servers need (RabbitMQ's
/// epmd: stopping RabbitMQ runs a CLI that needs epmd, and would start a daemon of its own that outlives everything).
/// Aspire itself stops all resources at once; this runs first, because hosted services stop in reverse order of
/// registration and Aspire's own are registered before ours.
/// </summary>
public sealed class OrderedShutdown(DistributedApplicationModel model, ResourceCommandService commands, ILogger<OrderedShutdown> logger) : IHostedService
{
    private static readonly TimeSpan StageTimeout = TimeSpan.FromSeconds(20);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var supervised = model.Resources.Where(r => r.HasAnnotationOfType<SupervisedAnnotation>()).ToList();
        var services = supervised.OfType<ServiceResource>().ToList<IResource>();
        var helpers = supervised.Where(r => r.Annotations.OfType<ResourceRelationshipAnnotation>().Any(a => a.Type == "Parent")).ToList();
        var servers = supervised.Except(services).Except(helpers).ToList();
        foreach (var stage in new[] { services, servers, helpers })
            await StopAllAsync(stage, cancellationToken);
    }

    private async Task StopAllAsync(IEnumerable<IResource> resources, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StageTimeout);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Task.WhenAll(resources.Select(r => commands.ExecuteCommandAsync(r.Name, KnownResourceCommands.StopCommand, timeout.Token)));
            logger.LogInformation("Stopped {Resources} in {Seconds:0.0} s", string.Join(", ", resources.Select(r => r.Name)), clock.Elapsed.TotalSeconds);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Stopping {Resources} in order did not finish ({Error}); Aspire stops the rest", string.Join(", ", resources.Select(r => r.Name)), ex.Message);
        }
    }
}
