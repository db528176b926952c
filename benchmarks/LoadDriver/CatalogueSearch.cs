using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;
using Npgsql;

/// <summary>
/// The catalogue figure: generates courses and learning paths through the API (10 % of them visible only to one
/// org unit subtree), signs in a learner who belongs to one of those subtrees, and measures catalogue search through
/// the gateway as that learner: as fast as 50 clients go, and paced at a fixed rate; first with the Redis cache, then
/// with the catalogue restarted without it.
/// </summary>
public static class CatalogueSearch
{
    private static readonly string[] Topics =
    [
        "fire", "safety", "gdpr", "privacy", "leadership", "negotiation", "excel", "python", "security", "phishing", "ethics", "bribery",
        "harassment", "diversity", "inclusion", "first-aid", "manual-handling", "forklift", "ladders", "hygiene", "allergens", "cybersecurity",
        "onboarding", "coaching", "feedback", "budgeting", "forecasting", "procurement", "sustainability", "accessibility", "customer", "complaints",
        "sales", "pricing", "contracts", "export", "sanctions", "laundering", "fraud", "wellbeing", "stress", "resilience", "meetings", "writing",
        "presenting", "agile", "scrum", "kanban", "lean", "quality", "audit", "risk", "incident", "emergency", "evacuation", "driving", "radiation",
        "infection", "medication", "records",
    ];
    private static readonly string[] Levels = ["Introduction to", "Advanced", "Essentials of", "Refresher:", "Practical", "Managing", "Annual"];
    private static readonly string[] Tags = Topics.Take(30).Select(t => t.Replace('-', ' ')).Concat(["mandatory", "new starters", "managers", "regulatory", "soft skills"]).ToArray();
    private static readonly string[] LanguagePool = ["en", "en", "en", "en", "en", "en", "de", "fr", "es", "pt-BR"];

    /// <summary>The generated catalogue, the learner who searches it, and the mix of searches.</summary>
    public sealed record Catalogue(string Email, string Password, List<string> Queries);

