using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>An administrator manages people in the browser: find, create, edit (with a conflict), deactivate, invite, erase.</summary>
public class UserScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_creates_a_person_sees_refusals_beside_the_field_and_finds_them_by_filter()
    {
        var tag = "Mara" + Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "user-create", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/users");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Users");
            await AssertAccessibleAsync(page, "users-1280");

            await page.GetByRole(AriaRole.Link, new() { Name = "New user" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("New user");
            await page.GetByLabel("Given name").FillAsync(tag);
            await page.GetByLabel("Family name").FillAsync("Okafor");
            await page.GetByLabel("Email").FillAsync("not an email");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();

            // The API's refusal is shown beside the field it names, and the field says it is invalid.
            var email = page.GetByLabel("Email");
            await Assertions.Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
            await Assertions.Expect(page.Locator("#email-error")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Check the highlighted fields");
            await AssertAccessibleAsync(page, "user-invalid-1280");

            await email.FillAsync($"{tag.ToLowerInvariant()}@example.org");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} Okafor");
            await Assertions.Expect(page.GetByText("not yet")).ToBeVisibleAsync();

            // The list finds them; the filters are in the address.
            await page.GotoAsync("/admin/users");
            await page.GetByLabel("Name, email, sign-in name or employee number").FillAsync(tag);
            await page.GetByLabel("Signed in").SelectOptionAsync("false");
            await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 person");
            Assert.Contains($"search={tag}", page.Url);
            Assert.Contains("signedIn=false", page.Url);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{tag} Okafor" })).ToBeVisibleAsync();
        });
    }

    [Fact]
    public async Task A_department_administrator_sees_only_their_subtree_and_only_the_pages_a_subtree_allows()
    {
        var tag = "Dept" + Guid.NewGuid().ToString("N")[..6];
        Task<Guid> UnitAsync(string name, Guid? parentId = null) => Identity.OrgUnits.CreateAsync(Platform.Gateway, name, parentId);
        var mine = await UnitAsync($"Lab {tag}");
        var below = await UnitAsync($"Bench {tag}", mine);
        var other = await UnitAsync($"Yard {tag}");
        await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, $"{tag}in", null, [], below);
        await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, $"{tag}out", null, [], other);
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, $"{tag}boss", mine, [LmsPlatform.Contracts.Security.Roles.Administrator], mine);

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "department-admin", async () =>
        {
            await SignInAsync(page, email, password, $"/admin/users?search={tag}");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Users");
            // The person in the unit below theirs is there; the one in another department is not.
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{tag}in Tester" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{tag}out Tester" })).ToHaveCountAsync(0);
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 people");
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "New user" })).ToBeVisibleAsync();

            // The menu offers what a subtree allows: people, the tree, roles, checks; not imports, the audit log or clients.
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
            foreach (var href in new[] { "admin/users", "admin/org-units", "admin/roles", "admin/checks" })
                await Assertions.Expect(menu.Locator($"a[href='{href}']")).ToHaveCountAsync(1);
            foreach (var href in new[] { "admin/imports", "admin/audit", "admin/clients", "manage/categories" })
                await Assertions.Expect(menu.Locator($"a[href='{href}']")).ToHaveCountAsync(0);
            await AssertAccessibleAsync(page, "department-admin-users-1280");

            // The tree is theirs to read, not to reshape; an organisation-wide page says what is missing.
            await page.GotoAsync("/admin/org-units");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Organisation");
            await Assertions.Expect(page.GetByText($"Lab {tag}").First).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByLabel("New top-level unit")).ToHaveCountAsync(0);
            await page.GotoAsync("/admin/imports");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("You cannot open this page");
        });
    }

    [Fact]
    public async Task Two_administrators_edit_the_same_person_and_the_second_is_told_to_reload_instead_of_overwriting()
    {
        var (id, _, _) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "conflict", null, []);
        var first = await Browser.NewPageAsync();
        var second = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(second, "user-conflict", async () =>
        {
            await Browser.SignInAsAdminAsync(first, $"/admin/users/{id}");
            await Browser.SignInAsAdminAsync(second, $"/admin/users/{id}");
            await Assertions.Expect(first.GetByLabel("Job title")).ToBeEditableAsync();
            await Assertions.Expect(second.GetByLabel("Job title")).ToBeEditableAsync();

            await first.GetByLabel("Job title").FillAsync("Engineer");
            await first.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            await Assertions.Expect(first.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");

            await second.GetByLabel("Location").FillAsync("Lagos");
            await second.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            var alert = second.GetByRole(AriaRole.Alert);
            await Assertions.Expect(alert).ToContainTextAsync("Someone else changed this first");
            await AssertAccessibleAsync(second, "user-conflict-360");

            // Nothing of the second edit was written; reloading shows the first one's change.
            var user = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}");
            Assert.Equal("Engineer", user.GetProperty("jobTitle").GetString());
            Assert.Equal(JsonValueKind.Null, user.GetProperty("location").ValueKind);
            await alert.GetByRole(AriaRole.Button, new() { Name = "Load the latest version" }).ClickAsync();
            await Assertions.Expect(second.GetByLabel("Job title")).ToHaveValueAsync("Engineer");
        });
    }

    [Fact]
    public async Task An_administrator_invites_deactivates_reactivates_and_erases_a_person_with_a_typed_confirmation()
    {
        var (id, email, _) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "Lifecycle", null, []);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "user-lifecycle", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/admin/users/{id}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Invitation sent to {email}");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send a new invitation" })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Deactivated");
            await page.GetByRole(AriaRole.Button, new() { Name = "Reactivate" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Reactivated");

            await page.GetByRole(AriaRole.Button, new() { Name = "Erase personal data…" }).ClickAsync();
            var erase = page.GetByRole(AriaRole.Button, new() { Name = "Erase", Exact = true });
            await Assertions.Expect(erase).ToBeDisabledAsync();
            await page.GetByLabel("Name of the person to erase").FillAsync("Lifecycle Tester");
            await AssertAccessibleAsync(page, "user-erase-1280");
            await erase.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("erased");
        });
        var user = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/users/{id}");
        Assert.NotEqual(email, user.GetProperty("email").GetString());
    }
}
