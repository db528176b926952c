using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.AppHost.Supervision;

/// <summary>Marks a resource the watchdog restarts when it dies.</summary>
public sealed class SupervisedAnnotation : IResourceAnnotation;

/// <summary>
/// Aspire does not restart a process that dies. The watchdog does: a supervised resource that goes from
/// <c>Running</c> straight to a terminal state died (a stop command or the AppHost's shutdown passes through
/// <c>Stopping</c> first) and is restarted through Aspire's restart command, after 1 s doubling to 30 s, back to 1 s once it has
/// run for a minute. Each restart is written to the resource's log in the dashboard and counted.
/// </summary>
public sealed class Watchdog(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    ResourceLoggerService loggers,
    IHostApplicationLifetime lifetime,
    ILogger<Watchdog> logger)
{
    public const string RestartsProperty = "lms.restarts";
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, int> _restarts = new();

    /// <summary>How many times the watchdog has restarted the resource.</summary>
    public int Restarts(string resource) => _restarts.GetValueOrDefault(resource);

    /// <summary>Watches from before the first resource starts (BeforeStartEvent) until the AppHost stops.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => Task.Run(() => WatchAsync(stoppingToken), stoppingToken);

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var supervised = model.Resources.Where(r => r.HasAnnotationOfType<SupervisedAnnotation>()).ToDictionary(r => r.Name);
        var last = new Dictionary<string, string?>();
        var runningSince = new Dictionary<string, DateTimeOffset>();
        var backoff = new Dictionary<string, TimeSpan>();
        var restarting = new ConcurrentDictionary<string, bool>();

        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!supervised.TryGetValue(update.Resource.Name, out var resource)) continue;
                var name = resource.Name;
                var state = update.Snapshot.State?.Text;
                var previous = last.GetValueOrDefault(name);
                last[name] = state;
                if (state == previous) continue;

                if (state == KnownResourceStates.Running) runningSince[name] = DateTimeOffset.UtcNow;
                var died = state is not null && KnownResourceStates.TerminalStates.Contains(state)
                           && previous == KnownResourceStates.Running
                           && !lifetime.ApplicationStopping.IsCancellationRequested;
                if (!died || !restarting.TryAdd(name, true)) continue;

                var delay = backoff.GetValueOrDefault(name, FirstBackoff);
                if (runningSince.TryGetValue(name, out var since) && DateTimeOffset.UtcNow - since > StableAfter) delay = FirstBackoff;
                backoff[name] = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));
                var exitCode = update.Snapshot.ExitCode;
                _ = RestartAsync(resource, delay, exitCode, stoppingToken).ContinueWith(_ => restarting.TryRemove(name, out var _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RestartAsync(IResource resource, TimeSpan delay, int? exitCode, CancellationToken stoppingToken)
    {
        var log = loggers.GetLogger(resource);
        try
        {
            log.LogWarning("{Resource} died (exit code {ExitCode}); the watchdog restarts it in {Delay} s", resource.Name, exitCode, delay.TotalSeconds);
            await Task.Delay(delay, stoppingToken);
            var result = await commands.ExecuteCommandAsync(resource.Name, KnownResourceCommands.RestartCommand, stoppingToken);
            if (!result.Success)
            {
                log.LogError("Restarting {Resource} failed: {Error}", resource.Name, result.Message);
                return;
            }
            var count = _restarts.AddOrUpdate(resource.Name, 1, (_, n) => n + 1);
            log.LogWarning("{Resource} restarted by the watchdog ({Count} so far)", resource.Name, count);
            logger.LogWarning("{Resource} restarted by the watchdog ({Count} so far)", resource.Name, count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The watchdog could not restart {Resource}", resource.Name);
        }
    }
}

public static class SupervisionExtensions
{
    /// <summary>Restart this resource whenever it dies (see <see cref="Watchdog"/>).</summary>
    public static IResourceBuilder<T> WithRestartOnFailure<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(new SupervisedAnnotation());
}