    /// <summary>
    /// Builds the catalogue through the API (an org tree, categories, courses and paths, 10 % of them visible to one
    /// division only) and a learner in one of its departments.
    /// </summary>
    public static async Task<Catalogue> GenerateAsync(TestPlatform app, HttpClient admin, Uri gateway, int courses, int paths)
    {
        var random = new Random(42);
        // The org tree: five divisions with three departments each; identity tells the catalogue about them.
        var divisions = new List<Guid>();
        var departments = new List<Guid>();
        for (var d = 0; d < 5; d++)
        {
            var division = await PostIdAsync(admin, "/api/identity/org-units", new { name = $"Division {d}" });
            divisions.Add(division);
            for (var t = 0; t < 3; t++) departments.Add(await PostIdAsync(admin, "/api/identity/org-units", new { name = $"Department {d}.{t}", parentId = division }));
        }
        var categories = new List<Guid>();
        for (var c = 0; c < 8; c++)
        {
            var parent = await PostIdAsync(admin, "/api/catalogue/categories", new { name = $"Area {c}" });
            categories.Add(parent);
            for (var s = 0; s < 5; s++) categories.Add(await PostIdAsync(admin, "/api/catalogue/categories", new { name = $"Topic {c}.{s}", parentId = parent }));
        }
        while (await CountAsync(app, "SELECT count(*) FROM org_units") < 20) await Task.Delay(200);

        Console.WriteLine($"Generating {courses:N0} courses and {paths:N0} learning paths through the API (create + publish each)…");
        var clock = Stopwatch.StartNew();
        var courseIds = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, courses), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var r = new Random(i);
            string Topic() => Topics[r.Next(Topics.Length)];
            var (main, second, third) = (Topic(), Topic(), Topic());
            var draft = new
            {
                title = $"{Levels[r.Next(Levels.Length)]} {main} {(r.Next(3) == 0 ? second : "")}".Trim(),
                summary = $"What every employee needs to know about {second} and {main}.",
                description = $"This course covers {main}, {second} and {third}. It explains the rules, shows examples from practice, and ends with a short assessment on {third}.",
                categoryId = categories[r.Next(categories.Count)],
                tags = Enumerable.Range(0, 1 + r.Next(3)).Select(_ => Tags[r.Next(Tags.Length)]).ToArray(),
                language = LanguagePool[r.Next(LanguagePool.Length)],
                deliveryType = r.Next(10) switch { < 7 => "e-learning", < 9 => "instructor-led", _ => "blended" },
                durationMinutes = 5 + r.Next(475),
                visibility = r.Next(10) == 0 ? new { everyone = false, orgUnitIds = new[] { divisions[r.Next(divisions.Count)] } } : new { everyone = true, orgUnitIds = Array.Empty<Guid>() },
                compliance = r.Next(5) == 0 ? new { dueWithinDays = (int?)30, validityMonths = (int?)12, recertificationWindowDays = (int?)60 } : new { dueWithinDays = (int?)null, validityMonths = (int?)null, recertificationWindowDays = (int?)null },
                sections = new[] { new { title = "Learn", activities = new object[] { new { kind = "content", title = "Module", contentItemId = Guid.NewGuid(), required = true } } } },
            };
            var id = await PostIdAsync(admin, "/api/catalogue/courses", new { code = $"C{i:D6}", draft });
            (await admin.PostAsync($"/api/catalogue/courses/{id}/publish", null, ct)).EnsureSuccessStatusCode();
            courseIds.Add(id);
            if ((i + 1) % 2000 == 0) Console.WriteLine($"  {i + 1:N0} courses, {(i + 1) / clock.Elapsed.TotalSeconds:N0}/s");
        });
        var pool = courseIds.ToArray();
        await Parallel.ForEachAsync(Enumerable.Range(0, paths), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var r = new Random(1_000_000 + i);
            var steps = Enumerable.Range(0, 3 + r.Next(4)).Select(_ => pool[r.Next(pool.Length)]).Distinct().ToList();
            var draft = new
            {
                title = $"{Topics[r.Next(Topics.Length)]} programme {i}", summary = $"A path through {Topics[r.Next(Topics.Length)]}.",
                categoryId = categories[r.Next(categories.Count)], tags = new[] { Tags[r.Next(Tags.Length)] },
                courses = steps.Select((c, n) => new { courseId = c, required = n < 2 }).ToArray(), optionalToComplete = steps.Count > 2 ? 1 : 0,
            };
            var id = await PostIdAsync(admin, "/api/catalogue/paths", new { code = $"P{i:D6}", draft });
            (await admin.PostAsync($"/api/catalogue/paths/{id}/publish", null, ct)).EnsureSuccessStatusCode();
        });
        Console.WriteLine($"Generated in {clock.Elapsed.TotalSeconds:0} s: {(courses + paths) * 2 / clock.Elapsed.TotalSeconds:N0} requests/s (create and publish)");

        // The learner: in department 0.0, so they see everything open plus what division 0 restricts to itself.
        var email = $"learner.{Guid.NewGuid():N}@example.org";
        await PostIdAsync(admin, "/api/identity/users", new { email, givenName = "Load", familyName = "Learner", orgUnitId = departments[0] });
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await SetPasswordAsync(app, gateway, email, password);

        return new Catalogue(email, password, Queries(categories, random));
    }

    public static async Task RunAsync(TestPlatform app, HttpClient admin, Uri gateway, int courses, int paths, int seconds, int concurrency, int rate)
    {
        var (email, password, queries) = await GenerateAsync(app, admin, gateway, courses, paths);
        var token = await Portal.SignInAsync(gateway, email, password);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = gateway };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var visible = await http.GetFromJsonAsync<JsonElement>("/api/catalogue/search?pageSize=1");
        Console.WriteLine($"The learner sees {visible.GetProperty("totalCount").GetInt64():N0} of {courses + paths:N0} items; {queries.Count} distinct searches in the mix");

        foreach (var q in queries) await SearchAsync(http, q); // fills the cache once
        await MeasureAsync(app, "search, cache on, closed loop", http, queries, seconds, concurrency, null);
        await MeasureAsync(app, $"search, cache on, paced at {rate}/s", http, queries, seconds, concurrency, rate);

        // The same cached searches straight to the catalogue, not through the gateway: what the gateway costs on a real route.
        using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = app.EndpointOf(ResourceNames.CatalogueApi) };
        direct.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var throughGateway = await MeasureAsync(app, "search, cache on, closed loop, through the gateway (again)", http, queries, seconds, concurrency, null);
        var straight = await MeasureAsync(app, "search, cache on, closed loop, straight to the catalogue", direct, queries, seconds, concurrency, null);
        Console.WriteLine($"The gateway keeps {100 * throughGateway / straight:0}% of the direct throughput on cached search");

        Console.WriteLine("Restarting catalogue-api with Catalogue__Cache__Enabled=false…");
        app.SetEnvironment(ResourceNames.CatalogueApi, "Catalogue__Cache__Enabled", "false");
        // LMS_PERF_MAP=1: the restarted catalogue writes /tmp/perf-<pid>.map, so `perf record -p <pid>` names its .NET frames.
        if (Environment.GetEnvironmentVariable("LMS_PERF_MAP") == "1") app.SetEnvironment(ResourceNames.CatalogueApi, "DOTNET_PerfMapEnabled", "1");
        await app.StopResourceAsync(ResourceNames.CatalogueApi);
        await app.StartResourceAsync(ResourceNames.CatalogueApi);
        await app.Notifications.WaitForResourceHealthyAsync(ResourceNames.CatalogueApi);
        for (var ready = false; !ready;)
        {
            try { await SearchAsync(http, queries[0]); ready = true; }
            catch (HttpRequestException) { await Task.Delay(500); } // until the gateway reaches the new process
        }
        // Warms PostgreSQL and the JIT (on two busy cores tiered compilation takes tens of seconds to settle), not a
        // cache: 30 s not counted.
        var warm = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(-1 - worker);
            while (warm.Elapsed < TimeSpan.FromSeconds(30)) await SearchAsync(http, queries[random.Next(queries.Count)]);
        }));
        await MeasureAsync(app, "search, cache off, closed loop", http, queries, seconds, concurrency, null);
        await MeasureAsync(app, $"search, cache off, paced at {rate}/s", http, queries, seconds, concurrency, rate);
    }

    private static List<string> Queries(List<Guid> categories, Random random)
    {
        var queries = new List<string>();
        foreach (var topic in Topics) queries.Add($"q={Uri.EscapeDataString(topic)}");
        for (var i = 0; i < 40; i++) queries.Add($"q={Uri.EscapeDataString($"{Topics[random.Next(Topics.Length)]} {Topics[random.Next(Topics.Length)]}")}");
        foreach (var category in categories) queries.Add($"category={category}");
        foreach (var tag in Tags) queries.Add($"tag={Uri.EscapeDataString(tag)}");
        for (var i = 0; i < 30; i++) queries.Add($"q={Topics[random.Next(Topics.Length)]}&language={LanguagePool[6 + random.Next(4)]}");
        for (var i = 0; i < 30; i++) queries.Add($"q={Topics[random.Next(Topics.Length)]}&deliveryType=instructor-led&sort=newest");
        for (var i = 0; i < 30; i++) queries.Add($"q={Topics[random.Next(Topics.Length)]}&minDuration=30&maxDuration=90&sort=duration");
        for (var i = 0; i < 30; i++) queries.Add($"q={Topics[random.Next(Topics.Length)]}&page=2");
        queries.Add("kind=learning-path");
        queries.Add("sort=newest");
        return queries;
    }

    private static async Task<bool> SearchAsync(HttpClient http, string query, ConcurrentBag<(double Text, double Index)>? timings = null)
    {
        using var response = await http.GetAsync($"/api/catalogue/search?{query}", HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        if (timings is not null && response.Headers.TryGetValues("Server-Timing", out var serverTiming))
        {
            // snapshot;dur=0.0, text;dur=3.1, index;dur=1.2
            var parts = serverTiming.First().Split(',').Select(p => p.Trim().Split(";dur=")).ToDictionary(p => p[0], p => double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture));
            timings.Add((parts.GetValueOrDefault("text"), parts.GetValueOrDefault("index")));
        }
        return response.Headers.TryGetValues("X-Cache", out var values) && values.First() == "hit";
    }

    /// <summary>
    /// Closed loop (rate null): each client sends its next search as soon as the last one answered. Paced: each client
    /// sends on a fixed schedule, and latency counts from when the request was due, so falling behind shows.
    /// </summary>
    private static async Task<double> MeasureAsync(TestPlatform app, string name, HttpClient http, List<string> queries, int seconds, int concurrency, int? rate)
    {
        var latencies = new ConcurrentBag<double>();
        var timings = new ConcurrentBag<(double Text, double Index)>();
        var cpu = new CpuUse(app, [ResourceNames.CatalogueApi, ResourceNames.Gateway, ResourceNames.Postgres, ResourceNames.Redis]);
        cpu.Sample();
        int errors = 0, hits = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var random = new Random(worker);
            var interval = rate is { } r ? TimeSpan.FromSeconds((double)concurrency / r) : TimeSpan.Zero;
            var due = clock.Elapsed + interval * random.NextDouble();
            while (clock.Elapsed < end)
            {
                if (rate is not null)
                {
                    var wait = due - clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait);
                }
                var start = rate is null ? clock.Elapsed : due;
                try
                {
                    if (await SearchAsync(http, queries[random.Next(queries.Count)], timings)) Interlocked.Increment(ref hits);
                    latencies.Add((clock.Elapsed - start).TotalMilliseconds);
                }
                catch { Interlocked.Increment(ref errors); }
                due += interval;
            }
        }));
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"{name}: {sorted.Length / clock.Elapsed.TotalSeconds:N0} req/s with {concurrency} clients; " +
                          $"p50 {P(0.5):0.0} ms, p90 {P(0.9):0.0} ms, p99 {P(0.99):0.0} ms, max {sorted.LastOrDefault():0} ms; " +
                          $"cache hits {(sorted.Length == 0 ? 0 : 100.0 * hits / sorted.Length):0.0} %; {errors} errors");
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)" + (timings.IsEmpty ? "" :
            $"; misses in the catalogue: full-text match {timings.Average(t => t.Text):0.0} ms, filters and facets {timings.Average(t => t.Index):0.0} ms on average"));
        return sorted.Length / clock.Elapsed.TotalSeconds;
    }

    private static async Task<Guid> PostIdAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static async Task SetPasswordAsync(TestPlatform app, Uri gateway, string email, string password)
    {
        using var anonymous = new HttpClient { BaseAddress = gateway };
        (await anonymous.PostAsJsonAsync("/api/identity/password/forgot", new { email })).EnsureSuccessStatusCode();
        await using var connection = new NpgsqlConnection(app.GetConnectionString(ResourceNames.IdentityDb));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload->>'resetUrl' FROM outbox_messages WHERE type LIKE '%PasswordResetRequested' AND payload->>'email' = @email", connection);
        command.Parameters.AddWithValue("email", email);
        var url = (string)(await command.ExecuteScalarAsync())!;
        var resetToken = System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)["token"]!;
        (await anonymous.PostAsJsonAsync("/api/identity/password/reset", new { token = resetToken, newPassword = password })).EnsureSuccessStatusCode();
    }

    private static async Task<long> CountAsync(TestPlatform app, string sql)
    {
        await using var connection = new NpgsqlConnection(app.GetConnectionString(ResourceNames.CatalogueDb));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
