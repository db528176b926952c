using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;
using Npgsql;

// Load driver: starts the whole platform (throwaway data, as the tests do) and measures one scenario through the
// gateway. Usage: dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll identity-import [users=100000] [--update] [--consumers-stopped]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll identity-tokens [seconds=20] [concurrency=32]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll catalogue-search [courses=20000] [paths=1000] [seconds=30] [concurrency=50] [rate=500]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll portal-search [courses=20000] [paths=1000] [seconds=30] [users=50] [think=1]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll audiences [people=100000] [moves=10] [--fault]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll fold [events=200000] [rate=2000]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll my-learning [seconds=30] [rate=200] [clients=50]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll xapi [seconds=30] [clients=8] [total=1000000]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll reminders [people=100000]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll reports [people=100000] [perPerson=10] [seconds=20] [--analytics-heap MB]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll rebuild [entries=1000000]
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll baselines
//                 dotnet artifacts/bin/LoadDriver/release/LoadDriver.dll gateway     (the hello-world baseline alone)
// Each scenario ends with the machine's own limits measured in the same run (see Baselines). Build in Release.
var scenario = args.FirstOrDefault() ?? "identity-import";
Console.WriteLine("Starting the platform…");
// Durable PostgreSQL (fsync, synchronous commit), as ./lms run has it: the figures are what an installation gets.
// The gateway's sign-in budgets (Gateway:RateLimits) would stop the token scenario after a few requests: it measures
// what the token endpoint can do, so the budgets are lifted here.
var settings = new Dictionary<(string, string), string>
{
    [(ResourceNames.Gateway, "Gateway__RateLimits__PerAddressPermits")] = "100000000",
    [(ResourceNames.Gateway, "Gateway__RateLimits__PerAccountPermits")] = "100000000",
    // The dashboards' weekly trend every two minutes (ten in an installation), so the reports scenario has one taken after its seed.
    [(ResourceNames.AnalyticsApi, "Analytics__TrendFiguresInterval")] = "00:02:00",
};
// --analytics-heap MB: analytics' managed heap capped (DOTNET_GCHeapHardLimit), to show an export streams rather than holds its rows.
if (args.SkipWhile(a => a != "--analytics-heap").Skip(1).FirstOrDefault() is { } heap)
    settings[(ResourceNames.AnalyticsApi, "DOTNET_GCHeapHardLimit")] = "0x" + (long.Parse(heap) * 1024 * 1024).ToString("X");
await using var app = await TestPlatform.StartAsync(durable: true, settings: settings);
// Ctrl+C or SIGTERM stops the platform it started; otherwise its servers and services would outlive the driver.
void StopOnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    app.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(60));
    Environment.Exit(130);
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, StopOnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, StopOnSignal);
var gatewayUrl = app.GatewayUrl;
var adminToken = await Portal.SignInAsync(gatewayUrl, LmsTopology.AdminEmail, app.AdminPassword);
using var admin = new HttpClient { BaseAddress = gatewayUrl, Timeout = TimeSpan.FromMinutes(5) };
admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);

