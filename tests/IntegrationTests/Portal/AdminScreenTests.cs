using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts.Security;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>The administrator's other screens in the browser: roles, integration clients, the audit log with its CSV, the checks.</summary>
public class AdminScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_gives_a_person_a_role_for_a_department_and_takes_it_away()
    {
        var tag = "Roley" + Guid.NewGuid().ToString("N")[..6];
        var unitId = await Identity.OrgUnits.CreateAsync(Platform.Gateway, $"Dept {tag}");
        var (id, _, _) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, tag, null, []);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "roles", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/admin/roles?userId={id}");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Roles");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("0 assignments");
            await page.GetByLabel("Role to give").SelectOptionAsync(Roles.TrainingManager);
            await page.GetByLabel("For").SelectOptionAsync(new SelectOptionValue { Label = $"Dept {tag} and below" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Give role" }).ClickAsync();
            await Assertions.Expect(page.GetByText($"TrainingManager given to {tag} Tester")).ToBeVisibleAsync();
            var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} Tester" });
            await Assertions.Expect(row).ToContainTextAsync($"Dept {tag} and below");
            await AssertAccessibleAsync(page, "roles-1280");

            await row.GetByRole(AriaRole.Button, new() { Name = $"Remove TrainingManager from {tag} Tester" }).ClickAsync();
            await Assertions.Expect(page.GetByText($"TrainingManager removed from {tag} Tester.")).ToBeVisibleAsync();
        });
        var assignments = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/role-assignments?userId={id}");
        Assert.Equal(0, assignments.GetProperty("totalCount").GetInt32());
        _ = unitId;
    }

    [Fact]
    public async Task A_client_secret_is_shown_once_and_works_and_the_client_can_be_removed()
    {
        var clientId = "portal-test-" + Guid.NewGuid().ToString("N")[..8];
        var page = await Browser.NewPageAsync(Narrow);
        string secret = "";
        await JourneyAsync(page, "clients", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/clients");
            await page.GetByLabel("Client id").FillAsync(clientId);
            await page.GetByLabel("Name").FillAsync("A reporting tool");
            await page.GetByLabel("see people (users.read)").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Register client" }).ClickAsync();
            var secretBox = page.GetByLabel($"Secret of {clientId}");
            await Assertions.Expect(secretBox).ToBeVisibleAsync();
            secret = await secretBox.InputValueAsync();
            await AssertAccessibleAsync(page, "clients-360");

            // Once dismissed, the secret is nowhere on the page again.
            await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
            await Assertions.Expect(secretBox).ToHaveCountAsync(0);
            await page.ReloadAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = clientId })).ToBeVisibleAsync();
            Assert.DoesNotContain(secret, await page.ContentAsync());
        });
        using var gateway = Platform.App.CreateHttpClient(LmsPlatform.Contracts.ResourceNames.Gateway);
        var tokens = await Identity.Oidc.ClientCredentialsAsync(gateway, clientId, secret, "lms_api");
        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));

        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {clientId}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText($"{clientId} is removed.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_lrs_credential_is_created_with_its_scopes_shown_once_works_and_is_revoked()
    {
        var name = "Simulator " + Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync(Narrow);
        string key = "", secret = "";
        await JourneyAsync(page, "lrs-clients", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/lrs-clients");
            await page.GetByLabel("Name").FillAsync(name);
            await page.GetByLabel("read every statement").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Create credential" }).ClickAsync();
            var secretBox = page.GetByLabel(new System.Text.RegularExpressions.Regex("^Secret of lrs_"));
            await Assertions.Expect(secretBox).ToBeVisibleAsync();
            secret = await secretBox.InputValueAsync();
            key = (await page.Locator("label[for=lrs-secret]").InnerTextAsync())["Secret of ".Length..].Trim();
            await Assertions.Expect(page.GetByText("/xapi/", new() { Exact = false }).First).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "lrs-clients-360");
            await page.GetByRole(AriaRole.Button, new() { Name = "I have copied it" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = name })).ToContainTextAsync(key);
            Assert.DoesNotContain(secret, await page.ContentAsync());
        });
        // The credential works with the scopes chosen: it stores and reads statements.
        using var lrs = Content.XapiTests.Lrs(Platform, key, secret, "1.0.3");
        using (var stored = await lrs.PostAsync("/xapi/statements", new StringContent(
            """{"actor":{"mbox":"mailto:sim@example.com"},"verb":{"id":"http://adlnet.gov/expapi/verbs/experienced"},"object":{"id":"https://sim.example/run"}}""",
            System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(System.Net.HttpStatusCode.OK, stored.StatusCode);
        using (var read = await lrs.GetAsync("/xapi/statements?limit=1")) Assert.Equal(System.Net.HttpStatusCode.OK, read.StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {key}" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText($"{key} is revoked.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = key })).ToContainTextAsync("Revoked");
    }

    [Fact]
    public async Task The_audit_log_filters_by_person_and_downloads_the_same_entries_as_CSV_and_the_checks_list_people_without_a_department()
    {
        var (id, email, _) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "Audity", null, []);
        using (var changed = await Platform.Gateway.PutAsJsonAsync($"/api/identity/users/{id}", new { email, givenName = "Audity", familyName = "Tester", jobTitle = "Auditor" }))
            Assert.True(changed.IsSuccessStatusCode);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "audit", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/audit");
            await page.GetByLabel("Id of the thing").FillAsync(id.ToString());
            await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
            // created, reset asked, reset, updated: four entries, and the CSV has the same ones.
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("4 entries");
            Assert.Contains($"entityId={id}", page.Url);
            await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "user.updated" })).ToBeVisibleAsync();
            const int shown = 4;
            await AssertAccessibleAsync(page, "audit-1280");

            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).ClickAsync());
            var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
            Assert.Equal(1 + shown, csv.Length);
            Assert.Contains(csv, line => line.Contains("user.updated") && line.Contains(id.ToString()));

            await page.GotoAsync("/admin/checks?check=unassigned&missing=orgUnit");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Checks");
            await AssertAccessibleAsync(page, "checks-1280");
            await page.GotoAsync("/admin/checks?check=duplicates");
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Possible duplicates" })).ToHaveAttributeAsync("aria-current", "page");
        });
    }
}
