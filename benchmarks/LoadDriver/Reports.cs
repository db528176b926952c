using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// The compliance report over a large organisation: <c>people</c> people in 200 departments under 20 divisions, each
/// with <c>perPerson</c> assignments (1,000,000 by default) written straight into analytics' read model as the ledger's
/// events would have left it: assigned 200 days ago, 60% completed at some point since, 15% started, 70% with a due
/// date within 100 days either side of today. Then, through the gateway, one client at a time (a person waiting for
/// their report): the whole organisation now, one division as of 60 days ago, and the portal's report page.
/// </summary>
public static class Reports
{
    public static async Task RunAsync(TestPlatform app, HttpClient admin, Uri gateway, int people, int perPerson, int seconds)
    {
        var db = app.GetConnectionString(ResourceNames.AnalyticsDb);
        var seed = Stopwatch.StartNew();
        await Sql.ExecuteAsync(db, $"""
            INSERT INTO org_units (id, name, parent_id, active) VALUES ('00000000-0000-0000-0000-000000000001', 'Load Org', NULL, TRUE);
            INSERT INTO org_units (id, name, parent_id, active)
            SELECT ('00000000-0000-0000-0001-' || lpad(to_hex(d), 12, '0'))::uuid, 'Division ' || d, '00000000-0000-0000-0000-000000000001', TRUE FROM generate_series(1, 20) d;
            INSERT INTO org_units (id, name, parent_id, active)
            SELECT ('00000000-0000-0000-0002-' || lpad(to_hex(u), 12, '0'))::uuid, 'Department ' || u,
                   ('00000000-0000-0000-0001-' || lpad(to_hex((u - 1) / 10 + 1), 12, '0'))::uuid, TRUE FROM generate_series(1, 200) u;
            INSERT INTO item_facts ("ItemId", "Kind", "Code", "Title", "Version", "PublishedAt")
            SELECT ('00000000-0000-0000-0003-' || lpad(to_hex(c), 12, '0'))::uuid, 'course', 'LOAD-' || c, 'Load course ' || c, 1, now() - interval '1 year'
            FROM generate_series(1, 100) c;
            INSERT INTO user_facts ("UserId", "Email", "GivenName", "FamilyName", "DisplayName", "Status", "Erased", "CreatedAt", "OrgUnitId", "ManagerId")
            SELECT ('00000000-0000-0000-0004-' || lpad(to_hex(p), 12, '0'))::uuid, 'load' || p || '@example.org', 'Load', 'Person ' || p, 'Load Person ' || p,
                   'Active', FALSE, now() - interval '1 year', ('00000000-0000-0000-0002-' || lpad(to_hex(p % 200 + 1), 12, '0'))::uuid,
                   CASE WHEN p > 200 THEN ('00000000-0000-0000-0004-' || lpad(to_hex(p % 200 + 1), 12, '0'))::uuid END
            FROM generate_series(1, {people}) p;
            -- One person in twenty moved department in the last 120 days: a report as of a past date places them where they were.
            INSERT INTO placement_changes ("UserId", "At", "FromOrgUnitId", "FromManagerId", "ToOrgUnitId", "ToManagerId")
            SELECT ('00000000-0000-0000-0004-' || lpad(to_hex(p), 12, '0'))::uuid, now() - random() * interval '120 days',
                   ('00000000-0000-0000-0002-' || lpad(to_hex((p + 7) % 200 + 1), 12, '0'))::uuid, NULL,
                   ('00000000-0000-0000-0002-' || lpad(to_hex(p % 200 + 1), 12, '0'))::uuid, NULL
            FROM generate_series(20, {people}, 20) p;
            CREATE TEMP TABLE seed AS
            SELECT gen_random_uuid() AS id, ('00000000-0000-0000-0004-' || lpad(to_hex(p), 12, '0'))::uuid AS user_id,
                   ('00000000-0000-0000-0003-' || lpad(to_hex((p * 7 + k * 13) % 100 + 1), 12, '0'))::uuid AS course_id,
                   now() - interval '200 days' AS assigned_at,
                   CASE WHEN random() < 0.7 THEN now() + (random() * 200 - 100) * interval '1 day' END AS due_at,
                   CASE WHEN random() < 0.6 THEN now() - random() * interval '199 days' END AS completed_at,
                   random() < 0.15 AS started
            FROM generate_series(1, {people}) p, generate_series(1, {perPerson}) k;
            -- The assignment until its completion (or still open), then the completion.
            INSERT INTO enrolment_states ("EnrolmentId", "ValidFrom", "ValidTo", "UserId", "CourseId", "Status", "AssignedAt", "StartedAt", "CompletedAt", "DueAt", "Version", "Source")
            SELECT id, assigned_at, completed_at, user_id, course_id, CASE WHEN started THEN 'InProgress' ELSE 'Enrolled' END, assigned_at,
                   CASE WHEN started THEN assigned_at END, NULL, due_at, 1, 'AudienceRule' FROM seed;
            INSERT INTO enrolment_states ("EnrolmentId", "ValidFrom", "ValidTo", "UserId", "CourseId", "Status", "AssignedAt", "StartedAt", "CompletedAt", "DueAt", "Version", "Source")
            SELECT id, completed_at, NULL, user_id, course_id, 'Completed', assigned_at, assigned_at, completed_at, due_at, 1, 'AudienceRule' FROM seed WHERE completed_at IS NOT NULL;
            -- The ledger copy the trends read: each assignment, its start and its completion.
            INSERT INTO ledger_events ("EnrolmentId", "Sequence", "UserId", "CourseId", "Action", "At", "DueAt", "Version", "Source")
            SELECT id, 1, user_id, course_id, 'Assigned', assigned_at, due_at, 1, 'AudienceRule' FROM seed
            UNION ALL SELECT id, 2, user_id, course_id, 'Started', assigned_at, due_at, 1, 'AudienceRule' FROM seed WHERE started OR completed_at IS NOT NULL
            UNION ALL SELECT id, 3, user_id, course_id, 'Completed', completed_at, due_at, 1, 'AudienceRule' FROM seed WHERE completed_at IS NOT NULL;
            """);
        await Sql.ExecuteAsync(db, "VACUUM ANALYZE"); // as autovacuum would have left the tables: statistics and the visibility map
        var assignments = await Sql.CountAsync(db, "SELECT count(DISTINCT \"EnrolmentId\") FROM enrolment_states");
        Console.WriteLine($"Seeded {people:N0} people, {assignments:N0} assignments ({await Sql.CountAsync(db, "SELECT count(*) FROM enrolment_states"):N0} ranges) in {seed.Elapsed.TotalSeconds:0} s");

        // The events' saves would have moved the read model's change sequence: the current figures are taken again.
        await Sql.ExecuteAsync(db, "SELECT nextval('read_model_changes')");
        var seeded = DateTimeOffset.UtcNow;
        var waiting = Stopwatch.StartNew();
        // The dashboards' weekly trend is taken with the figures every few minutes: the measures wait for one taken after the seed.
        while (await Sql.CountAsync(db, $"SELECT count(*) FROM current_figures WHERE \"TakenAt\" > '{seeded:O}' AND \"TrendTakenAt\" > '{seeded:O}'") == 0)
        {
            if (waiting.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("The current figures were not taken within 5 minutes of the seed");
            await Task.Delay(200);
        }
        Console.WriteLine($"Current figures taken {waiting.Elapsed.TotalSeconds:0.0} s after the seed; the round took " +
                          $"{await Sql.CountAsync(db, "SELECT (\"Seconds\" * 1000)::bigint FROM current_figures"):N0} ms for " +
                          $"{await Sql.CountAsync(db, "SELECT \"Cells\" FROM current_figures"):N0} cells");

        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = admin.DefaultRequestHeaders.Authorization;
        var whole = await http.GetFromJsonAsync<JsonElement>("/api/analytics/reports/compliance");
        Console.WriteLine($"Whole organisation: {whole.GetProperty("total").GetProperty("assigned").GetInt64():N0} assigned, " +
                          $"{whole.GetProperty("total").GetProperty("overdue").GetInt64():N0} overdue, {whole.GetProperty("people").GetInt64():N0} people with required training");
        var division = "00000000-0000-0000-0001-000000000003";
        var past = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-60).ToString("O"));
        var sub = await http.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/compliance?orgUnitId={division}&asOf={past}");
        Console.WriteLine($"Division 3 as of 60 days ago: {sub.GetProperty("total").GetProperty("assigned").GetInt64():N0} assigned, " +
                          $"{sub.GetProperty("total").GetProperty("completed").GetInt64():N0} completed, {sub.GetProperty("total").GetProperty("overdue").GetInt64():N0} overdue");

        async Task Get(HttpClient client, string url)
        {
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead);
            response.EnsureSuccessStatusCode();
        }
        var cpu = new CpuUse(app, [ResourceNames.AnalyticsApi, ResourceNames.Gateway, ResourceNames.Postgres]);
        cpu.Sample();
        await Measure("GET /api/analytics/reports/compliance (whole organisation, now)", () => Get(http, "/api/analytics/reports/compliance"), seconds);
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
        await Measure("GET /api/analytics/reports/compliance (one division, as of 60 days ago)",
            () => Get(http, $"/api/analytics/reports/compliance?orgUnitId={division}&asOf={past}"), seconds);
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
        await Measure("GET /api/analytics/dashboard (whole organisation, now, 12 weeks of trend)", () => Get(http, "/api/analytics/dashboard"), seconds);
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");

        // The whole organisation's overdue assignments as one CSV, streamed: analytics' resident memory sampled throughout.
        var pid = app.ProcessId(ResourceNames.AnalyticsApi);
        long Rss() => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
        var before = Rss();
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () => { while (!sampling.IsCancellationRequested) { peak = Math.Max(peak, Rss()); await Task.Delay(20); } });
        var export = Stopwatch.StartNew();
        using (var response = await http.GetAsync("/api/analytics/reports/overdue/export", HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            long lines = 0, bytes = 0;
            while (await reader.ReadLineAsync() is { } line) { lines++; bytes += line.Length + 1; }
            sampling.Cancel();
            await sampler;
            Console.WriteLine($"GET /api/analytics/reports/overdue/export (whole organisation): {lines - 1:N0} rows, {bytes / 1048576.0:0.0} MB in {export.Elapsed.TotalSeconds:0.0} s; " +
                              $"analytics-api resident memory {before:N0} MB before, {peak:N0} MB at its peak during the export");
        }

        // The same list prepared as a file in the background (CSV, then Excel): the time to finish, how often its progress
        // moved, and analytics' peak memory while it was written.
        foreach (var format in new[] { "csv", "xlsx" })
        {
            before = Rss();
            peak = before;
            using var jobSampling = new CancellationTokenSource();
            var jobSampler = Task.Run(async () => { while (!jobSampling.IsCancellationRequested) { peak = Math.Max(peak, Rss()); await Task.Delay(20); } });
            var prepared = Stopwatch.StartNew();
            using var created = await http.PostAsJsonAsync("/api/analytics/exports", new { report = "overdue", format });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var progressSeen = new SortedSet<long>();
            JsonElement job;
            while (true)
            {
                job = await http.GetFromJsonAsync<JsonElement>($"/api/analytics/exports/{id}");
                progressSeen.Add(job.GetProperty("rows").GetInt64());
                if (job.GetProperty("status").GetString() is "Completed" or "Failed") break;
                await Task.Delay(250);
            }
            var written = prepared.Elapsed;
            jobSampling.Cancel();
            await jobSampler;
            using var file = await http.GetAsync($"/api/analytics/exports/{id}/file", HttpCompletionOption.ResponseHeadersRead);
            var size = (await file.Content.ReadAsByteArrayAsync()).LongLength;
            Console.WriteLine($"POST /api/analytics/exports (overdue, {format}): {job.GetProperty("status").GetString()}, {job.GetProperty("rows").GetInt64():N0} rows " +
                              $"in {written.TotalSeconds:0.0} s, progress read {progressSeen.Count} different counts; file {size / 1048576.0:0.0} MB; " +
                              $"analytics-api resident memory {before:N0} MB before, {peak:N0} MB at its peak");
        }

        var browser = await PortalSearch.SignInAsync(gateway, LmsTopology.AdminEmail, app.AdminPassword);
        await Measure("portal /reports/compliance (whole organisation, now: report, overdue page, definitions)", () => Get(browser, "/reports/compliance"), seconds);
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
        await Measure("portal /reports/dashboard (whole organisation, now: dashboard, operations checks)", () => Get(browser, "/reports/dashboard"), seconds);
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
    }

    /// <summary>One client asking again as soon as it has its answer, after 3 not counted; prints p50, p95, p99.</summary>
    private static async Task Measure(string name, Func<Task> operation, int seconds)
    {
        for (var i = 0; i < 3; i++) await operation();
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var start = Stopwatch.GetTimestamp();
            await operation();
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
        Console.WriteLine($"{name}: {latencies.Count} requests; p50 {P(0.5):0} ms, p95 {P(0.95):0} ms, p99 {P(0.99):0} ms");
    }
}
