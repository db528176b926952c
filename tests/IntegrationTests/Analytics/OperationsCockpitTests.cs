using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LmsPlatform.IntegrationTests.Analytics;

/// <summary>
/// The operations cockpit: every service takes its own checks and sends them to analytics through the broker; a change
/// in a service's data (an audience rule paused, then resumed) reaches the cockpit, named, and leaves it; analytics'
/// reconciliation refolds the ledger copy and finds the ranges the reports count agree with it.
/// </summary>
public class OperationsCockpitTests(PlatformFixture platform)
{
    private static readonly string[] Services = ["identity", "catalogue", "enrolment", "content", "notification", "analytics"];

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

    private static JsonElement? Check(JsonElement cockpit, string service, string key) =>
        cockpit.GetProperty("checks").EnumerateArray()
            .Where(c => c.GetProperty("service").GetString() == service && c.GetProperty("key").GetString() == key)
            .Select(c => (JsonElement?)c).FirstOrDefault();
}
