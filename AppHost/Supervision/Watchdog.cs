using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.AppHost.Supervision;

/// <summary>Marks a resource the watchdog restarts when it dies.</summary>
public sealed class SupervisedAnnotation : IResourceAnnotation;

/// <summary>
/// Aspire does not restart a process that dies. The watchdog does: a supervised resource that reaches a terminal state
/// other than through <c>Stopping</c> (which a stop command or the AppHost's shutdown passes through) died, or failed
/// to start again, and is started again through Aspire's commands, after 1 s doubling to 30 s, back to 1 s once it has
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
                // Dead: a terminal state reached other than through Stopping (a stop command or the AppHost's
                // shutdown). That covers a process that exits while running and a restart that fails to start (it
                // waited for a server that was itself down), which is tried again with the next backoff.
                var died = state is not null && KnownResourceStates.TerminalStates.Contains(state)
                           && previous is not null && previous != KnownResourceStates.Stopping
                           && !KnownResourceStates.TerminalStates.Contains(previous)
                           && !lifetime.ApplicationStopping.IsCancellationRequested;
                if (!died || !restarting.TryAdd(name, true)) continue;

                var delay = backoff.GetValueOrDefault(name, FirstBackoff);
                if (runningSince.TryGetValue(name, out var since) && DateTimeOffset.UtcNow - since > StableAfter) delay = FirstBackoff;
                backoff[name] = Doubled(delay);
                var exitCode = update.Snapshot.ExitCode;
                _ = RestartAsync(resource, delay, exitCode, stoppingToken).ContinueWith(_ => restarting.TryRemove(name, out var _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Doubled(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxBackoff.Ticks));

    private async Task RestartAsync(IResource resource, TimeSpan delay, int? exitCode, CancellationToken stoppingToken)
    {
        var log = loggers.GetLogger(resource);
        try
        {
            log.LogWarning("{Resource} died (exit code {ExitCode}); the watchdog restarts it in {Delay} s", resource.Name, exitCode, delay.TotalSeconds);
            await Task.Delay(delay, stoppingToken);
            // A dead resource is started again (the dashboard's Start); if that is refused, a restart (stop, then start)
            // is tried next, and so on with the backoff, until one is taken. A start is refused, for instance, while a
            // server the resource waits for is itself down and not yet restarted.
            for (var command = KnownResourceCommands.StartCommand; ;)
            {
                string? error;
                try
                {
                    var result = await commands.ExecuteCommandAsync(resource.Name, command, stoppingToken);
                    if (result.Success) break;
                    error = result.Message;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = ex.GetBaseException().Message;
                }
                command = command == KnownResourceCommands.StartCommand ? KnownResourceCommands.RestartCommand : KnownResourceCommands.StartCommand;
                delay = Doubled(delay);
                log.LogError("Restarting {Resource} failed ({Error}); trying again in {Delay} s", resource.Name, error, delay.TotalSeconds);
                await Task.Delay(delay, stoppingToken);
            }
            var count = _restarts.AddOrUpdate(resource.Name, 1, (_, n) => n + 1);
            // Shown in the dashboard's details of the resource, next to its state.
            await notifications.PublishUpdateAsync(resource, snapshot => snapshot with
            {
                Properties = [.. snapshot.Properties.Where(p => p.Name != RestartsProperty), new ResourcePropertySnapshot(RestartsProperty, count) { DisplayName = "Restarts by the watchdog" }],
            });
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
