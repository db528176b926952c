using System.Diagnostics;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// How far analytics' read model runs behind enrolment while a stream of a course's Enrolled events flows: every
/// 500 ms, the events enrolment's outbox has sent to the broker and the entries analytics' ledger copy holds (each
/// committed with its ranges). An entry's lag is the time from the sample at which the outbox had sent that many to the
/// sample at which analytics held that many (to within the 500 ms step).
/// </summary>
public sealed class AnalyticsLag
{
    private readonly List<(double At, long Sent, long Held)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private AnalyticsLag(TestPlatform app, Guid courseId, long expected)
    {
        var enrolment = app.GetConnectionString(ResourceNames.EnrolmentDb);
        var analytics = app.GetConnectionString(ResourceNames.AnalyticsDb);
        var clock = Stopwatch.StartNew();
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && clock.Elapsed < TimeSpan.FromMinutes(15))
            {
                // Every Enrolled event of the stream is this course's (no other is assigned meanwhile): counted without
                // reading the payloads, so the sampling costs the machine little.
                var sent = await Sql.CountAsync(enrolment, "SELECT count(*) FROM outbox_messages WHERE type LIKE '%.Enrolled' AND sent_at IS NOT NULL");
                var held = await Sql.CountAsync(analytics, $"SELECT count(*) FROM ledger_events WHERE \"CourseId\" = '{courseId}'");
                _samples.Add((clock.Elapsed.TotalSeconds, sent, held));
                if (held >= expected) return;
                await Task.Delay(500);
            }
        });
    }

    public static AnalyticsLag Start(TestPlatform app, Guid courseId, long expected) => new(app, courseId, expected);

    /// <summary>Waits for analytics to hold every entry, then describes the stream and the lag.</summary>
    public async Task<string> ResultAsync()
    {
        await _sampling;
        var lags = new List<double>();
        foreach (var (at, _, held) in _samples.Where(s => s.Held > 0))
        {
            var sentAt = _samples.First(s => s.Sent >= held).At;
            lags.Add(Math.Max(0, at - sentAt));
        }
        lags.Sort();
        // The stream's rate: the busiest 5 s of sends, and the whole stream from its first to its last send.
        var peak = _samples.Select((s, i) => (s, later: _samples.Skip(i).FirstOrDefault(l => l.At >= s.At + 5)))
            .Where(p => p.later != default).Select(p => (p.later.Sent - p.s.Sent) / (p.later.At - p.s.At)).DefaultIfEmpty(0).Max();
        var first = _samples.First(s => s.Sent > 0);
        var last = _samples.First(s => s.Sent == _samples[^1].Sent);
        var done = _samples[^1];
        return $"Analytics behind enrolment: {done.Held:N0} entries; events sent at {(last.Sent - first.Sent) / Math.Max(0.5, last.At - first.At):N0}/s on average, " +
               $"{peak:N0}/s in the busiest 5 s; lag of the read model p50 {lags[lags.Count / 2]:0.0} s, p95 {lags[(int)(lags.Count * 0.95)]:0.0} s, " +
               $"max {lags[^1]:0.0} s; the last entry held {done.At - last.At:0.0} s after the last send (500 ms samples)";
    }
}
