using Microsoft.Extensions.Configuration;

namespace LmsPlatform.Hosting;

/// <summary>
/// A running set of resources: starts each after what it waits for is healthy, probes health continuously, restarts
/// crashed projects, and stops everything (projects first, servers last) on <see cref="StopAsync"/> or disposal.
/// </summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly List<Resource> _resources;
    private readonly Dictionary<string, Exception> _failures = [];
    private readonly CancellationTokenSource _lifetime = new();
    private Task? _monitor;
    private bool _stopped;

    internal DistributedApplication(DistributedApplicationOptions options, IConfiguration configuration, List<Resource> resources)
    {
        Context = new HostingContext(options, configuration);
        _resources = resources;
        ResourceNotifications = new ResourceNotificationService(this);
    }

    /// <summary>Aspire's entry point: a builder for the application, reading configuration from the environment and args.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => DistributedApplicationBuilder.CreateBuilder(args);

    public HostingContext Context { get; }
    public IReadOnlyList<Resource> Resources => _resources;
    public ResourceNotificationService ResourceNotifications { get; }

    public Resource GetResource(string name) =>
        _resources.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"No resource named '{name}'.", nameof(name));

    public IReadOnlyList<ResourceSnapshot> Snapshot() => _resources.Select(r => r.Snapshot()).ToList();

    internal Exception? FailureOf(string name)
    {
        lock (_failures) return _failures.GetValueOrDefault(name);
    }

    /// <summary>Starts every resource, each once what it waits for is healthy. Returns when all are launched.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _monitor = MonitorHealthAsync(_lifetime.Token);
        await Task.WhenAll(_resources.Select(r => StartOneAsync(r, cancellationToken)));
    }

    private async Task StartOneAsync(Resource resource, CancellationToken cancellationToken)
    {
        try
        {
            resource.MarkWaiting();
            foreach (var dependency in resource.WaitsFor)
                await ResourceNotifications.WaitForResourceHealthyAsync(dependency.Name, cancellationToken);
            await resource.StartAsync(Context, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (_failures) _failures[resource.Name] = ex;
            resource.MarkFailed();
            await File.AppendAllTextAsync(Path.Combine(Context.LogDirectory, $"{resource.Name}.log"),
                $"---- {DateTimeOffset.Now:O} failed to start: {ex}{Environment.NewLine}", CancellationToken.None);
        }
    }

    private async Task MonitorHealthAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await Task.WhenAll(_resources.Select(async r =>
            {
                if (r.State is ResourceState.Running)
                    r.Health = await r.ProbeAsync(stopping) ? ResourceHealth.Healthy : ResourceHealth.Unhealthy;
                else if (r.State is ResourceState.Exited or ResourceState.Stopped or ResourceState.FailedToStart)
                    r.Health = ResourceHealth.Unhealthy;
            }));
            var allHealthy = _resources.All(r => r.Health == ResourceHealth.Healthy);
            try { await Task.Delay(allHealthy ? 1000 : 250, stopping); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Starts, waits until <paramref name="cancellationToken"/> fires (Ctrl+C), then stops everything.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) { }
        finally
        {
            await StopAsync();
        }
    }

    /// <summary>
    /// Stops a single resource (for example the broker in a fault test); it can be started again. Its health is
    /// forgotten, so waiting for it to be healthy after a restart waits for the new process.
    /// </summary>
    public async Task StopResourceAsync(string name, CancellationToken cancellationToken = default)
    {
        var resource = GetResource(name);
        await resource.StopAsync(cancellationToken);
        resource.Health = ResourceHealth.Unknown;
    }

    public Task StartResourceAsync(string name, CancellationToken cancellationToken = default) =>
        GetResource(name).StartAsync(Context, cancellationToken);

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        // Dependents first: the gateway and services, then databases, then the servers they used.
        var order = _resources.OrderBy(r => r switch
        {
            ProjectResource => 0,
            PostgresDatabaseResource => 1,
            _ => 2,
        }).GroupBy(r => r is ProjectResource ? 0 : r is PostgresDatabaseResource ? 1 : 2);
        foreach (var group in order)
            await Task.WhenAll(group.Select(async r =>
            {
                try { await r.StopAsync(CancellationToken.None); }
                catch (Exception) { /* best effort: keep stopping the rest */ }
            }));
        foreach (var broker in _resources.OfType<RabbitMQServerResource>()) await broker.StopEpmdAsync();
        await _lifetime.CancelAsync();
        if (_monitor is not null) await _monitor;
    }

    /// <summary>An HttpClient addressed to a project resource (Aspire's testing name).</summary>
    public HttpClient CreateHttpClient(string resourceName)
    {
        var url = GetResource(resourceName).Url ?? throw new InvalidOperationException($"{resourceName} has no URL yet.");
        return new HttpClient { BaseAddress = new Uri(url) };
    }

    public string? GetConnectionString(string resourceName) =>
        GetResource(resourceName) is IResourceWithConnectionString r ? r.ConnectionString : null;

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _lifetime.Dispose();
        if (Context.Options.DeleteDataOnDispose)
        {
            try { Directory.Delete(Context.DataDirectory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Waits for resources to reach a state (Aspire's ResourceNotificationService, reduced to what we use).</summary>
public sealed class ResourceNotificationService(DistributedApplication application)
{
    public Task WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(name, r => r.Health == ResourceHealth.Healthy && r.State == ResourceState.Running, cancellationToken);

    public async Task WaitForResourceAsync(string name, Func<Resource, bool> predicate, CancellationToken cancellationToken = default)
    {
        var resource = application.GetResource(name);
        while (!predicate(resource))
        {
            if (resource.State == ResourceState.FailedToStart)
                throw new InvalidOperationException($"{name} failed to start.", application.FailureOf(name));
            await Task.Delay(100, cancellationToken);
        }
    }
}
