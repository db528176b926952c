using System.Diagnostics;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Testing;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// Analytics' read model alone against a steady stream of enrolment events: N Enrolled events written into enrolment's
/// outbox at a fixed rate (as enrolment's own transactions would leave them), published by enrolment's relay through the
/// real broker, and folded by analytics; the other consumers of the same events (notification, content) are stopped
/// so that analytics has the machine's cores to itself, as its own replicas would in a cluster. The lag is sampled as
/// in the audiences scenario (<see cref="AnalyticsLag"/>).
/// </summary>
public static class Fold
{
    public static async Task RunAsync(TestPlatform app, int events, int rate)
    {
        await app.StopResourceAsync(ResourceNames.NotificationApi);
        await app.StopResourceAsync(ResourceNames.ContentApi);
        var connection = app.GetConnectionString(ResourceNames.EnrolmentDb);
        var courseId = Guid.NewGuid();
        var lag = AnalyticsLag.Start(app, courseId, events);
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        var clock = Stopwatch.StartNew();
        var written = 0;
        var type = typeof(Enrolled).FullName!;
        while (written < events)
        {
            // One second's events in one COPY, then wait for the next second: the stream's rate is held whatever the relay does.
            var chunk = Math.Min(rate, events - written);
            var now = DateTimeOffset.UtcNow;
            await using (var outbox = await db.BeginBinaryImportAsync(
                             "COPY outbox_messages (id, type, payload, occurred_at, ordering_key, attempts, next_attempt_at) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < chunk; i++)
                {
                    var enrolled = new Enrolled(Guid.CreateVersion7(), Guid.NewGuid(), courseId, 1, 1, now.AddDays(30), "Audience", null, now);
                    await outbox.StartRowAsync();
                    outbox.Write(Guid.CreateVersion7(now), NpgsqlDbType.Uuid);
                    outbox.Write(type, NpgsqlDbType.Varchar);
                    outbox.Write(JsonSerializer.Serialize(enrolled, JsonSerializerOptions.Web), NpgsqlDbType.Jsonb);
                    outbox.Write(now, NpgsqlDbType.TimestampTz);
                    outbox.Write(enrolled.EnrolmentId, NpgsqlDbType.Uuid);
                    outbox.Write(0, NpgsqlDbType.Integer);
                    outbox.Write(now, NpgsqlDbType.TimestampTz);
                }
                await outbox.CompleteAsync();
            }
            written += chunk;
            var due = TimeSpan.FromSeconds((double)written / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
        }
        Console.WriteLine($"{written:N0} Enrolled events written into enrolment's outbox in {clock.Elapsed.TotalSeconds:0.0} s ({written / clock.Elapsed.TotalSeconds:N0}/s)");
        Console.WriteLine(await lag.ResultAsync());
    }
}
