using System.Collections.Concurrent;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Liveness of the service's background loops (the outbox dispatcher, the import worker): each beats on every turn,
/// waiting included, and the liveness probe (<c>/alive</c>) fails when one has been silent for longer than it may be,
/// so a process whose loop is wedged (a call that never returns) is restarted, not only one that died. Kestrel
/// answering <c>/alive</c> at all covers a starved thread pool.
/// </summary>
public sealed class LoopHeartbeats(TimeProvider time) : IHealthCheck
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Last, TimeSpan MaxSilence)> _loops = new();

    /// <summary>Records a turn of the loop; the first beat registers it with the silence it is allowed.</summary>
    public void Beat(string loop, TimeSpan maxSilence) => _loops[loop] = (time.GetUtcNow(), maxSilence);

    /// <summary>A loop that has finished (its service stopping) is no longer watched.</summary>
    public void Stopped(string loop) => _loops.TryRemove(loop, out _);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var silent = _loops.Where(l => now - l.Value.Last > l.Value.MaxSilence)
            .Select(l => $"{l.Key} silent for {(now - l.Value.Last).TotalSeconds:0} s (allowed {l.Value.MaxSilence.TotalSeconds:0} s)").ToList();
        return Task.FromResult(silent.Count == 0
            ? HealthCheckResult.Healthy($"{_loops.Count} loops turning")
            : HealthCheckResult.Unhealthy(string.Join("; ", silent)));
    }
}
