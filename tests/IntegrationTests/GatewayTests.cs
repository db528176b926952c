using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests;

/// <summary>What a newcomer meets at the gateway: API descriptions, the API reference, and sane refusals of bad requests.</summary>
public class GatewayTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("/api/identity", "/api/identity/users")]
    [InlineData("/api/catalogue", "/api/catalogue/search")]
    [InlineData("/api/enrolment", "/api/enrolment/enrolments")]
    [InlineData("/api/content", "/api/content/items")]
    [InlineData("/api/notification", "/api/notification/notifications")]
    [InlineData("/api/analytics", "/api/analytics/summary")]
    public async Task Every_service_describes_its_api_through_the_gateway_without_a_token(string prefix, string knownPath)
    {
        var document = await platform.Anonymous.GetFromJsonAsync<JsonElement>($"{prefix}/openapi/v1.json");
        Assert.True(document.GetProperty("paths").TryGetProperty(knownPath, out _), $"{knownPath} is described");
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        // Everything else under the prefix still needs a token.
        using var api = await platform.Anonymous.GetAsync(knownPath);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task A_client_cannot_name_its_own_address_for_the_audit_log()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/identity/org-units")
        {
            Content = JsonContent.Create(new { name = $"Forwarded {Guid.NewGuid():N}" }),
        };
        request.Headers.Add("X-Forwarded-For", "203.0.113.77");
        using var created = await platform.Gateway.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var audit = await platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/audit?entityId={id}");
        var entry = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "orgunit.created");
        var address = entry.GetProperty("ipAddress").GetString();
        Assert.NotEqual("203.0.113.77", address);
        var seen = System.Net.IPAddress.Parse(address!);
        if (seen.IsIPv4MappedToIPv6) seen = seen.MapToIPv4();
        Assert.True(System.Net.IPAddress.IsLoopback(seen), $"the gateway's view of the caller, got {address}");
    }

    [Fact]
    public async Task Guessing_one_accounts_password_is_stopped_with_429_and_retry_after()
    {
        using var browser = Identity.Oidc.Browser(platform.App);
        var email = $"guessed.{Guid.NewGuid():N}@example.org";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var attempt = await Identity.Oidc.PostLoginAsync(browser, "/account/login", email, $"guess-{i}");
            statuses.Add(attempt.StatusCode);
            if (attempt.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.TryParse(attempt.Headers.GetValues("Retry-After").Single(), out var seconds) && seconds is > 0 and <= 300);
                Assert.Equal("application/problem+json", attempt.Content.Headers.ContentType!.MediaType);
            }
        }
        // The default budget: ten attempts per account in five minutes, whatever the answer.
        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.BadRequest, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);
        // A person at the sign-in page (a browser asks for HTML) gets a page that says how long to wait, not JSON.
        using var page = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["password"] = "guess-11" }),
        };
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        using var refused = await browser.SendAsync(page);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("text/html", refused.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<h1>Too many attempts</h1>", await refused.Content.ReadAsStringAsync());
        // Another account from the same address is not held back.
        using var other = await Identity.Oidc.PostLoginAsync(browser, "/account/login", $"other.{Guid.NewGuid():N}@example.org", "guess");
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
    }

    [Fact]
    public async Task The_api_reference_page_lists_every_service()
    {
        using var page = await platform.Anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<script", html);
        // Scalar resolves each source against the site's root (checked in Chromium); each must be there.
        var sources = System.Text.RegularExpressions.Regex.Matches(html, "\"url\":\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        foreach (var (_, prefix) in ResourceNames.GatewayRoutes)
            Assert.Contains($"{prefix.TrimStart('/')}/openapi/v1.json", sources);
        foreach (var source in sources)
            Assert.Equal(HttpStatusCode.OK, (await platform.Anonymous.GetAsync("/" + source)).StatusCode);
    }

    [Fact]
    public async Task A_nul_character_anywhere_is_refused_with_400_naming_the_field_and_nothing_is_written()
    {
        var usersBefore = await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users");

        // In a JSON body (escaped), nested or not.
        using var json = await platform.Gateway.PostAsync("/api/identity/users", new StringContent(
            $$"""{"email":"nul.{{Guid.NewGuid():N}}@example.org","givenName":"Gr\u0000ace","familyName":"Hopper"}""", Encoding.UTF8, "application/json"));
        await AssertNamesFieldAsync(json, "givenName");
        using var nested = await platform.Gateway.PostAsync("/api/catalogue/categories", new StringContent(
            """{"name":"Safety","description":"x","tags":["a","b\u0000"]}""", Encoding.UTF8, "application/json"));
        await AssertNamesFieldAsync(nested, "tags[1]");
        // In a query string, for search and for lists.
        using var search = await platform.Gateway.GetAsync("/api/catalogue/search?q=fire%00safety");
        await AssertNamesFieldAsync(search, "q");
        using var list = await platform.Gateway.GetAsync("/api/identity/users?search=a%00b");
        await AssertNamesFieldAsync(list, "search");
        // In a form (the sign-in page) and in SCIM's JSON.
        using var form = await platform.Anonymous.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "someone\0@example.org", ["password"] = "x",
        }));
        await AssertNamesFieldAsync(form, "email");
        using var scim = await platform.Gateway.PostAsync("/scim/v2/Users", new StringContent(
            """{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x\u0000@example.org"}""", Encoding.UTF8, "application/scim+json"));
        await AssertNamesFieldAsync(scim, "userName");

        Assert.Equal(usersBefore, await platform.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Oversized_requests_get_413_at_the_gateway()
    {
        // A 10 MB form to the token endpoint.
        var huge = new string('a', 10 * 1024 * 1024);
        using var token = await platform.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "x", ["client_secret"] = huge,
        }));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, token.StatusCode);
        Assert.Contains("at most", await token.Content.ReadAsStringAsync());

        // 5 MB of JSON to an API that takes a few hundred bytes.
        using var json = await platform.Gateway.PostAsync("/api/identity/users",
            new StringContent($$"""{"email":"big@example.org","givenName":"{{new string('b', 5 * 1024 * 1024)}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, json.StatusCode);

        // A normal request on the same routes still goes through.
        using var ok = await platform.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "nobody", ["client_secret"] = "wrong",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, ok.StatusCode); // OpenID Connect's invalid_client, not a size refusal
        Assert.Contains("invalid_client", await ok.Content.ReadAsStringAsync());
    }

    private static async Task AssertNamesFieldAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400 for {field}, got {(int)response.StatusCode}: {body}");
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names {field}: {body}");
    }
}

/// <summary>The README's way to a token for trying the API: <c>./lms token</c>, the portal's own sign-in flow in curl.</summary>
public class LmsTokenCommandTests(PlatformFixture platform)
{
    [Fact]
    public async Task Lms_token_prints_an_access_token_the_api_accepts()
    {
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));
        var start = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(repository, "lms"), "token", LmsPlatform.AppHost.LmsTopology.AdminEmail])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository,
            Environment = { ["GATEWAY"] = platform.App.GatewayUrl.ToString().TrimEnd('/'), ["LMS_PASSWORD"] = platform.App.AdminPassword },
        };
        using var process = System.Diagnostics.Process.Start(start)!;
        var token = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        Assert.True(token.Length > 100, $"a token, got '{token}' ({await process.StandardError.ReadToEndAsync()})");

        using var client = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), token);
        var me = await client.GetFromJsonAsync<JsonElement>("/api/identity/users?pageSize=1");
        Assert.True(me.GetProperty("totalCount").GetInt32() >= 1);
    }
}