switch (scenario)
{
    case "identity-import": await ImportAsync(int.Parse(args.ElementAtOrDefault(1) ?? "100000"), args.Contains("--consumers-stopped"), args.Contains("--update")); break;
    case "identity-tokens": await TokensAsync(int.Parse(args.ElementAtOrDefault(1) ?? "20"), int.Parse(args.ElementAtOrDefault(2) ?? "32")); break;
    case "catalogue-search":
        await CatalogueSearch.RunAsync(app, admin, gatewayUrl, int.Parse(args.ElementAtOrDefault(1) ?? "20000"), int.Parse(args.ElementAtOrDefault(2) ?? "1000"),
            int.Parse(args.ElementAtOrDefault(3) ?? "30"), int.Parse(args.ElementAtOrDefault(4) ?? "50"), int.Parse(args.ElementAtOrDefault(5) ?? "500"));
        await PrintBaselinesAsync(copy: false, rabbit: false, gateway: true, importRate: null);
        break;
    case "portal-search":
        await PortalSearch.RunAsync(app, admin, gatewayUrl, int.Parse(args.ElementAtOrDefault(1) ?? "20000"), int.Parse(args.ElementAtOrDefault(2) ?? "1000"),
            int.Parse(args.ElementAtOrDefault(3) ?? "30"), int.Parse(args.ElementAtOrDefault(4) ?? "50"),
            double.Parse(args.ElementAtOrDefault(5) ?? "1", System.Globalization.CultureInfo.InvariantCulture));
        break;
    case "audiences":
        await Audiences.RunAsync(app, admin, int.Parse(args.ElementAtOrDefault(1) ?? "100000"), int.Parse(args.ElementAtOrDefault(2) ?? "10"), args.Contains("--fault"));
        break;
    case "fold": await Fold.RunAsync(app, int.Parse(args.ElementAtOrDefault(1) ?? "200000"), int.Parse(args.ElementAtOrDefault(2) ?? "2000")); break;
    case "my-learning":
        await MyLearning.RunAsync(app, admin, gatewayUrl, int.Parse(args.ElementAtOrDefault(1) ?? "30"), int.Parse(args.ElementAtOrDefault(2) ?? "200"),
            int.Parse(args.ElementAtOrDefault(3) ?? "50"));
        break;
    case "xapi":
        await XapiLrs.RunAsync(app, admin, gatewayUrl, int.Parse(args.ElementAtOrDefault(1) ?? "30"), int.Parse(args.ElementAtOrDefault(2) ?? "8"),
            int.Parse(args.ElementAtOrDefault(3) ?? "1000000"));
        break;
    case "reminders": await Reminders.RunAsync(app, int.Parse(args.ElementAtOrDefault(1) ?? "100000")); break;
    case "reports":
        await Reports.RunAsync(app, admin, gatewayUrl, int.Parse(args.ElementAtOrDefault(1) ?? "100000"), int.Parse(args.ElementAtOrDefault(2) ?? "10"),
            int.Parse(args.ElementAtOrDefault(3) ?? "20"));
        break;
    case "rebuild": await Rebuild.RunAsync(app, admin, int.Parse(args.ElementAtOrDefault(1) ?? "1000000")); break;
    case "baselines": await PrintBaselinesAsync(copy: true, rabbit: true, gateway: true, importRate: null); break;
    case "gateway": await PrintBaselinesAsync(copy: false, rabbit: false, gateway: true, importRate: null); break;
    default: Console.Error.WriteLine($"Unknown scenario {scenario}"); return 2;
}
return 0;

