using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using StackExchange.Redis;

namespace LmsPlatform.IntegrationTests;

/// <summary>Each service on its own (not through the gateway), against the real servers the fixture started.</summary>
public class ServiceTests(PlatformFixture platform)
{
    [Fact]
    public async Task Identity_creates_reads_lists_and_searches_users()
    {
        using var identity = platform.Client(ResourceNames.IdentityApi);
        var tag = $"srch{Guid.NewGuid():N}"[..12];
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++) ids.Add(await Users.CreateAsync(identity, tag));

        var page = await identity.GetFromJsonAsync<JsonElement>($"/api/identity/users?search={tag}&pageSize=2");
        Assert.Equal(3, page.GetProperty("totalCount").GetInt32());
        Assert.Equal(2, page.GetProperty("totalPages").GetInt32());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        // By name; people with the same name in the order they were created.
        Assert.Equal(ids[0], page.GetProperty("items")[0].GetProperty("id").GetGuid());

        using var missing = await identity.GetAsync($"/api/identity/users/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Enrolment_refuses_unknown_users_and_double_enrolment()
    {
        using var enrolment = platform.Client(ResourceNames.EnrolmentApi);
        using var unknown = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = Guid.NewGuid(), courseId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        var userId = await Users.CreateAsync(platform.Gateway, "enrol");
        await Enrolment.EnrolmentClient.LearnerCopyAsync(enrolment, userId);
        // A course the catalogue never published is refused; a published one is taken.
        using (var noCourse = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId = Guid.NewGuid() }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noCourse.StatusCode);
            Assert.Contains("is not a published course", await noCourse.Content.ReadAsStringAsync());
        }
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Enrolment basics");
        using (var unknownUser = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = Guid.NewGuid(), courseId }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownUser.StatusCode);
            Assert.Contains("is not a known user", await unknownUser.Content.ReadAsStringAsync());
        }
        using var first = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId, dueAt = DateTimeOffset.UtcNow.AddDays(30) });
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var second = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);

        var page = await enrolment.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}");
        Assert.Equal(id, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var read = await enrolment.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}");
        Assert.Equal("Enrolled", read.GetProperty("status").GetString());

        // Archived in the catalogue, the course takes no new enrolments; the one made is kept.
        using (var archived = await platform.Gateway.PostAsync($"/api/catalogue/courses/{courseId}/archive", null))
            Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{courseId}' AND \"Archived\""),
            n => n == 1, TimeSpan.FromSeconds(60), "enrolment's copy archived");
        var other = await Users.CreateAsync(platform.Gateway, "late");
        await Enrolment.EnrolmentClient.LearnerCopyAsync(enrolment, other);
        using var late = await enrolment.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = other, courseId });
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("archived", await late.Content.ReadAsStringAsync());
        Assert.Equal("Enrolled", (await enrolment.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Content_registers_reads_and_lists_items()
    {
        using var content = platform.Client(ResourceNames.ContentApi);
        using var created = await content.PostAsJsonAsync("/api/content/items", new { title = "Golf basics", kind = "scorm12" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var read = await content.GetFromJsonAsync<JsonElement>($"/api/content/items/{id}");
        Assert.Equal("Scorm12", read.GetProperty("kind").GetString());

        using var bad = await content.PostAsJsonAsync("/api/content/items", new { title = "x", kind = "link", url = "ftp://nope" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        // Whatever the kind: a package pointing at the server's own files is refused.
        using var local = await content.PostAsJsonAsync("/api/content/items", new { title = "x", kind = "scorm12", url = "file:///etc/passwd" });
        Assert.Equal(HttpStatusCode.BadRequest, local.StatusCode);
        Assert.Contains("http(s)", await local.Content.ReadAsStringAsync());
        var list = await content.GetFromJsonAsync<JsonElement>("/api/content/items?pageSize=200");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Notification_sends_only_to_known_users()
    {
        using var notification = platform.Client(ResourceNames.NotificationApi);
        using var unknown = await notification.PostAsJsonAsync("/api/notification/notifications", new { userId = Guid.NewGuid(), subject = "s", body = "b" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);

        var userId = await Users.CreateAsync(platform.Gateway, "notify");
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM recipients WHERE \"UserId\" = '{userId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "recipient copy");
        using var sent = await notification.PostAsJsonAsync("/api/notification/notifications", new { userId, subject = "Due soon", body = "Fire safety is due in 7 days." });
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var page = await notification.GetFromJsonAsync<JsonElement>($"/api/notification/notifications?userId={userId}");
        Assert.Equal(2, page.GetProperty("totalCount").GetInt32()); // the welcome message and this one
        Assert.Equal("Due soon", page.GetProperty("items")[0].GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Analytics_saves_and_runs_reports()
    {
        using var analytics = platform.Client(ResourceNames.AnalyticsApi);
        using var bad = await analytics.PostAsJsonAsync("/api/analytics/reports", new { name = "x", kind = "everything" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        using var created = await analytics.PostAsJsonAsync("/api/analytics/reports", new { name = "Head count", kind = "UsersTotal" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var summary = await analytics.GetFromJsonAsync<JsonElement>("/api/analytics/summary");
        var result = await analytics.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/{id}/result");
        Assert.Equal(summary.GetProperty("users").GetInt64(), result.GetProperty("rows")[0].GetProperty("value").GetInt64());

        using var byDay = await analytics.PostAsJsonAsync("/api/analytics/reports", new { name = "New users", kind = "UsersCreatedByDay" });
        var byDayId = (await byDay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var days = await analytics.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/{byDayId}/result");
        Assert.Equal(summary.GetProperty("users").GetInt64(), days.GetProperty("rows").EnumerateArray().Sum(r => r.GetProperty("value").GetInt64()));
    }

    [Theory]
    [InlineData(ResourceNames.IdentityApi)]
    [InlineData(ResourceNames.CatalogueApi)]
    [InlineData(ResourceNames.EnrolmentApi)]
    [InlineData(ResourceNames.ContentApi)]
    [InlineData(ResourceNames.NotificationApi)]
    [InlineData(ResourceNames.AnalyticsApi)]
    public async Task Every_service_serves_health_liveness_and_its_openapi_document(string service)
    {
        using var client = platform.Client(service);
        var health = await client.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.True(health.GetProperty("checks").EnumerateObject().Count() >= 3, "database, broker and self are checked");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        var openApi = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(openApi.GetProperty("paths").EnumerateObject().Any());
    }
}
