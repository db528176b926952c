using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>
/// The parts of SCIM (RFC 7643/7644) identity providers' validators check beyond users and groups: discovery by id with
/// sub-attributes, SCIM errors for every response under /scim/v2, sorting, value-path filters, attribute selection, and
/// an honest answer about Bulk.
/// </summary>
public class ScimProtocolTests(PlatformFixture platform)
{
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    private static async Task AssertScimErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/scim+json", response.Content.Headers.ContentType?.MediaType);
        var error = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", error.GetProperty("schemas")[0].GetString());
        Assert.Equal(((int)status).ToString(), error.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Discovery_documents_are_found_by_id_and_describe_sub_attributes()
    {
        using var scim = await ScimClient.CreateAsync(platform);
        var user = await scim.GetFromJsonAsync<JsonElement>("/scim/v2/ResourceTypes/User");
        Assert.Equal(UserSchema, user.GetProperty("schema").GetString());
        Assert.Equal(Enterprise, user.GetProperty("schemaExtensions")[0].GetProperty("schema").GetString());

        var schema = await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Schemas/{UserSchema}");
        var name = schema.GetProperty("attributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "name");
        Assert.Contains(name.GetProperty("subAttributes").EnumerateArray(), s => s.GetProperty("name").GetString() == "givenName" && s.GetProperty("mutability").GetString() == "readWrite");
        var members = (await scim.GetFromJsonAsync<JsonElement>("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"))
            .GetProperty("attributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "members");
        Assert.Contains(members.GetProperty("subAttributes").EnumerateArray(), s => s.GetProperty("name").GetString() == "value");
        var manager = (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Schemas/{Enterprise}"))
            .GetProperty("attributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "manager");
        Assert.Equal("complex", manager.GetProperty("type").GetString());
        Assert.NotEqual(0, manager.GetProperty("subAttributes").GetArrayLength());

        await AssertScimErrorAsync(await scim.GetAsync("/scim/v2/ResourceTypes/Printer"), HttpStatusCode.NotFound);
        await AssertScimErrorAsync(await scim.GetAsync("/scim/v2/Schemas/urn:nothing"), HttpStatusCode.NotFound);

        var config = await scim.GetFromJsonAsync<JsonElement>("/scim/v2/ServiceProviderConfig");
        Assert.False(config.GetProperty("bulk").GetProperty("supported").GetBoolean());
        Assert.True(config.GetProperty("sort").GetProperty("supported").GetBoolean());
        await AssertScimErrorAsync(await scim.PostAsync("/scim/v2/Bulk", ScimClient.Body(new { schemas = new[] { "urn:ietf:params:scim:api:messages:2.0:BulkRequest" }, Operations = Array.Empty<object>() })), HttpStatusCode.NotImplemented);
    }

    [Fact]
    public async Task Every_answer_under_scim_is_a_scim_error_even_where_no_handler_runs()
    {
        using var anonymous = platform.App.CreateHttpClient(LmsPlatform.Contracts.ResourceNames.Gateway);
        using var unauthorised = await anonymous.GetAsync("/scim/v2/Users");
        await AssertScimErrorAsync(unauthorised, HttpStatusCode.Unauthorized);
        Assert.StartsWith("Bearer", unauthorised.Headers.WwwAuthenticate.ToString());

        using var scim = await ScimClient.CreateAsync(platform);
        await AssertScimErrorAsync(await scim.GetAsync("/scim/v2/Printers"), HttpStatusCode.NotFound);
        await AssertScimErrorAsync(await scim.GetAsync($"/scim/v2/Users/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await AssertScimErrorAsync(await scim.GetAsync("/scim/v2/Users/not-an-id"), HttpStatusCode.NotFound);
        using var wrongMethod = await scim.DeleteAsync("/scim/v2/ServiceProviderConfig");
        Assert.Equal("application/scim+json", wrongMethod.Content.Headers.ContentType?.MediaType);
        Assert.True((int)wrongMethod.StatusCode is 405 or 401, $"got {(int)wrongMethod.StatusCode}");
    }

    [Fact]
    public async Task Users_are_sorted_filtered_by_value_path_and_shaped_by_attributes()
    {
        using var scim = await ScimClient.CreateAsync(platform);
        var t = Guid.NewGuid().ToString("N")[..8];
        foreach (var family in new[] { "Babbage", "Lovelace", "Hopper" })
        {
            using var created = await scim.PostAsync("/scim/v2/Users", ScimClient.Body(new Dictionary<string, object>
            {
                ["schemas"] = new[] { UserSchema, Enterprise },
                ["userName"] = $"{family.ToLowerInvariant()}.{t}@example.org",
                ["name"] = new { givenName = "Sam", familyName = family },
                // A department that names no org unit is kept as the provider sent it.
                [Enterprise] = new { department = $"Analytical engines {t}" },
            }));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal($"Analytical engines {t}", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty(Enterprise).GetProperty("department").GetString());
        }
        var mine = Uri.EscapeDataString($"userName ew \".{t}@example.org\"");

        async Task<string[]> FamiliesAsync(string query) =>
            (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={mine}&{query}")).GetProperty("Resources").EnumerateArray()
            .Select(r => r.GetProperty("name").GetProperty("familyName").GetString()!).ToArray();
        Assert.Equal(["Babbage", "Hopper", "Lovelace"], await FamiliesAsync("sortBy=name.familyName"));
        Assert.Equal(["Lovelace", "Hopper", "Babbage"], await FamiliesAsync("sortBy=name.familyName&sortOrder=descending"));
        await AssertScimErrorAsync(await scim.GetAsync($"/scim/v2/Users?sortBy=shoeSize"), HttpStatusCode.BadRequest);

        var valuePath = Uri.EscapeDataString($"emails[type eq \"work\" and value eq \"hopper.{t}@example.org\"]");
        var found = await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={valuePath}");
        Assert.Equal(1, found.GetProperty("totalResults").GetInt32());
        var none = Uri.EscapeDataString($"emails[type eq \"home\"] and userName ew \".{t}@example.org\"");
        Assert.Equal(0, (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={none}")).GetProperty("totalResults").GetInt32());

        var slim = (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={mine}&attributes=userName,name.familyName")).GetProperty("Resources")[0];
        Assert.Equal(["id", "name", "schemas", "userName"], slim.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.Equal(["familyName"], slim.GetProperty("name").EnumerateObject().Select(p => p.Name).ToArray());
        var without = (await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users?filter={mine}&excludedAttributes=emails,{Enterprise}:department")).GetProperty("Resources")[0];
        Assert.False(without.TryGetProperty("emails", out _));
        Assert.False(without.GetProperty(Enterprise).TryGetProperty("department", out _));
        Assert.True(without.TryGetProperty("userName", out _));
    }

    [Fact]
    public async Task Only_a_user_name_is_needed_and_a_person_without_email_is_invited_once_they_have_one()
    {
        using var scim = await ScimClient.CreateAsync(platform);
        var userName = $"jdoe-{Guid.NewGuid():N}"[..13];
        using var created = await scim.PostAsync("/scim/v2/Users", ScimClient.Body(new { schemas = new[] { UserSchema }, userName }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = user.GetProperty("id").GetString()!;
        Assert.Equal(userName, user.GetProperty("userName").GetString());
        Assert.False(user.TryGetProperty("emails", out _));
        using (var twice = await scim.PostAsync("/scim/v2/Users", ScimClient.Body(new { schemas = new[] { UserSchema }, userName = userName.ToUpperInvariant() })))
            Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);

        // In the directory, but nobody to send an invitation to.
        var listed = await platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("email").ValueKind);
        Assert.Equal(userName, listed.GetProperty("userName").GetString());
        using (var refused = await platform.Gateway.PostAsync($"/api/identity/users/{id}/invitation", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains("no email", await refused.Content.ReadAsStringAsync());
        }

        var email = $"{userName}@example.org";
        Assert.Equal(HttpStatusCode.OK, (await ScimClient.PatchAsync(scim, $"/scim/v2/Users/{id}",
            new { op = "add", path = "emails", value = new[] { new { value = email, type = "work", primary = true } } })).StatusCode);
        var patched = await scim.GetFromJsonAsync<JsonElement>($"/scim/v2/Users/{id}");
        Assert.Equal(email, patched.GetProperty("emails")[0].GetProperty("value").GetString());
        Assert.Equal(userName, patched.GetProperty("userName").GetString());
        using var invited = await platform.Gateway.PostAsync($"/api/identity/users/{id}/invitation", null);
        Assert.Equal(HttpStatusCode.Accepted, invited.StatusCode);
    }
}