async Task ImportAsync(int count, bool consumersStopped, bool update)
{
    // With --consumers-stopped the three services that consume UserCreated are stopped during the import, to see
    // identity's own rate apart from theirs; they are started again afterwards and catch up from their queues.
    string[] consumerServices = [ResourceNames.EnrolmentApi, ResourceNames.NotificationApi, ResourceNames.AnalyticsApi];
    if (consumersStopped) foreach (var service in consumerServices) await app.StopResourceAsync(service);
    // With LMS_PERF_MAP=1 the consumers, started again after the import, write perf maps of their JIT code.
    if (consumersStopped && Environment.GetEnvironmentVariable("LMS_PERF_MAP") == "1")
        foreach (var service in consumerServices) app.SetEnvironment(service, "DOTNET_PerfMapEnabled", "1");
    byte[] Csv(string[] titles)
    {
        var csv = new StringBuilder("external_id,email,given_name,family_name,job_title,location,hire_date,manager_external_id\n");
        string[] places = ["London", "Leeds", "Dublin", "Berlin", "Lyon", "Madrid"];
        for (var i = 1; i <= count; i++)
            csv.Append($"E{i:D7},person{i}@example.org,Given{i},Family{i},{titles[i % titles.Length]},{places[i % places.Length]},20{10 + i % 15}-0{1 + i % 9}-1{i % 9},{(i > 100 ? $"E{1 + i % 100:D7}" : "")}\n");
        return Encoding.UTF8.GetBytes(csv.ToString());
    }
    var bytes = Csv(["Analyst", "Engineer", "Nurse", "Driver", "Teacher", "Accountant"]);
    Console.WriteLine($"Generated {count:N0} users, {bytes.Length / 1024.0 / 1024.0:0.0} MB");
    using var sampling = new CancellationTokenSource();
    var sampler = SampleProgressAsync(Stopwatch.StartNew(), sampling.Token);
    var createSeconds = await UploadAndApplyAsync(bytes, "toCreate");

    var consumers = new Dictionary<string, (string Db, string Sql)>
    {
        ["enrolment"] = (ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"),
        ["notification"] = (ResourceNames.NotificationDb, "SELECT count(*) FROM recipients"),
        ["analytics"] = (ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"),
    };
    if (consumersStopped)
    {
        foreach (var service in consumerServices) await app.StartResourceAsync(service);
        Console.WriteLine("Consumers started again");
    }
    var after = Stopwatch.StartNew();
    var pending = consumers.Keys.ToHashSet();
    var firstSeen = new Dictionary<string, (double At, long Count)>();
    while (pending.Count > 0 && after.Elapsed < TimeSpan.FromMinutes(15))
    {
        foreach (var name in pending.ToList())
        {
            var n = await CountAsync(consumers[name].Db, consumers[name].Sql);
            // From a full queue the rate counts from the first event this consumer applied (its start-up is not the queue's).
            if (n > 1 && !firstSeen.ContainsKey(name)) firstSeen[name] = (after.Elapsed.TotalSeconds, n);
            if (n >= count)
            {
                var (at, seen) = firstSeen.GetValueOrDefault(name);
                Console.WriteLine($"{name}: all {count:N0} UserCreated consumed {after.Elapsed.TotalSeconds:0.0} s after the import completed" +
                                  (consumersStopped ? $" and the consumers were started; from its first event on, {(n - seen) / Math.Max(0.001, after.Elapsed.TotalSeconds - at):N0} events/s from a full queue" +
                                                      $" (the three services draining at once on the same two cores)" : ""));
                pending.Remove(name);
            }
        }
        if (after.Elapsed.TotalSeconds % 30 < 1)
            Console.WriteLine($"  after {after.Elapsed.TotalSeconds:0} s: " + string.Join(", ", await Task.WhenAll(consumers.Select(async c => $"{c.Key} {await CountAsync(c.Value.Db, c.Value.Sql):N0}"))));
        await Task.Delay(1000);
    }
    if (update)
    {
        // The same people with a new job title each: 100,000 updates, each a UserUpdated event.
        await UploadAndApplyAsync(Csv(["Senior Analyst", "Senior Engineer", "Senior Nurse", "Senior Driver", "Senior Teacher", "Senior Accountant"]), "toUpdate");
        var published = Stopwatch.StartNew();
        while (await CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL") > 0) await Task.Delay(250);
        Console.WriteLine($"identity: every UserUpdated published {published.Elapsed.TotalSeconds:0.0} s after the update completed");
    }
    sampling.Cancel();
    await sampler;
    await PrintBaselinesAsync(copy: true, rabbit: true, gateway: false, importRate: count / createSeconds);
}

// The machine's limits measured now, on the same servers, so the scenario's figures read as a share of them.
async Task PrintBaselinesAsync(bool copy, bool rabbit, bool gateway, double? importRate)
{
    Console.WriteLine("Machine limits, measured in this run:");
    if (copy)
    {
        var rows = await Baselines.CopyAsync(app, 100_000);
        Console.WriteLine($"  PostgreSQL binary COPY of an import's rows (user + outbox + audit, 2,000 per transaction): {rows:N0} users/s" +
                          (importRate is { } r ? $"; the import's upload-to-applied rate is {100 * r / rows:0}% of it" : ""));
    }
    if (rabbit)
    {
        var small = await Baselines.RabbitMqAsync(app, 50_000, 600);
        var envelopes = await Baselines.RabbitMqAsync(app, 2_000, 60_000);
        Console.WriteLine($"  RabbitMQ persistent publish (confirmed) + consume (acked), one queue: {small:N0} msgs/s of 600 B (one event each); " +
                          $"{envelopes:N0} msgs/s of 60 KB (an envelope of 100 events: {envelopes * 100:N0} events/s)");
    }
    if (gateway)
    {
        var g = await Baselines.GatewayAsync(app, 15, 50);
        Console.WriteLine($"  Kestrel hello-world, 50 clients closed loop, everything sharing the two cores: direct {g.Direct:N0} req/s, through the gateway {g.Gateway:N0} req/s = {100 * g.Gateway / g.Direct:0}% of direct");
        Console.WriteLine($"  the same with the gateway on a core of its own (callers and hello-world on the other): direct {g.DirectOwnCore:N0} req/s, through the gateway {g.GatewayOwnCore:N0} req/s = {100 * g.GatewayOwnCore / g.DirectOwnCore:0}% of direct");
    }
}

// Uploads a users CSV, waits for its dry run, applies it and waits until it completes; prints each phase.
async Task<double> UploadAndApplyAsync(byte[] bytes, string countField)
{
    var total = Stopwatch.StartNew();
    using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "hr.csv" } };
    using var uploaded = await admin.PostAsync("/api/identity/imports?kind=users", form);
    uploaded.EnsureSuccessStatusCode();
    var id = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    var planned = await WaitAsync(id, "Planned");
    var planSeconds = total.Elapsed.TotalSeconds;
    var rows = planned.GetProperty(countField).GetInt32();
    Console.WriteLine($"Dry run planned in {planSeconds:0.0} s: {rows:N0} {countField}, {planned.GetProperty("errorRows").GetInt32()} errors");
    (await admin.PostAsync($"/api/identity/imports/{id}/apply", null)).EnsureSuccessStatusCode();
    var applyClock = Stopwatch.StartNew();
    var done = await WaitAsync(id, "Completed");
    var applied = total.Elapsed.TotalSeconds;
    Console.WriteLine($"Applied in {applyClock.Elapsed.TotalSeconds:0.0} s; upload to applied {applied:0.0} s = {rows / applied:N0} rows/s ({done.GetProperty("message").GetString()})");
    return applied;
}

// Every 5 s while an import applies and its events travel: users written, events published by identity's outbox, and
// each consumer's copies, with the rate over the last interval, so the slowest stage shows.
async Task SampleProgressAsync(Stopwatch clock, CancellationToken stop)
{
    (string Name, string Db, string Sql)[] stages =
    [
        ("users", ResourceNames.IdentityDb, "SELECT count(*) FROM users"),
        ("published", ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NOT NULL"),
        ("enrolment", ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"),
        ("notification", ResourceNames.NotificationDb, "SELECT count(*) FROM recipients"),
        ("analytics", ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"),
    ];
    var last = new long[stages.Length];
    var lastAt = 0.0;
    var cpu = new CpuUse(app, [ResourceNames.IdentityApi, ResourceNames.EnrolmentApi, ResourceNames.NotificationApi, ResourceNames.AnalyticsApi,
        ResourceNames.Postgres, ResourceNames.EventBus, ResourceNames.Gateway]);
    cpu.Sample();
    try
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), stop);
            var counts = await Task.WhenAll(stages.Select(s => CountAsync(s.Db, s.Sql)));
            var at = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"  {at,5:0} s: " + string.Join(", ", stages.Select((s, i) => $"{s.Name} {counts[i]:N0} (+{(counts[i] - last[i]) / (at - lastAt):N0}/s)")));
            Console.WriteLine($"         CPU: {cpu.Sample()} (200% = both cores)");
            last = counts;
            lastAt = at;
        }
    }
    catch (OperationCanceledException)
    {
    }
}

