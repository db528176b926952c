using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Runs a scoped unit of work round after round: at once again while a round found work, else after the poll
/// interval; a failed round is logged and tried again after a pause.
/// </summary>
public abstract class RoundWorker(IServiceScopeFactory scopes, TimeProvider time, ILogger log) : BackgroundService
{
    /// <summary>The clock the rounds wait on, for a round's own use.</summary>
    protected TimeProvider Time => time;

    /// <summary>What a round does, for the log ("Following up completions and deadlines").</summary>
    protected abstract string Doing { get; }

    protected abstract TimeSpan PollInterval { get; }

    /// <summary>One round with a fresh scope's services; the amount of work done (0: wait for the poll interval).</summary>
    protected abstract Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var done = 0;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                done = await RunOnceAsync(scope.ServiceProvider, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "{Doing} failed; it will be tried again", Doing);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (done == 0) await Task.Delay(PollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
