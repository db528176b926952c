using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests;

/// <summary>The first real flow, walked through the gateway as a client would.</summary>
public class EndToEndTests(PlatformFixture platform)
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_user_created_through_the_gateway_reaches_enrolment_notification_and_analytics()
    {
        var gateway = platform.Gateway;
        var before = await UserCountAsync(gateway);

        var email = $"Grace.{Guid.NewGuid():N}@Example.org";
        using var created = await gateway.PostAsJsonAsync("/api/identity/users",
            new { email, givenName = "Grace", familyName = "Hopper", externalId = $"E{Random.Shared.Next(1_000_000)}" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = user.GetProperty("id").GetGuid();
        Assert.Equal($"/api/identity/users/{id}", created.Headers.Location?.ToString());

        var read = await gateway.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}");
        Assert.Equal(email, read.GetProperty("email").GetString());

        await Eventually.ReachesAsync(() => UserCountAsync(gateway), n => n >= before + 1, EventTimeout, "analytics user count");
        await Eventually.ReachesAsync(async () => (await gateway.GetAsync($"/api/enrolment/learners/{id}")).StatusCode,
            s => s == HttpStatusCode.OK, EventTimeout, "enrolment learner copy");
        var inbox = await Eventually.ReachesAsync(
            () => gateway.GetFromJsonAsync<JsonElement>($"/api/notification/notifications?userId={id}"),
            page => page.GetProperty("totalCount").GetInt32() == 1, EventTimeout, "welcome notification");
        Assert.Equal("Welcome to learning", inbox.GetProperty("items")[0].GetProperty("subject").GetString());

        // The learner can now be enrolled (enrolment checks against its own copy).
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Welcome aboard");
        using var enrolled = await gateway.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = id, courseId });
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
    }

    [Fact]
    public async Task Bad_input_gets_problem_details_and_creates_nothing()
    {
        var gateway = platform.Gateway;
        var email = $"dup.{Guid.NewGuid():N}@example.org";
        await Users.CreateAsync(gateway, "dup"); // an unrelated user, so counts are not trivially zero
        using (var first = await gateway.PostAsJsonAsync("/api/identity/users", new { email, givenName = "A", familyName = "B" }))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var usersBefore = await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users");
        var outboxBefore = await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages");

        // Missing email.
        using var missing = await gateway.PostAsJsonAsync("/api/identity/users", new { givenName = "A", familyName = "B" });
        var missingProblem = await AssertProblemAsync(missing, HttpStatusCode.BadRequest);
        Assert.True(missingProblem.GetProperty("errors").TryGetProperty("email", out _));

        // Malformed JSON.
        using var malformed = await gateway.PostAsync("/api/identity/users",
            new StringContent("{\"email\": \"x@example.org\", ", Encoding.UTF8, "application/json"));
        var malformedProblem = await AssertProblemAsync(malformed, HttpStatusCode.BadRequest);
        Assert.Contains("JSON", malformedProblem.GetProperty("detail").GetString());

        // Duplicate email, differing only in case.
        using var duplicate = await gateway.PostAsJsonAsync("/api/identity/users", new { email = email.ToUpperInvariant(), givenName = "C", familyName = "D" });
        var duplicateProblem = await AssertProblemAsync(duplicate, HttpStatusCode.Conflict);
        Assert.True(duplicateProblem.GetProperty("errors").TryGetProperty("email", out _));

        Assert.Equal(usersBefore, await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users"));
        Assert.Equal(outboxBefore, await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task Concurrent_duplicates_create_exactly_one_user()
    {
        var email = $"race.{Guid.NewGuid():N}@example.org";
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            platform.Gateway.PostAsJsonAsync("/api/identity/users", new { email, givenName = "R", familyName = "C" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"Email\" = '{email}'"));
    }

    public static readonly TheoryData<string, string> ListEndpoints = new()
    {
        { ResourceNames.IdentityApi, "/api/identity/users" },
        { ResourceNames.CatalogueApi, "/api/catalogue/courses" },
        { ResourceNames.EnrolmentApi, "/api/enrolment/enrolments" },
        { ResourceNames.ContentApi, "/api/content/items" },
        { ResourceNames.NotificationApi, "/api/notification/notifications" },
        { ResourceNames.AnalyticsApi, "/api/analytics/reports" },
    };

    [Theory]
    [MemberData(nameof(ListEndpoints))]
    public async Task The_gateway_routes_each_context_to_its_service(string service, string listPath)
    {
        Assert.Contains(ResourceNames.GatewayRoutes, r => r.Service == service && listPath.StartsWith(r.PathPrefix + "/"));
        var page = await platform.Gateway.GetFromJsonAsync<JsonElement>($"{listPath}?page=1&pageSize=5");
        Assert.Equal(5, page.GetProperty("pageSize").GetInt32());
        Assert.True(page.GetProperty("totalCount").GetInt64() >= 0);

        using var badPaging = await platform.Gateway.GetAsync($"{listPath}?pageSize=1000");
        Assert.Equal(HttpStatusCode.BadRequest, badPaging.StatusCode);
    }

    [Fact]
    public async Task The_gateway_health_reports_every_service()
    {
        using var unrouted = await platform.Gateway.GetAsync("/api/nowhere/x");
        Assert.Equal(HttpStatusCode.NotFound, unrouted.StatusCode);

        var health = await platform.Gateway.GetFromJsonAsync<JsonElement>("/health");
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        foreach (var (service, _) in ResourceNames.GatewayRoutes)
            Assert.Equal("Healthy", health.GetProperty("checks").GetProperty(service).GetProperty("status").GetString());
    }

    private static async Task<long> UserCountAsync(HttpClient gateway) =>
        (await gateway.GetFromJsonAsync<JsonElement>("/api/analytics/summary")).GetProperty("users").GetInt64();

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Contains("json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}
