using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Waiting out a dependency that is away (the database, the network): a growing pause between attempts (1 s doubling to
/// <see cref="MaxPause"/>), and one log line per pause, with the attempt count and how long it has lasted, instead of a
/// stack trace per attempt. A consumer holds its batch through an outage of any length this way, rather than spending
/// its retries and sending good messages to <c>_error</c>.
/// </summary>
public sealed class Outage(ILogger? logger, string what)
{
    public static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    private readonly Stopwatch _since = new();
    private TimeSpan _pause = FirstPause;
    private int _attempts;

    /// <summary>Records a failed attempt, logs it and waits before the next one.</summary>
    public async Task PauseAsync(Exception failure, CancellationToken cancellationToken)
    {
        if (_attempts++ == 0) _since.Start();
        logger?.LogWarning("{What}: a dependency is unavailable ({Reason}); attempt {Attempt} over {Seconds:0} s, holding and trying again in {Pause:0} s",
            what, failure.GetBaseException().Message, _attempts, _since.Elapsed.TotalSeconds, _pause.TotalSeconds);
        await Task.Delay(_pause, cancellationToken);
        _pause = TimeSpan.FromTicks(Math.Min(_pause.Ticks * 2, MaxPause.Ticks));
    }

    /// <summary>Logs the end of an outage, if there was one, and starts afresh for the next.</summary>
    public void Recovered()
    {
        if (_attempts == 0) return;
        logger?.LogInformation("{What}: the dependency is back after {Seconds:0} s and {Attempts} attempts", what, _since.Elapsed.TotalSeconds, _attempts);
        _attempts = 0;
        _pause = FirstPause;
        _since.Reset();
    }
}
