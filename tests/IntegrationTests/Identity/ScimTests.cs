using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>A SCIM client as an identity provider is one: a client-credentials token with the scim scope, through the gateway.</summary>
public static class ScimClient
{
    public static async Task<HttpClient> CreateAsync(PlatformFixture platform, bool scim = true)
    {
        var clientId = $"scim-{Guid.NewGuid():N}";
        using var created = await platform.Gateway.PostAsJsonAsync("/api/identity/clients", new { clientId, displayName = "Entra ID", scim });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("clientSecret").GetString()!;
        var tokens = await Oidc.ClientCredentialsAsync(platform.Anonymous, clientId, secret, scim ? "scim" : "lms_api");
        return Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
    }

    public static StringContent Body(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/scim+json");

    public static async Task<HttpResponseMessage> PatchAsync(HttpClient scim, string path, params object[] operations)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path)
        {
            Content = Body(new { schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" }, Operations = operations }),
        };
        return await scim.SendAsync(request);
    }

    public static async Task<string> CreateUserAsync(HttpClient scim, string userName)
    {
        using var created = await scim.PostAsync("/scim/v2/Users", Body(new
        {
            schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:User" }, userName, name = new { givenName = "Sam", familyName = "Member" },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static async Task<string[]> MembersAsync(HttpClient scim, string groupId) =>
        (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Groups/{groupId}")).GetProperty("members").EnumerateArray()
        .Select(m => m.GetProperty("value").GetString()!).Order().ToArray();
}

/// <summary>SCIM 2.0 round trips through the gateway with a client-credentials token carrying the scim scope.</summary>
public class ScimTests(PlatformFixture platform)
{
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private Task<HttpClient> ScimClientAsync(bool scim = true) => ScimClient.CreateAsync(platform, scim);

    private static StringContent Scim(object body) => ScimClient.Body(body);

    [Fact]
    public async Task Users_can_be_created_filtered_patched_and_deleted()
    {
        using var scim = await ScimClientAsync();
        var t = Guid.NewGuid().ToString("N")[..8];
        var manager = await (await scim.PostAsync("/scim/v2/Users", Scim(new Dictionary<string, object>
        {
            ["schemas"] = new[] { "urn:ietf:params:scim:schemas:core:2.0:User" },
            ["userName"] = $"grace.{t}@example.org",
            ["name"] = new { givenName = "Grace", familyName = "Hopper" },
        }))).Content.ReadFromJsonAsync<JsonElement>();

        using var created = await scim.PostAsync("/scim/v2/Users", Scim(new Dictionary<string, object>
        {
            ["schemas"] = new[] { "urn:ietf:params:scim:schemas:core:2.0:User", Enterprise },
            ["userName"] = $"ada.{t}@example.org",
            ["externalId"] = $"entra-{t}",
            ["name"] = new { givenName = "Ada", familyName = $"Lovelace{t}" },
            ["title"] = "Analyst",
            ["active"] = true,
            [Enterprise] = new { employeeNumber = $"EMP-{t}", manager = new { value = manager.GetProperty("id").GetString() } },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("application/scim+json", created.Content.Headers.ContentType!.MediaType);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = user.GetProperty("id").GetString();
        Assert.Equal($"EMP-{t}", user.GetProperty(Enterprise).GetProperty("employeeNumber").GetString());
        Assert.Equal($"/scim/v2/Users/{id}", created.Headers.Location!.AbsolutePath);

        // Duplicate userName (in another case) is a SCIM uniqueness error.
        using var duplicate = await scim.PostAsync("/scim/v2/Users", Scim(new { schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:User" }, userName = $"ADA.{t}@EXAMPLE.ORG", name = new { givenName = "A", familyName = "B" } }));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("uniqueness", (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scimType").GetString());

        async Task<int> CountAsync(string filter) =>
            (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={Uri.EscapeDataString(filter)}")).GetProperty("totalResults").GetInt32();
        Assert.Equal(1, await CountAsync($"userName eq \"Ada.{t}@example.org\""));
        Assert.Equal(1, await CountAsync($"name.familyName sw \"lovelace{t[..4]}\" and active eq true"));
        Assert.Equal(1, await CountAsync($"externalId eq \"entra-{t}\" or userName co \"nobody\""));
        Assert.Equal(1, await CountAsync($"{Enterprise}:employeeNumber eq \"EMP-{t}\""));
        Assert.Equal(1, await CountAsync($"userName ew \".{t}@example.org\" and not (title pr)")); // Grace has no title
        Assert.Equal(1, await CountAsync($"userName ew \".{t}@example.org\" and title ne \"Analyst\""));
        Assert.Equal(2, await CountAsync($"userName ew \".{t}@example.org\" and meta.created gt \"2020-01-01T00:00:00Z\""));

        using var badFilter = await scim.GetAsync($"/scim/v2/Users?filter={Uri.EscapeDataString("userName eq")}");
        Assert.Equal(HttpStatusCode.BadRequest, badFilter.StatusCode);
        var error = await badFilter.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalidFilter", error.GetProperty("scimType").GetString());
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", error.GetProperty("schemas")[0].GetString());

        // PATCH as Entra sends it: "False" as a string, a path into the enterprise extension.
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/scim/v2/Users/{id}")
        {
            Content = Scim(new
            {
                schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" },
                Operations = new object[]
                {
                    new { op = "Replace", path = "active", value = "False" },
                    new { op = "replace", path = "title", value = "Lead Analyst" },
                    new { op = "remove", path = $"{Enterprise}:manager" },
                },
            }),
        };
        using var patched = await scim.SendAsync(patch);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(after.GetProperty("active").GetBoolean());
        Assert.Equal("Lead Analyst", after.GetProperty("title").GetString());
        Assert.False(after.GetProperty(Enterprise).TryGetProperty("manager", out _));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserDeactivated' AND payload->>'userId' = '{id}'"));

        // A stale version is refused (412); the current one is accepted.
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/scim/v2/Users/{id}") { Content = Scim(new { userName = $"ada.{t}@example.org", name = new { givenName = "Ada", familyName = "L" } }) };
        stale.Headers.TryAddWithoutValidation("If-Match", user.GetProperty("meta").GetProperty("version").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await scim.SendAsync(stale)).StatusCode);

        using var deleted = await scim.DeleteAsync($"/scim/v2/Users/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scim.GetAsync($"/scim/v2/Users/{id}")).StatusCode);
        // Never hard-deleted: the row is kept, deactivated.
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"Id\" = '{id}' AND \"Status\" = 'Deactivated'"));
    }

    [Fact]
    public async Task Groups_are_org_units_and_membership_moves_users()
    {
        using var scim = await ScimClientAsync();
        var t = Guid.NewGuid().ToString("N")[..8];
        var user = await (await scim.PostAsync("/scim/v2/Users", Scim(new { schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:User" }, userName = $"member.{t}@example.org", name = new { givenName = "Mem", familyName = "Ber" } })))
            .Content.ReadFromJsonAsync<JsonElement>();
        var userId = user.GetProperty("id").GetString();
        using var created = await scim.PostAsync("/scim/v2/Groups", Scim(new { schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:Group" }, displayName = $"Finance {t}", externalId = $"fin-{t}" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var groupId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var add = new HttpRequestMessage(HttpMethod.Patch, $"/scim/v2/Groups/{groupId}")
        {
            Content = Scim(new { schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" }, Operations = new[] { new { op = "add", path = "members", value = new[] { new { value = userId } } } } }),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await scim.SendAsync(add)).StatusCode);
        var group = await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Groups/{groupId}");
        Assert.Equal(userId, group.GetProperty("members")[0].GetProperty("value").GetString());
        var found = await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Groups?filter={Uri.EscapeDataString($"displayName eq \"finance {t}\"")}");
        Assert.Equal(1, found.GetProperty("totalResults").GetInt32());
        Assert.Equal($"Finance {t}", (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users/{userId}")).GetProperty(Enterprise).GetProperty("department").GetString());

        using var remove = new HttpRequestMessage(HttpMethod.Patch, $"/scim/v2/Groups/{groupId}")
        {
            Content = Scim(new { schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:PatchOp" }, Operations = new[] { new { op = "remove", path = $"members[value eq \"{userId}\"]" } } }),
        };
        Assert.Equal(HttpStatusCode.NoContent, (await scim.SendAsync(remove)).StatusCode);
        Assert.Equal(0, (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Groups/{groupId}")).GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task Scim_needs_the_scim_scope_and_describes_itself()
    {
        using var anonymous = await platform.Anonymous.GetAsync("/scim/v2/Users");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("401", (await anonymous.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        using var apiOnly = await ScimClientAsync(scim: false);
        Assert.Equal(HttpStatusCode.Forbidden, (await apiOnly.GetAsync("/scim/v2/Users")).StatusCode);
        // An administrator's own token is not a provisioning credential either.
        Assert.Equal(HttpStatusCode.Forbidden, (await platform.Gateway.GetAsync("/scim/v2/Users")).StatusCode);

        using var scim = await ScimClientAsync();
        var config = await scim.GetFromJsonAsync<JsonElement>("/scim/v2/ServiceProviderConfig");
        Assert.True(config.GetProperty("patch").GetProperty("supported").GetBoolean());
        Assert.True(config.GetProperty("filter").GetProperty("supported").GetBoolean());
        Assert.Equal(2, (await scim.GetFromJsonAsync<JsonElement>("/scim/v2/ResourceTypes")).GetProperty("totalResults").GetInt32());
        Assert.Equal(3, (await scim.GetFromJsonAsync<JsonElement>("/scim/v2/Schemas")).GetProperty("totalResults").GetInt32());
    }
}
