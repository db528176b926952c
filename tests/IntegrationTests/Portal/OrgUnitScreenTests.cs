using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>An administrator shapes the organisation in the browser: add units, rename, move by picking a parent, deactivate.</summary>
public class OrgUnitScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_builds_a_branch_moves_it_and_is_told_why_a_unit_with_active_units_below_cannot_be_deactivated()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "org-units", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/org-units");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Organisation");

            await page.GetByLabel("New top-level unit").FillAsync($"North {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"North {tag} is added.");
            await page.GetByLabel("New top-level unit").FillAsync($"South {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"South {tag} is added.");

            // Select North and add Sales below it.
            await SelectAsync(page, $"North {tag}");
            await page.GetByLabel("Name of the new unit").FillAsync($"Sales {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Add below North {tag}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Sales {tag}" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText($"North {tag} › Sales {tag}")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "org-units-1280");

            // North cannot be deactivated while Sales is active below it: the API's reason, in words.
            await SelectAsync(page, $"North {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Deactivate North {tag}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("refused");

            // Move Sales under South by picking the parent, and rename it.
            await SelectAsync(page, $"Sales {tag}");
            await page.GetByLabel("Parent").SelectOptionAsync(new SelectOptionValue { Label = $"South {tag}" });
            await page.GetByLabel("Name", new() { Exact = true }).FillAsync($"Field sales {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Field sales {tag} is saved.");
            await Assertions.Expect(page.GetByText($"South {tag} › Field sales {tag}")).ToBeVisibleAsync();
        });

        var units = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/identity/org-units?search={tag}&pageSize=10");
        var byName = units.GetProperty("items").EnumerateArray().ToDictionary(u => u.GetProperty("name").GetString()!, u => u);
        Assert.Equal(byName[$"South {tag}"].GetProperty("id").GetGuid(), byName[$"Field sales {tag}"].GetProperty("parentId").GetGuid());
        Assert.True(byName[$"North {tag}"].GetProperty("active").GetBoolean());
    }

    /// <summary>Picks a unit in the tree and waits for its panel, as a person would before typing into it.</summary>
    private static async Task SelectAsync(IPage page, string name)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 2 })).ToBeVisibleAsync();
    }
}