async Task TokensAsync(int seconds, int concurrency)
{
    using var created = await admin.PostAsJsonAsync("/api/identity/clients", new { clientId = "load-driver", displayName = "Load driver", permissions = new[] { "users.read" } });
    created.EnsureSuccessStatusCode();
    var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").GetString()!;
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = gatewayUrl };

    async Task<string> TokenAsync()
    {
        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "load-driver", ["client_secret"] = secret, ["scope"] = "lms_api",
        }));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }
    var token = await TokenAsync();
    async Task GetAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/identity/users?pageSize=20");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
    await ClosedLoop.MeasureAsync("client-credentials token", TokenAsync, seconds, concurrency);
    await ClosedLoop.MeasureAsync("protected GET /api/identity/users through the gateway", GetAsync, seconds, concurrency);
}

async Task<JsonElement> WaitAsync(Guid id, string status)
{
    while (true)
    {
        var job = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/imports/{id}");
        var s = job.GetProperty("status").GetString();
        if (s == status) return job;
        if (s == "Failed") throw new InvalidOperationException(job.GetRawText());
        await Task.Delay(250);
    }
}

async Task<long> CountAsync(string database, string sql)
{
    await using var connection = new NpgsqlConnection(app.GetConnectionString(database));
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    return Convert.ToInt64(await command.ExecuteScalarAsync());
}
