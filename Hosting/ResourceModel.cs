namespace LmsPlatform.Hosting;

public enum ResourceState { NotStarted, Waiting, Starting, Running, Exited, Stopping, Stopped, FailedToStart }

public enum ResourceHealth { Unknown, Healthy, Unhealthy }

/// <summary>A point-in-time view of one resource, for status tables and tests.</summary>
public sealed record ResourceSnapshot(
    string Name, string Kind, ResourceState State, ResourceHealth Health, string? Url, int Restarts, int? ProcessId);

/// <summary>A resource that other resources can reference by a connection string (databases, broker, cache).</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }
    string? ConnectionString { get; }
}

/// <summary>
/// One thing the launcher starts, watches and stops. Subclasses say how to start, stop and probe it; the base keeps
/// the state that the status table and the tests read.
/// </summary>
public abstract class Resource(string name)
{
    private readonly object _gate = new();
    private ResourceState _state = ResourceState.NotStarted;
    private ResourceHealth _health = ResourceHealth.Unknown;

    public string Name { get; } = name;
    public abstract string Kind { get; }
    public List<Resource> WaitsFor { get; } = [];
    public virtual string? Url => null;
    public int Restarts { get; protected set; }
    public virtual int? ProcessId => null;

    /// <summary>Raised after the state or health changed.</summary>
    public event Action<Resource>? Changed;

    public ResourceState State
    {
        get { lock (_gate) return _state; }
        protected set { lock (_gate) { if (_state == value) return; _state = value; } Changed?.Invoke(this); }
    }

    public ResourceHealth Health
    {
        get { lock (_gate) return _health; }
        internal set { lock (_gate) { if (_health == value) return; _health = value; } Changed?.Invoke(this); }
    }

    public ResourceSnapshot Snapshot() => new(Name, Kind, State, Health, Url, Restarts, ProcessId);

    internal void MarkWaiting() => State = ResourceState.Waiting;

    internal void MarkFailed() => State = ResourceState.FailedToStart;

    /// <summary>Starts the resource; returns once its process is launched (not yet healthy).</summary>
    internal abstract Task StartAsync(HostingContext context, CancellationToken cancellationToken);

    internal abstract Task StopAsync(CancellationToken cancellationToken);

    /// <summary>One readiness probe. Must not throw.</summary>
    internal abstract Task<bool> ProbeAsync(CancellationToken cancellationToken);
}
