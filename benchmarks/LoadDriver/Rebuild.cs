using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// A whole rebuild of analytics at scale: enrolment's ledger seeded with N entries (N / 2 enrolments, each assigned then
/// completed) and identity's sign-in log with N / 10, straight into their tables, then
/// <c>POST /api/analytics/operations/rebuilds</c> and its progress followed to the end: how long every source took to be
/// sent again and folded, and whether analytics holds what the sources hold.
/// </summary>
public static class Rebuild
{
    public static async Task RunAsync(TestPlatform app, HttpClient admin, int entries)
    {
        var enrolments = entries / 2;
        var seed = Stopwatch.StartNew();
        // The ledger's rows name enrolments that are not seeded (the replay reads the ledger alone): its foreign key is
        // not checked for the seed (replica role, as a logical restore would load it).
        await Sql.ExecuteAsync(app.GetConnectionString(ResourceNames.EnrolmentDb), $"""
            SET session_replication_role = replica;
            INSERT INTO ledger ("Id", "EnrolmentId", "Sequence", "UserId", "CourseId", "Action", "At", "RecordedAt", "DueAt", "Version", "SourceKind", "ActorName")
            SELECT gen_random_uuid(), e.id, s.seq, ('00000000-0000-0000-0004-' || lpad(to_hex(e.n % 100000 + 1), 12, '0'))::uuid,
                   ('00000000-0000-0000-0003-' || lpad(to_hex(e.n % 100 + 1), 12, '0'))::uuid,
                   CASE s.seq WHEN 1 THEN 'Assigned' ELSE 'Completed' END,
                   now() - interval '200 days' + s.seq * interval '30 days', now(), now() + interval '30 days' - interval '200 days', 1, 'Manual', 'load'
            FROM (SELECT n, gen_random_uuid() AS id FROM generate_series(1, {enrolments}) n) e
            CROSS JOIN LATERAL (SELECT generate_series(1, 2) AS seq) s;
            """);
        await Sql.ExecuteAsync(app.GetConnectionString(ResourceNames.IdentityDb), $"""
            INSERT INTO sign_ins ("Id", "UserId", "Method", "At")
            SELECT gen_random_uuid(), ('00000000-0000-0000-0004-' || lpad(to_hex(n % 100000 + 1), 12, '0'))::uuid, 'password', now() - n * interval '1 second'
            FROM generate_series(1, {entries / 10}) n;
            """);
        var ledger = await Sql.CountAsync(app.GetConnectionString(ResourceNames.EnrolmentDb), "SELECT count(*) FROM ledger");
        var signIns = await Sql.CountAsync(app.GetConnectionString(ResourceNames.IdentityDb), "SELECT count(*) FROM sign_ins");
        Console.WriteLine($"Seeded {ledger:N0} ledger entries and {signIns:N0} sign-ins in {seed.Elapsed.TotalSeconds:0} s");

        var clock = Stopwatch.StartNew();
        using var started = await admin.PostAsync("/api/analytics/operations/rebuilds", null);
        if (!started.IsSuccessStatusCode) throw new InvalidOperationException($"The rebuild did not start: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync()}");
        var location = started.Headers.Location!.ToString();
        JsonElement rebuild;
        var lastPrint = TimeSpan.Zero;
        while (true)
        {
            rebuild = await admin.GetFromJsonAsync<JsonElement>(location);
            if (rebuild.GetProperty("completedAt").ValueKind != JsonValueKind.Null) break;
            if (clock.Elapsed > TimeSpan.FromMinutes(60)) throw new TimeoutException("The rebuild did not finish within an hour.");
            if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(15))
            {
                lastPrint = clock.Elapsed;
                Console.WriteLine($"  after {clock.Elapsed.TotalSeconds:0} s: {rebuild.GetProperty("records").GetInt64():N0} records folded");
            }
            await Task.Delay(500);
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var records = rebuild.GetProperty("records").GetInt64();
        Console.WriteLine($"Rebuild complete in {seconds:0.0} s: {rebuild.GetProperty("pages").GetInt64():N0} pages, {records:N0} records ({records / seconds:N0} records/s)");
        foreach (var source in rebuild.GetProperty("sources").EnumerateArray())
            Console.WriteLine($"  {source.GetProperty("source").GetString(),-18} {source.GetProperty("pages").GetInt64(),8:N0} pages {source.GetProperty("records").GetInt64(),12:N0} records");
        var folded = await Sql.CountAsync(app.GetConnectionString(ResourceNames.AnalyticsDb), "SELECT count(*) FROM ledger_events");
        var copied = await Sql.CountAsync(app.GetConnectionString(ResourceNames.AnalyticsDb), "SELECT count(*) FROM sign_ins");
        Console.WriteLine($"Analytics holds {folded:N0} ledger entries (enrolment {ledger:N0}) and {copied:N0} sign-ins (identity {signIns:N0})");
    }
}
