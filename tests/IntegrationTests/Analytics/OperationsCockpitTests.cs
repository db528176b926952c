using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Analytics;

/// <summary>
/// The operations cockpit: every service takes its own checks and sends them to analytics through the broker; a change
/// in a service's data (an audience rule paused, then resumed) reaches the cockpit, named, and leaves it; analytics'
/// reconciliation refolds the ledger copy and finds the ranges the reports count agree with it.
/// </summary>
public class OperationsCockpitTests(PlatformFixture platform)
{
    private static IReadOnlyList<string> Services => ResourceNames.Bus.Services;

    [Fact]
    public async Task Every_service_sends_its_checks_and_a_paused_audience_rule_reaches_the_cockpit_and_leaves_it()
    {
        var admin = platform.Gateway;
        var tag = "Cockpit" + Guid.NewGuid().ToString("N")[..6];
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"{tag} course");
        // One assignment of the test's own, so that the reconciliation has something to refold whatever ran before.
        Guid learner;
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"{tag}.{Guid.NewGuid():N}@example.org", givenName = "Cock", familyName = tag }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            learner = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, learner);
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { learner }, courseId = course }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        // A rule nobody matches, so the test assigns nothing to anyone.
        var name = $"{tag} rule";
        Guid audience;
        using (var created = await admin.PostAsJsonAsync("/api/enrolment/audiences",
                   new { name, rule = new { type = "jobTitle", values = new[] { tag } }, courseIds = new[] { course }, leavePolicy = "Keep", graceDays = 0 }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            audience = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        using (var published = await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/publish", new { }))
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        using (var pause = await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/pause", new { }))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);

        var cockpit = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/analytics/operations/checks"),
            c => Check(c, "enrolment", "audiences.paused") is { } p && p.GetProperty("detail").GetString()?.Contains(name) == true
                 && Services.All(s => Check(c, s, "service.reporting")?.GetProperty("status").GetString() == "ok")
                 && Check(c, "analytics", "reports.reconciliation")?.GetProperty("detail").GetString()?.StartsWith("0 ", StringComparison.Ordinal) == false,
            TimeSpan.FromSeconds(90), "the paused rule named in the cockpit, every service sending its checks, and the assignment refolded");

        var paused = Check(cockpit, "enrolment", "audiences.paused")!.Value;
        Assert.Equal("attention", paused.GetProperty("status").GetString());
        Assert.Equal("daily", paused.GetProperty("cadence").GetString());
        Assert.True(paused.GetProperty("count").GetInt64() >= 1);
        Assert.Equal("manage/audiences", paused.GetProperty("link").GetString());
        Assert.NotEmpty(paused.GetProperty("history").EnumerateArray());
        foreach (var service in Services)
        {
            // Every service's own health and its error queues are among its checks.
            Assert.NotNull(Check(cockpit, service, "service.health"));
            Assert.NotNull(Check(cockpit, service, "messages.failed"));
        }
        // The test's course, just published with no due date and assigned without one, is among the week's courses with none.
        var noDueDate = Check(cockpit, "enrolment", "courses.no-due-date")!.Value;
        Assert.Equal(("weekly", "attention"), (noDueDate.GetProperty("cadence").GetString(), noDueDate.GetProperty("status").GetString()));
        Assert.True(noDueDate.GetProperty("count").GetInt64() >= 1);
        // The monthly reconciliation: the ranges reports count equal the ledger copy folded again.
        var reconciliation = Check(cockpit, "analytics", "reports.reconciliation")!.Value;
        Assert.Equal("monthly", reconciliation.GetProperty("cadence").GetString());
        Assert.Equal(0, reconciliation.GetProperty("count").GetInt64());
        Assert.Equal("ok", reconciliation.GetProperty("status").GetString());
        Assert.Matches(@"^[1-9][\d,]* assignments refolded from the ledger copy; 0 disagree", reconciliation.GetProperty("detail").GetString()!);
        // The checks come daily first, and within a cadence the ones that need someone first.
        var order = cockpit.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("cadence").GetString()).ToList();
        Assert.Equal(order.OrderBy(c => Array.IndexOf(["daily", "weekly", "monthly"], c)).ToList(), order);

        using (var resumed = await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/resume", new { }))
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/analytics/operations/checks"),
            c => Check(c, "enrolment", "audiences.paused") is { } p && p.GetProperty("detail").GetString()?.Contains(name) != true,
            TimeSpan.FromSeconds(90), "the resumed rule gone from the cockpit");
    }

    /// <summary>
    /// The operator's commands against the platform's own PostgreSQL: <c>./lms backup</c> takes every database,
    /// <c>./lms restore-test</c> restores them into scratch databases and finds every table and row again, and the
    /// cockpit's backup checks follow each step; a damaged archive fails the restore test, named, and the cockpit says so.
    /// </summary>
    [Fact]
    public async Task Backups_and_restore_tests_taken_with_the_operators_commands_reach_the_cockpit()
    {
        var admin = platform.Gateway;
        var before = await CockpitAsync(c => Check(c, "analytics", "backups.fresh")?.GetProperty("status").GetString() is not null, "the backup checks taken");
        // Nothing backed up yet on this platform, unless another run of this test did it.
        var fresh = Check(before, "analytics", "backups.fresh")!.Value;
        if (fresh.GetProperty("status").GetString() != "ok")
        {
            Assert.Equal("failing", fresh.GetProperty("status").GetString());
            Assert.StartsWith("No backup in ", fresh.GetProperty("detail").GetString());
        }

        var backup = await LmsAsync("backup");
        Assert.True(backup.ExitCode == 0, backup.Output);
        var folder = backup.Printed.Trim();
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json"))).RootElement;
        var databases = manifest.GetProperty("databases").EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!);
        Assert.Equal(ResourceNames.Databases.Order(), databases.Keys.Order());
        Assert.All(databases.Values, d => Assert.True(d.GetProperty("tables").GetInt64() > 5 && d.GetProperty("bytes").GetInt64() > 0, d.ToString()));
        // Identity's people are in it: at least the administrator.
        Assert.True(databases[ResourceNames.IdentityDb].GetProperty("rows").GetInt64() > 1);
        // The archives hold every service's secrets: their owner's alone. The cockpit reads only the published manifest.
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(Path.Combine(folder, $"{ResourceNames.IdentityDb}.dump"))
                & (UnixFileMode.GroupRead | UnixFileMode.OtherRead));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(folder)!, "status", $"{Path.GetFileName(folder)}.manifest.json")));

        var cockpit = await CockpitAsync(c => Check(c, "analytics", "backups.fresh")?.GetProperty("detail").GetString()?.Contains(Path.GetFileName(folder)) == true,
            "the new backup in the cockpit");
        var seen = Check(cockpit, "analytics", "backups.fresh")!.Value;
        Assert.Equal(("daily", "ok", 0L), (seen.GetProperty("cadence").GetString(), seen.GetProperty("status").GetString(), seen.GetProperty("count").GetInt64()));
        Assert.Contains("6 databases", seen.GetProperty("detail").GetString());

        var restored = await LmsAsync("restore-test");
        Assert.True(restored.ExitCode == 0, restored.Output);
        Assert.Contains("passed", restored.Output);
        await CockpitAsync(c => Check(c, "analytics", "backups.restore-tested") is { } t && t.GetProperty("status").GetString() == "ok"
                                && t.GetProperty("detail").GetString()!.Contains(Path.GetFileName(folder)), "the passed restore test in the cockpit");

        // A damaged archive: the restore test fails and names the database, and so does the cockpit.
        var dump = Path.Combine(folder, $"{ResourceNames.CatalogueDb}.dump");
        var bytes = await File.ReadAllBytesAsync(dump);
        await File.WriteAllBytesAsync(dump, bytes[..(bytes.Length / 2)]);
        var damaged = await LmsAsync("restore-test");
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains($"{ResourceNames.CatalogueDb}: pg_restore failed", damaged.Output);
        cockpit = await CockpitAsync(c => Check(c, "analytics", "backups.restore-tested")?.GetProperty("status").GetString() == "failing",
            "the failed restore test in the cockpit");
        Assert.Contains(ResourceNames.CatalogueDb, Check(cockpit, "analytics", "backups.restore-tested")!.Value.GetProperty("detail").GetString());

        // A new backup, tested: the cockpit is whole again (for whatever runs after).
        Assert.Equal(0, (await LmsAsync("backup")).ExitCode);
        Assert.Equal(0, (await LmsAsync("restore-test")).ExitCode);
        await CockpitAsync(c => Check(c, "analytics", "backups.restore-tested")?.GetProperty("status").GetString() == "ok", "the new backup restore-tested");
        // The scratch databases are gone.
        Assert.Equal(0, await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM pg_database WHERE datname LIKE 'lms_restore_test_%'"));

        async Task<JsonElement> CockpitAsync(Func<JsonElement, bool> condition, string what) =>
            await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/analytics/operations/checks"), condition, TimeSpan.FromSeconds(60), what);
    }

    /// <summary>Runs <c>./lms</c> with the platform's PostgreSQL and its data folder, as an operator of this installation would.</summary>
    private async Task<(int ExitCode, string Output, string Printed)> LmsAsync(string command)
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        var postgres = new Npgsql.NpgsqlConnectionStringBuilder(platform.App.GetConnectionString(ResourceNames.Postgres));
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(repository, "lms"), command])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository,
            Environment =
            {
                ["LMS_DATA"] = platform.App.DataDirectory, ["PGHOST"] = postgres.Host, ["PGPORT"] = postgres.Port.ToString(),
                ["PGUSER"] = postgres.Username, ["PGPASSWORD"] = postgres.Password,
            },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error, await output);
    }

    private static JsonElement? Check(JsonElement cockpit, string service, string key) =>
        cockpit.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("service").GetString() == service && c.GetProperty("key").GetString() == key)
            .Select(c => (JsonElement?)c).FirstOrDefault();
}
