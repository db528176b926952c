using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>The admin API: ETags, the org unit tree, reporting lines, events and the audit trail.</summary>
public class AdministrationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_stale_update_is_refused_with_409_and_a_fresh_one_publishes_the_changed_attributes()
    {
        var admin = platform.Gateway;
        using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"etag.{Guid.NewGuid():N}@example.org", givenName = "Eve", familyName = "Tag" });
        var user = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = user.GetProperty("id").GetGuid();
        var etag = created.Headers.ETag!.Tag;

        var body = new { email = user.GetProperty("email").GetString(), givenName = "Eve", familyName = "Tag", jobTitle = "Engineer", location = "Leeds", hireDate = "2024-02-01" };
        using var first = new HttpRequestMessage(HttpMethod.Put, $"/api/identity/users/{id}") { Content = JsonContent.Create(body) };
        first.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var updated = await admin.SendAsync(first);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.NotEqual(etag, updated.Headers.ETag!.Tag);

        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/identity/users/{id}") { Content = JsonContent.Create(body with { jobTitle = "Manager" }) };
        stale.Headers.IfMatch.Add(new EntityTagHeaderValue(etag));
        using var refused = await admin.SendAsync(stale);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Engineer", (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}")).GetProperty("jobTitle").GetString());

        var changed = await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserUpdated' AND payload->>'userId' = '{id}' AND payload->'changed' @> '[\"jobTitle\",\"location\",\"hireDate\"]'::jsonb");
        Assert.Equal(1, changed);
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/audit?entityId={id}&action=user.updated");
        var entry = audit.GetProperty("items")[0];
        Assert.Contains("Leeds", entry.GetProperty("after").GetString());
        Assert.Equal("admin@lms.local", entry.GetProperty("actorName").GetString());
    }

    [Fact]
    public async Task Org_units_form_a_tree_that_refuses_cycles_and_users_are_found_by_subtree_and_role()
    {
        var admin = platform.Gateway;
        async Task<JsonElement> Unit(string name, Guid? parentId)
        {
            using var r = await admin.PostAsJsonAsync("/api/identity/org-units", new { name, parentId });
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            return await r.Content.ReadFromJsonAsync<JsonElement>();
        }
        var root = await Unit("Group " + Guid.NewGuid().ToString("N")[..6], null);
        var rootId = root.GetProperty("id").GetGuid();
        var sales = await Unit("Sales", rootId);
        var emea = await Unit("Sales EMEA", sales.GetProperty("id").GetGuid());
        var emeaId = emea.GetProperty("id").GetGuid();

        // Moving Sales under its own child would make a cycle.
        using var cycle = await admin.PutAsJsonAsync($"/api/identity/org-units/{sales.GetProperty("id").GetGuid()}", new { name = "Sales", parentId = emeaId });
        Assert.Equal(HttpStatusCode.Conflict, cycle.StatusCode);

        using var person = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"tree.{Guid.NewGuid():N}@example.org", givenName = "Tree", familyName = "Dweller", orgUnitId = emeaId });
        var personId = (await person.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var inSubtree = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?orgUnitId={rootId}");
        Assert.Equal(personId, Assert.Single(inSubtree.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());

        // Deactivating a unit with active people in it is refused; the unit stays.
        using var busy = await admin.PostAsync($"/api/identity/org-units/{emeaId}/deactivate", null);
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);

        using var granted = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = personId, role = "Manager", scopeOrgUnitId = rootId });
        Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        using var twice = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = personId, role = "manager", scopeOrgUnitId = rootId });
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        var managers = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?role=Manager&orgUnitId={rootId}");
        Assert.Equal(1, managers.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task A_manager_cannot_report_to_their_own_report_and_deactivation_blocks_sign_in_tokens()
    {
        var admin = platform.Gateway;
        var (bossId, bossEmail, bossTokens) = await People.CreateSignedInAsync(platform.App, admin, "boss", "Manager");
        using var r = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"report.{Guid.NewGuid():N}@example.org", givenName = "Rep", familyName = "Ort", managerId = bossId });
        var report = await r.Content.ReadFromJsonAsync<JsonElement>();
        var reportId = report.GetProperty("id").GetGuid();

        var boss = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users/{bossId}");
        using var cycle = await admin.PutAsJsonAsync($"/api/identity/users/{bossId}", new { email = bossEmail, givenName = "boss", familyName = "Tester", managerId = reportId });
        Assert.Equal(HttpStatusCode.Conflict, cycle.StatusCode);

        using var team = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), bossTokens.AccessToken);
        var mine = await team.GetFromJsonAsync<JsonElement>("/api/identity/me/team");
        Assert.Equal(reportId, Assert.Single(mine.EnumerateArray()).GetProperty("id").GetGuid());

        using var deactivated = await admin.PostAsync($"/api/identity/users/{bossId}/deactivate", null);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.Equal("Deactivated", (await deactivated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        using var refresh = await platform.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = bossTokens.RefreshToken!, ["client_id"] = Oidc.PortalClient,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserDeactivated' AND payload->>'userId' = '{bossId}'"));
    }

    [Fact]
    public async Task Erasure_anonymises_personal_data_and_the_audit_log_exports_as_csv()
    {
        var admin = platform.Gateway;
        var email = $"erase.{Guid.NewGuid():N}@example.org";
        using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Gdpr", familyName = "Subject", externalId = $"GD{Random.Shared.Next(1_000_000)}" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using var erased = await admin.PostAsync($"/api/identity/users/{id}/erase", null);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}");
        Assert.DoesNotContain("Gdpr", after.GetRawText());
        Assert.DoesNotContain(email, after.GetRawText());
        Assert.Equal("Deactivated", after.GetProperty("status").GetString());

        var csv = await admin.GetStringAsync($"/api/identity/audit/export?entityId={id}");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Id,OccurredAt,ActorId,ActorName,Action", lines[0]);
        Assert.Contains(lines, l => l.Contains("user.erased"));
        Assert.Contains(lines, l => l.Contains("user.created"));
    }

    [Fact]
    public async Task An_administrator_of_one_department_manages_its_people_but_cannot_grant_roles_or_see_others()
    {
        var admin = platform.Gateway;
        Task<Guid> UnitAsync(string name) => OrgUnits.CreateAsync(admin, name);
        var mine = await UnitAsync("Scoped " + Guid.NewGuid().ToString("N")[..6]);
        var other = await UnitAsync("Other " + Guid.NewGuid().ToString("N")[..6]);
        var (scopedId, _, tokens) = await People.CreateSignedInAsync(platform.App, admin, "deptadmin", mine, ["Administrator"]);
        using var scoped = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);

        using var inMine = await scoped.PostAsJsonAsync("/api/identity/users", new { email = $"in.{Guid.NewGuid():N}@example.org", givenName = "In", familyName = "Mine", orgUnitId = mine });
        Assert.Equal(HttpStatusCode.Created, inMine.StatusCode);
        using var inOther = await scoped.PostAsJsonAsync("/api/identity/users", new { email = $"out.{Guid.NewGuid():N}@example.org", givenName = "In", familyName = "Other", orgUnitId = other });
        Assert.Equal(HttpStatusCode.Forbidden, inOther.StatusCode);
        var seen = await scoped.GetFromJsonAsync<JsonElement>("/api/identity/users?pageSize=200");
        Assert.All(seen.GetProperty("items").EnumerateArray(), u => Assert.Equal(mine, u.GetProperty("orgUnitId").GetGuid()));

        // Every user read is scoped, the data-quality checks and reporting lines included: someone outside is not there.
        using var outsider = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"outsider.{Guid.NewGuid():N}@example.org", givenName = "Out", familyName = "Sider", orgUnitId = other });
        var outsiderId = (await outsider.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/identity/users/{outsiderId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scoped.GetAsync($"/api/identity/users/{outsiderId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scoped.GetAsync($"/api/identity/users/{outsiderId}/reports")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await scoped.PostAsync($"/api/identity/users/{outsiderId}/deactivate", null)).StatusCode);
        var unassigned = await scoped.GetFromJsonAsync<JsonElement>("/api/identity/checks/unassigned?missing=manager&pageSize=200");
        Assert.NotEqual(0, unassigned.GetProperty("items").GetArrayLength()); // the people created in mine have no manager
        Assert.All(unassigned.GetProperty("items").EnumerateArray(), u => Assert.Equal(mine, u.GetProperty("orgUnitId").GetGuid()));
        var duplicates = await scoped.GetFromJsonAsync<JsonElement>("/api/identity/checks/duplicates");
        Assert.All(duplicates.EnumerateArray().SelectMany(d => d.GetProperty("users").EnumerateArray()), u => Assert.Equal(mine, u.GetProperty("orgUnitId").GetGuid()));

        using var escalate = await scoped.PostAsJsonAsync("/api/identity/role-assignments", new { userId = scopedId, role = "Administrator" });
        Assert.Equal(HttpStatusCode.Forbidden, escalate.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync("/api/identity/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync("/api/identity/clients")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await scoped.GetAsync("/api/identity/imports")).StatusCode);

        // The token carries only what the subtree confines (so the portal's menu offers no page that would refuse):
        // people, the tree to read, roles to read, the catalogue; not imports, the audit log, clients or granting roles.
        var me = await scoped.GetFromJsonAsync<JsonElement>("/api/identity/me");
        var permissions = me.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).Order().ToList();
        Assert.Equal(Roles.PermissionsOf(Roles.Learner).Concat(Roles.ScopedPermissionsOf(Roles.Administrator)).Distinct().Order().ToList(), permissions);
        Assert.Contains(Permissions.UsersWrite, permissions);
        Assert.DoesNotContain(Permissions.ImportsRun, permissions);
        Assert.DoesNotContain(Permissions.RolesAssign, permissions);

        // Roles are read for the people in the subtree only.
        var insiderId = (await inMine.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        foreach (var person in new[] { insiderId, outsiderId })
            using (var granted = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = person, role = "Instructor" }))
                Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        Assert.NotEmpty((await admin.GetFromJsonAsync<JsonElement>($"/api/identity/role-assignments?userId={outsiderId}")).GetProperty("items").EnumerateArray());
        Assert.Empty((await scoped.GetFromJsonAsync<JsonElement>($"/api/identity/role-assignments?userId={outsiderId}")).GetProperty("items").EnumerateArray());
        Assert.Contains((await scoped.GetFromJsonAsync<JsonElement>($"/api/identity/role-assignments?userId={insiderId}")).GetProperty("items").EnumerateArray(),
            r => r.GetProperty("role").GetString() == "Instructor");
    }
}
