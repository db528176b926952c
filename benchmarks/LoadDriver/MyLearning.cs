using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// "My learning" for a learner with 200 enrolments, paced at a fixed rate through the gateway, among 100,000 other
/// people's enrolments (written straight into enrolment's database as the assignments would have left them).
/// </summary>
public static class MyLearning
{
    public static async Task RunAsync(TestPlatform app, HttpClient admin, Uri gateway, int seconds, int rate, int clients)
    {
        var db = app.GetConnectionString(ResourceNames.EnrolmentDb);
        await Sql.ExecuteAsync(db, """
            INSERT INTO courses ("CourseId", "Code", "Title", "Version", "Archived", "PublishedAt", "DueFrom")
            SELECT gen_random_uuid(), 'ML-' || i, 'Course ' || i, 1, FALSE, now(), 'assignment' FROM generate_series(1, 200) AS i;
            INSERT INTO learners ("UserId", "Email", "GivenName", "FamilyName", "DisplayName", "Status", "Erased", "CreatedAt")
            SELECT gen_random_uuid(), 'other' || i || '@example.org', 'Other', 'Person ' || i, 'Other Person ' || i, 'Active', FALSE, now()
            FROM generate_series(1, 100000) AS i;
            INSERT INTO enrolments ("Id", "UserId", "CourseId", "Version", "Status", "EnrolledAt", "SourceKind", "Sequence")
            SELECT gen_random_uuid(), l."UserId", (SELECT "CourseId" FROM courses WHERE "Code" = 'ML-1'), 1, 'Enrolled', now(), 'Manual', 1
            FROM learners l WHERE l."Email" LIKE 'other%';
            ANALYZE;
            """);

        var email = $"learner-{Guid.NewGuid():N}@example.org";
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Busy", familyName = "Learner" }))
        {
            created.EnsureSuccessStatusCode();
            var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            while ((await admin.GetAsync($"/api/enrolment/learners/{userId}")).StatusCode != System.Net.HttpStatusCode.OK) await Task.Delay(100);
            var courses = await Sql.IdsAsync(db, "SELECT \"CourseId\" FROM courses WHERE \"Code\" LIKE 'ML-%'");
            var due = DateTimeOffset.UtcNow.AddDays(10);
            foreach (var (courseId, i) in courses.Select((c, i) => (c, i)))
                (await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId, dueAt = i % 3 == 0 ? due.AddDays(i) : (DateTimeOffset?)null })).EnsureSuccessStatusCode();
        }
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await CatalogueSearch.SetPasswordAsync(app, gateway, email, password);
        var token = await Portal.SignInAsync(gateway, email, password);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(10) }) { BaseAddress = gateway };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var first = await http.GetFromJsonAsync<JsonElement>("/api/enrolment/me?pageSize=50");
        Console.WriteLine($"The learner has {first.GetProperty("totalCount").GetInt32()} enrolments; the table holds {await Sql.CountAsync(db, "SELECT count(*) FROM enrolments"):N0}");

        async Task GetAsync()
        {
            using var response = await http.GetAsync("/api/enrolment/me?pageSize=50");
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }
        // Warm-up (JIT, connection pools, PostgreSQL's cache): 10 s not counted.
        var warm = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ => { while (warm.Elapsed < TimeSpan.FromSeconds(10)) await GetAsync(); }));

        // Paced: each client sends on a fixed schedule; latency counts from when the request was due, so falling behind shows.
        var latencies = new ConcurrentBag<double>();
        var errors = 0;
        var cpu = new CpuUse(app, [ResourceNames.EnrolmentApi, ResourceNames.Gateway, ResourceNames.Postgres]);
        cpu.Sample();
        var clock = Stopwatch.StartNew();
        var interval = TimeSpan.FromSeconds((double)clients / rate);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async worker =>
        {
            var due = TimeSpan.FromSeconds(interval.TotalSeconds * worker / clients);
            while (due < TimeSpan.FromSeconds(seconds))
            {
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                try
                {
                    await GetAsync();
                    latencies.Add((clock.Elapsed - due).TotalMilliseconds);
                }
                catch
                {
                    Interlocked.Increment(ref errors);
                }
                due += interval;
            }
        }));
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"GET /api/enrolment/me (first page of 50 of 200) through the gateway, paced at {rate}/s by {clients} clients for {seconds} s: " +
                          $"{sorted.Length / clock.Elapsed.TotalSeconds:N0} req/s; p50 {P(0.5):0.0} ms, p95 {P(0.95):0.0} ms, p99 {P(0.99):0.0} ms; {errors} errors");
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
    }
}
