using System.Collections.Concurrent;
using System.Diagnostics;

/// <summary>
/// A closed loop: each of <c>concurrency</c> clients runs the operation again as soon as it returns, for
/// <c>seconds</c>, after a warm-up of two operations per client. Prints the rate and latencies and returns the rate.
/// </summary>
public static class ClosedLoop
{
    public static async Task<double> MeasureAsync(string name, Func<Task> operation, int seconds, int concurrency)
    {
        for (var i = 0; i < concurrency * 2; i++) await operation(); // warm-up
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < end)
            {
                var start = Stopwatch.GetTimestamp();
                try { await operation(); latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds); }
                catch { Interlocked.Increment(ref errors); }
            }
        }));
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var rate = sorted.Length / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {rate:N0} req/s with {concurrency} clients; p50 {P(0.5):0.0} ms, p99 {P(0.99):0.0} ms; {errors} errors");
        return rate;
    }
}
