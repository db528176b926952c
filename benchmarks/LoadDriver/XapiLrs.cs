using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// The xAPI LRS's two targets (issue 15): statements stored in batches of 50 through the gateway (≥ 5,000
/// statements/s), beside the same rows written by PostgreSQL binary COPY (the database's own limit on this box); then
/// the store filled to <c>total</c> statements by COPY, and one learner's statements for one activity read through
/// the gateway (p95 &lt; 50 ms at 1,000,000).
/// </summary>
public static class XapiLrs
{
    private const int Learners = 20_000, Activities = 500, BatchSize = 50;
    private static readonly string[] Verbs = ["http://adlnet.gov/expapi/verbs/attempted", "http://adlnet.gov/expapi/verbs/experienced",
        "http://adlnet.gov/expapi/verbs/completed", "http://adlnet.gov/expapi/verbs/passed"];

    public static async Task RunAsync(TestPlatform app, HttpClient admin, Uri gateway, int seconds, int clients, int total)
    {
        using var created = await admin.PostAsJsonAsync("/api/content/xapi-clients", new { name = "Load driver", scopes = new[] { "all" } });
        created.EnsureSuccessStatusCode();
        var credential = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = credential.GetProperty("client").GetProperty("key").GetString()!;
        var secret = credential.GetProperty("secret").GetString()!;
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        http.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        var db = app.GetConnectionString(ResourceNames.ContentDb);

        // 1. Ingest through the gateway: closed loop, each client posting batches of 50 as soon as the last is stored.
        var random = new Random(15);
        async Task PostAsync()
        {
            using var content = new ByteArrayContent(Batch(random));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/xapi/statements", content);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        for (var i = 0; i < clients * 4; i++) await PostAsync(); // warm-up: JIT, pools, the activities' definitions
        var before = await Sql.CountAsync(db, "SELECT count(*) FROM xapi_statements");
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var cpu = new CpuUse(app, [ResourceNames.ContentApi, ResourceNames.Gateway, ResourceNames.Postgres]);
        cpu.Sample();
        var driverCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        // What PostgreSQL's busy backends wait on meanwhile, sampled every 100 ms: where a batch's time goes.
        var waits = new ConcurrentDictionary<string, int>();
        var sampling = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(db);
            await connection.OpenAsync();
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                await using var sample = new NpgsqlCommand(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND datname = current_database()", connection);
                await using (var reader = await sample.ExecuteReaderAsync())
                    while (await reader.ReadAsync()) waits.AddOrUpdate(reader.GetString(0), 1, (_, n) => n + 1);
                await Task.Delay(100);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await PostAsync();
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Console.WriteLine(e.Message);
                }
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var cpuLine = cpu.Sample() + $", this load driver {(Process.GetCurrentProcess().TotalProcessorTime - driverCpu).TotalSeconds / clock.Elapsed.TotalSeconds * 100:0}%";
        await sampling;
        var stored = await Sql.CountAsync(db, "SELECT count(*) FROM xapi_statements") - before;
        var (p50, p95, p99) = Percentiles(latencies);
        var rate = stored / elapsed;
        Console.WriteLine($"POST /xapi/statements, batches of {BatchSize}, {clients} clients for {seconds} s through the gateway: {rate:N0} statements/s " +
                          $"({stored:N0} stored); per batch p50 {p50:0.0} ms, p95 {p95:0.0} ms, p99 {p99:0.0} ms; {errors} errors");
        Console.WriteLine($"  CPU: {cpuLine} (200% = both cores)");
        var samples = Math.Max(1, waits.Values.Sum());
        Console.WriteLine("  PostgreSQL's active backends: " + string.Join(", ", waits.OrderByDescending(w => w.Value).Take(6).Select(w => $"{w.Key} {w.Value * 100.0 / samples:0}%")));

        // 2. The same rows by binary COPY, on the same database: the limit the LRS's rate is a share of.
        var copyCount = Math.Max(50_000, (int)stored);
        var copySeconds = await CopyAsync(db, copyCount, random);
        Console.WriteLine($"COPY of the same rows: {copyCount / copySeconds:N0} statements/s ({copyCount:N0} in {copySeconds:0.0} s); the LRS stores at {rate / (copyCount / copySeconds):P0} of it");

        // 3. Fill to the total and read one learner's statements for one activity.
        var count = await Sql.CountAsync(db, "SELECT count(*) FROM xapi_statements");
        var fill = Stopwatch.StartNew();
        while (count < total)
        {
            var chunk = (int)Math.Min(200_000, total - count);
            await CopyAsync(db, chunk, random);
            count += chunk;
        }
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE xapi_statements");
        Console.WriteLine($"Filled to {count:N0} statements in {fill.Elapsed.TotalSeconds:0} s (COPY, then VACUUM ANALYZE)");
        var queryLatencies = new ConcurrentBag<double>();
        var found = 0L;
        var queryErrors = 0;
        async Task QueryAsync(Random r)
        {
            var learner = r.Next(Learners);
            var activity = r.Next(Activities);
            var agent = Uri.EscapeDataString($$$"""{"account":{"homePage":"https://hr.example","name":"learner-{{{learner}}}"}}""");
            using var response = await http.GetAsync($"/xapi/statements?agent={agent}&activity={Uri.EscapeDataString(ActivityId(activity))}");
            response.EnsureSuccessStatusCode();
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync());
            Interlocked.Add(ref found, body.RootElement.GetProperty("statements").GetArrayLength());
        }
        var warm = new Random(1);
        for (var i = 0; i < 200; i++) await QueryAsync(warm);
        var queryClock = Stopwatch.StartNew();
        const int queryClients = 8;
        cpu.Sample();
        await Task.WhenAll(Enumerable.Range(0, queryClients).Select(async c =>
        {
            var r = new Random(100 + c);
            while (queryClock.Elapsed < TimeSpan.FromSeconds(20))
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await QueryAsync(r);
                    queryLatencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch
                {
                    Interlocked.Increment(ref queryErrors);
                }
            }
        }));
        var (q50, q95, q99) = Percentiles(queryLatencies);
        Console.WriteLine($"GET /xapi/statements?agent=…&activity=… (one learner, one activity) at {count:N0} statements, {queryClients} clients for 20 s: " +
                          $"{queryLatencies.Count / queryClock.Elapsed.TotalSeconds:N0} req/s; p50 {q50:0.0} ms, p95 {q95:0.0} ms, p99 {q99:0.0} ms; " +
                          $"{(double)found / Math.Max(1, queryLatencies.Count):0.0} statements per answer; {queryErrors} errors");
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
    }

    private static (double, double, double) Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        return (P(0.5), P(0.95), P(0.99));
    }

    private static string ActivityId(int i) => $"https://content.example/courses/safety/activities/{i}";

    /// <summary>A statement a content package would send: an account actor, a verb, an activity with its name, a result and a context.</summary>
    private static string Statement(Random random, out int learner, out int activity, out int verb, out Guid registration)
    {
        learner = random.Next(Learners);
        activity = random.Next(Activities);
        verb = random.Next(Verbs.Length);
        registration = new Guid(learner, 15, 15, 1, 2, 3, 4, 5, 6, 7, 8);
        return $$$"""
            {"actor":{"objectType":"Agent","name":"Learner {{{learner}}}","account":{"homePage":"https://hr.example","name":"learner-{{{learner}}}"}},
             "verb":{"id":"{{{Verbs[verb]}}}","display":{"en-US":"did"}},
             "object":{"objectType":"Activity","id":"{{{ActivityId(activity)}}}","definition":{"name":{"en-US":"Activity {{{activity}}}"},"type":"http://adlnet.gov/expapi/activities/lesson"}},
             "result":{"score":{"scaled":{{{random.Next(101) / 100.0:0.00}}}},"completion":true,"success":true,"duration":"PT{{{random.Next(1, 3600)}}}S"},
             "context":{"registration":"{{{registration}}}","contextActivities":{"parent":[{"id":"https://content.example/courses/safety"}]},"platform":"Load driver"},
             "timestamp":"{{{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}}}"}
            """;
    }

    private static byte[] Batch(Random random)
    {
        var text = new StringBuilder("[");
        lock (random)
            for (var i = 0; i < BatchSize; i++) text.Append(i == 0 ? "" : ",").Append(Statement(random, out _, out _, out _, out _));
        return Encoding.UTF8.GetBytes(text.Append(']').ToString());
    }

    /// <summary>The rows the LRS writes for such statements (its keys, the statement with the LRS's properties), by binary COPY.</summary>
    private static async Task<double> CopyAsync(string connectionString, int count, Random random)
    {
        var rows = new List<(Guid Id, string[] Keys, string Json)>(count);
        for (var i = 0; i < count; i++)
        {
            var id = Guid.CreateVersion7();
            var json = Statement(random, out var learner, out var activity, out var verb, out var registration);
            var agent = $"account:https://hr.example|learner-{learner}";
            string[] keys = [$"a:{agent}", $"A:{agent}", $"v:{Verbs[verb]}", $"o:{ActivityId(activity)}", $"O:{ActivityId(activity)}",
                "O:https://content.example/courses/safety", $"r:{registration}", "A:account:https://lms.example/xapi/clients|load", "w:account:https://lms.example/xapi/clients|load"];
            rows.Add((id, keys, json.Insert(1, $"\"id\":\"{id}\",\"stored\":\"{DateTimeOffset.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}\",")));
        }
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        await using (var copy = await connection.BeginBinaryImportAsync("COPY xapi_statements (id, stored, keys, voided, statement, attachments) FROM STDIN (FORMAT BINARY)"))
        {
            var now = DateTimeOffset.UtcNow;
            foreach (var (id, keys, json) in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(keys, NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(json, NpgsqlDbType.Json);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
            }
            await copy.CompleteAsync();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
