using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// The audience figures: a published rule matching N people (the learner copies written straight into enrolment's
/// database, as identity's events would have left them) until N enrolments are committed; then single HR changes that
/// move one person into an audience, from identity's API to the enrolment visible through the gateway.
/// </summary>
public static class Audiences
{
    public static async Task RunAsync(TestPlatform app, HttpClient admin, int people, int moves, bool fault)
    {
        var connection = app.GetConnectionString(ResourceNames.EnrolmentDb);
        var courseId = Guid.NewGuid();
        await Sql.ExecuteAsync(connection, $"""
            INSERT INTO learners ("UserId", "Email", "GivenName", "FamilyName", "DisplayName", "JobTitle", "Status", "Erased", "CreatedAt")
            SELECT gen_random_uuid(), 'bulk' || i || '@example.org', 'Given' || i, 'Family' || i, 'Given' || i || ' Family' || i,
                   (ARRAY['Nurse','Porter','Analyst','Driver'])[1 + i % 4], 'Active', FALSE, now()
            FROM generate_series(1, {people}) AS i;
            INSERT INTO courses ("CourseId", "Code", "Title", "Version", "Archived", "PublishedAt", "DueFrom")
            VALUES ('{courseId}', 'AUD-LOAD', 'Audience load', 1, FALSE, now(), 'assignment');
            ANALYZE learners;
            """);
        Console.WriteLine($"{people:N0} learner copies written");

        var audience = await CreateAsync(admin, "Everyone active", new { type = "status", values = new[] { "Active" } }, courseId);
        var expected = await Sql.CountAsync(connection, "SELECT count(*) FROM learners WHERE \"Status\" = 'Active' AND NOT \"Erased\"");
        var clock = Stopwatch.StartNew();
        var lag = AnalyticsLag.Start(app, courseId, expected);
        (await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/publish", new { })).EnsureSuccessStatusCode();
        var published = clock.Elapsed.TotalSeconds;
        if (fault)
        {
            // Mid-evaluation: enrolment killed (SIGKILL; the watchdog starts it again) and the broker restarted.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var pid = app.ProcessId(ResourceNames.EnrolmentApi);
            app.Kill(ResourceNames.EnrolmentApi);
            Console.WriteLine($"enrolment-api killed {clock.Elapsed.TotalSeconds:0.0} s after the publish, with {await Sql.CountAsync(connection, $"SELECT count(*) FROM enrolments WHERE \"CourseId\" = '{courseId}'"):N0} enrolments committed");
            await app.StopResourceAsync(ResourceNames.EventBus);
            await app.StartResourceAsync(ResourceNames.EventBus);
            Console.WriteLine($"eventbus restarted; {clock.Elapsed.TotalSeconds:0.0} s");
            await app.WaitForRestartAsync(ResourceNames.EnrolmentApi, pid, TimeSpan.FromMinutes(3));
            Console.WriteLine($"enrolment-api running again {clock.Elapsed.TotalSeconds:0.0} s after the publish");
        }
        long enrolled;
        while ((enrolled = await Sql.CountAsync(connection, $"SELECT count(*) FROM enrolments WHERE \"CourseId\" = '{courseId}'")) < expected
               || await Sql.CountAsync(connection, $"SELECT count(*) FROM audiences WHERE \"Id\" = '{audience}' AND \"SyncedVersion\" = 1") == 0)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{enrolled:N0} enrolments after 10 minutes");
            await Task.Delay(100);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var ledger = await Sql.CountAsync(connection, $"SELECT count(*) FROM ledger WHERE \"CourseId\" = '{courseId}'");
        var members = await Sql.CountAsync(connection, $"SELECT count(*) FROM audience_members WHERE \"AudienceId\" = '{audience}'");
        Console.WriteLine($"Rule matching {expected:N0} people published (answered in {published:0.00} s): {enrolled:N0} enrolments, {ledger:N0} ledger rows and " +
                          $"{members:N0} memberships committed {seconds:0.0} s after the publish = {enrolled / seconds:N0} enrolments/s");
        // Exactly one enrolment, one membership and one Assigned entry a person; every enrolment's projection agrees with its ledger.
        var inconsistent = await Sql.CountAsync(connection, $"""
            SELECT count(*) FROM enrolments e WHERE e."CourseId" = '{courseId}'
              AND (e."Sequence" <> (SELECT count(*) FROM ledger l WHERE l."EnrolmentId" = e."Id")
                   OR NOT EXISTS (SELECT 1 FROM ledger l WHERE l."EnrolmentId" = e."Id" AND l."Sequence" = 1 AND l."Action" = 'Assigned'))
            """);
        var histories = await Sql.CountAsync(connection, $"SELECT count(*) FROM audience_membership_history WHERE \"AudienceId\" = '{audience}' AND \"Change\" = 'Joined'");
        Console.WriteLine($"Check: expected {expected:N0}; enrolments {enrolled:N0}, memberships {members:N0}, joined in the history {histories:N0}, ledger rows {ledger:N0}; " +
                          $"enrolments whose ledger disagrees: {inconsistent}" + (enrolled == expected && members == expected && histories == expected && ledger == expected && inconsistent == 0 ? " — consistent" : " — NOT CONSISTENT"));

        // The events follow: every enrolment announced once (the relay), and sent to the broker by the outbox.
        long announced;
        while ((announced = await Sql.CountAsync(connection,
                   $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.Enrolled' AND payload->>'courseId' = '{courseId}' AND sent_at IS NOT NULL")) < expected)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException($"{announced:N0} Enrolled events sent after 10 minutes");
            await Task.Delay(250);
        }
        var duplicates = await Sql.CountAsync(connection,
            $"SELECT count(*) - count(DISTINCT payload->>'enrolmentId') FROM outbox_messages WHERE type LIKE '%.Enrolled' AND payload->>'courseId' = '{courseId}'");
        Console.WriteLine($"Events: {announced:N0} Enrolled events sent to the broker {clock.Elapsed.TotalSeconds:0.0} s after the publish; duplicates: {duplicates}");
        Console.WriteLine(await lag.ResultAsync());

        // One person moved into an audience by an HR change: identity's API → UserUpdated → enrolment → visible through the gateway.
        var pharmacy = Guid.NewGuid();
        await Sql.ExecuteAsync(connection, $"""
            INSERT INTO courses ("CourseId", "Code", "Title", "Version", "Archived", "PublishedAt", "DueFrom")
            VALUES ('{pharmacy}', 'AUD-PHARM', 'Pharmacy', 1, FALSE, now(), 'assignment');
            """);
        var pharmacists = await CreateAsync(admin, "Pharmacists", new { type = "jobTitle", values = new[] { "Pharmacist" } }, pharmacy);
        (await admin.PostAsJsonAsync($"/api/enrolment/audiences/{pharmacists}/publish", new { })).EnsureSuccessStatusCode();
        var latencies = new List<double>();
        for (var i = 0; i < moves; i++)
        {
            var email = $"mover{i}-{Guid.NewGuid():N}@example.org";
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Mover", familyName = $"M{i}", jobTitle = "Clerk" });
            created.EnsureSuccessStatusCode();
            var userId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            while ((await admin.GetAsync($"/api/enrolment/learners/{userId}")).StatusCode != System.Net.HttpStatusCode.OK) await Task.Delay(50);
            await Task.Delay(500);
            var move = Stopwatch.StartNew();
            (await admin.PutAsJsonAsync($"/api/identity/users/{userId}", new { email, givenName = "Mover", familyName = $"M{i}", jobTitle = "Pharmacist" })).EnsureSuccessStatusCode();
            while ((await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}&courseId={pharmacy}")).GetProperty("totalCount").GetInt32() == 0)
            {
                if (move.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException("the mover's enrolment did not appear");
                await Task.Delay(10);
            }
            latencies.Add(move.Elapsed.TotalMilliseconds);
        }
        latencies.Sort();
        Console.WriteLine($"One UserUpdated moving a person into an audience → their enrolment visible through the gateway, {moves} moves: " +
                          $"median {latencies[latencies.Count / 2]:0} ms, max {latencies[^1]:0} ms (from the PUT to identity to the GET that sees it)");
    }

    private static async Task<Guid> CreateAsync(HttpClient admin, string name, object rule, Guid courseId)
    {
        using var created = await admin.PostAsJsonAsync("/api/enrolment/audiences", new { name, rule, courseIds = new[] { courseId } });
        var text = await created.Content.ReadAsStringAsync();
        if (!created.IsSuccessStatusCode) throw new InvalidOperationException(text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }
}
