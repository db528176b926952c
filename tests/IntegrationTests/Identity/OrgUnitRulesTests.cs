using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>
/// The org-unit rules hold at every door: the admin API, SCIM groups and the CSV import refuse the same change with
/// the same reason, a move announces every unit that moved, and a refused SCIM request writes nothing.
/// </summary>
public class OrgUnitRulesTests(PlatformFixture platform)
{
    private const string GroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group";

    private async Task<Guid> CreateUnitAsync(string name, string? externalId = null, Guid? parentId = null)
    {
        using var created = await platform.Gateway.PostAsJsonAsync("/api/identity/org-units", new { name, externalId, parentId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Every_door_refuses_to_close_a_unit_people_still_work_in()
    {
        var t = Guid.NewGuid().ToString("N")[..8];
        var unit = await CreateUnitAsync($"Payroll {t}", $"pay-{t}");
        using var user = await platform.Gateway.PostAsJsonAsync("/api/identity/users",
            new { email = $"payroll.{t}@example.org", givenName = "Pat", familyName = "Roll", orgUnitId = unit });
        Assert.Equal(HttpStatusCode.Created, user.StatusCode);

        using var api = await platform.Gateway.PostAsync($"/api/identity/org-units/{unit}/deactivate", null);
        Assert.Equal(HttpStatusCode.Conflict, api.StatusCode);
        var reason = (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        Assert.Contains("Active users belong to the org unit", reason);

        using var scim = await ScimClient.CreateAsync(platform);
        using var deleted = await scim.DeleteAsync($"/scim/v2/Groups/{unit}");
        Assert.Equal(HttpStatusCode.Conflict, deleted.StatusCode);
        Assert.Equal(reason, (await deleted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        var job = await Imports.UploadAsync(platform.Gateway, $"external_id,name,status\npay-{t},Payroll {t},inactive\n", kind: "org-units");
        Assert.Equal(0, job.GetProperty("toDeactivate").GetInt32());
        Assert.Equal(1, job.GetProperty("errorRows").GetInt32());
        var report = await platform.Gateway.GetStringAsync($"/api/identity/imports/{job.GetProperty("id").GetGuid()}/errors");
        Assert.Contains(reason, report);

        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM org_units WHERE \"Id\" = '{unit}' AND \"Active\""));
    }

    [Fact]
    public async Task A_move_announces_every_unit_of_the_moved_subtree_whichever_door_moves_it()
    {
        var t = Guid.NewGuid().ToString("N")[..8];
        var top = await CreateUnitAsync($"Top {t}", $"top-{t}");
        var middle = await CreateUnitAsync($"Middle {t}", $"mid-{t}", top);
        var leaf = await CreateUnitAsync($"Leaf {t}", $"leaf-{t}", middle);
        var elsewhere = await CreateUnitAsync($"Elsewhere {t}", $"else-{t}");

        using var moved = await platform.Gateway.PutAsJsonAsync($"/api/identity/org-units/{top}", new { name = $"Top {t}", externalId = $"top-{t}", parentId = elsewhere });
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        async Task<long> PathEventsAsync(Guid unit, Guid containing, bool contains = true) => await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.OrgUnitChanged' AND payload->>'orgUnitId' = '{unit}' " +
            $"AND payload->'changed' ? 'path' AND {(contains ? "" : "NOT")} payload->'path' ? '{containing}'");
        Assert.Equal(1, await PathEventsAsync(middle, elsewhere));
        Assert.Equal(1, await PathEventsAsync(leaf, elsewhere));
        // The catalogue's copy of the tree follows (it decides who sees what).
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.CatalogueDb,
            $"SELECT count(*) FROM org_units WHERE id = '{top}' AND parent_id = '{elsewhere}'"), n => n == 1, TimeSpan.FromSeconds(30), "the catalogue's copy moved");

        // The import moves it back to the root: the leaf's new path comes from the same rule.
        var job = await Imports.UploadAsync(platform.Gateway, $"external_id,name,parent_external_id\ntop-{t},Top {t},\n", kind: "org-units");
        Assert.Equal(1, job.GetProperty("toMove").GetInt32());
        Assert.Equal("Completed", (await Imports.ApplyAsync(platform.Gateway, job)).GetProperty("status").GetString());
        Assert.Equal(1, await PathEventsAsync(leaf, elsewhere, contains: false));
        Assert.Equal(2, await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.OrgUnitChanged' AND payload->>'orgUnitId' = '{leaf}' AND payload->'changed' ? 'path'"));

        // A cycle is refused by the API and by the import alike.
        using var cycle = await platform.Gateway.PutAsJsonAsync($"/api/identity/org-units/{top}", new { name = $"Top {t}", externalId = $"top-{t}", parentId = leaf });
        Assert.Equal(HttpStatusCode.Conflict, cycle.StatusCode);
        var cyclic = await Imports.UploadAsync(platform.Gateway, $"external_id,name,parent_external_id\ntop-{t},Top {t},leaf-{t}\n", kind: "org-units");
        Assert.Equal(1, cyclic.GetProperty("errorRows").GetInt32());
    }

    [Fact]
    public async Task A_refused_scim_group_request_writes_nothing()
    {
        var t = Guid.NewGuid().ToString("N")[..8];
        using var scim = await ScimClient.CreateAsync(platform);
        var member = await ScimClient.CreateUserAsync(scim, $"member.{t}@example.org");

        using var unknown = await scim.PostAsync("/scim/v2/Groups", ScimClient.Body(new
        {
            schemas = new[] { GroupSchema }, displayName = $"Treasury {t}", members = new[] { new { value = member }, new { value = Guid.NewGuid().ToString() } },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("invalidValue", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scimType").GetString());
        using var missing = await scim.PostAsync("/scim/v2/Groups", ScimClient.Body(new
        {
            schemas = new[] { GroupSchema }, displayName = $"Treasury {t}", members = new object[] { new { value = member }, new { display = "no value" } },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);

        Assert.Equal(0, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM org_units WHERE \"Name\" = 'Treasury {t}'"));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"Id\" = '{member}' AND \"OrgUnitId\" IS NULL"));
    }

    [Fact]
    public async Task Scim_groups_are_replaced_whole_and_their_members_patched_every_way()
    {
        var t = Guid.NewGuid().ToString("N")[..8];
        using var scim = await ScimClient.CreateAsync(platform);
        var (a, b, c) = (await ScimClient.CreateUserAsync(scim, $"a.{t}@example.org"), await ScimClient.CreateUserAsync(scim, $"b.{t}@example.org"),
            await ScimClient.CreateUserAsync(scim, $"c.{t}@example.org"));
        using var created = await scim.PostAsync("/scim/v2/Groups", ScimClient.Body(new
        {
            schemas = new[] { GroupSchema }, displayName = $"Audit {t}", members = new[] { new { value = a }, new { value = b } },
        }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var group = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(new[] { a, b }.Order(), await ScimClient.MembersAsync(scim, group));

        // The same name again would be a second "Audit": refused, so that the provider matches the existing group.
        using var twin = await scim.PostAsync("/scim/v2/Groups", ScimClient.Body(new { schemas = new[] { GroupSchema }, displayName = $"audit {t}" }));
        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        Assert.Equal("uniqueness", (await twin.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("scimType").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await ScimClient.PatchAsync(scim, $"/scim/v2/Groups/{group}",
            new { op = "replace", path = "members", value = new[] { new { value = c } } },
            new { op = "replace", path = "externalId", value = $"aud-{t}" })).StatusCode);
        Assert.Equal([c], await ScimClient.MembersAsync(scim, group));
        Assert.Equal(2, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"Id\" IN ('{a}', '{b}') AND \"OrgUnitId\" IS NULL"));

        Assert.Equal(HttpStatusCode.NoContent, (await ScimClient.PatchAsync(scim, $"/scim/v2/Groups/{group}",
            new { op = "add", value = new { members = new[] { new { value = a } }, displayName = $"Internal audit {t}" } })).StatusCode);
        Assert.Equal(new[] { a, c }.Order(), await ScimClient.MembersAsync(scim, group));

        Assert.Equal(HttpStatusCode.NoContent, (await ScimClient.PatchAsync(scim, $"/scim/v2/Groups/{group}", new { op = "remove", path = "members" })).StatusCode);
        Assert.Empty(await ScimClient.MembersAsync(scim, group));

        using var replaced = await scim.PutAsync($"/scim/v2/Groups/{group}", ScimClient.Body(new
        {
            schemas = new[] { GroupSchema }, displayName = $"Audit and risk {t}", externalId = $"aud-{t}", members = new[] { new { value = b } },
        }));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var body = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"Audit and risk {t}", body.GetProperty("displayName").GetString());
        Assert.Equal($"aud-{t}", body.GetProperty("externalId").GetString());
        Assert.Equal([b], await ScimClient.MembersAsync(scim, group));

        // The changes went through the org unit's own methods: audited as such.
        Assert.True(await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM audit_log WHERE \"EntityId\" = '{group}' AND \"Action\" = 'orgunit.updated'") >= 2);
    }
}
