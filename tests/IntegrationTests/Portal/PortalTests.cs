using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using LmsPlatform.AppHost;
using Microsoft.Playwright;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>The portal in a real browser (Debian's chromium, driven by Playwright): sign-in, the home page, accessibility.</summary>
public class PortalTests(PlatformFixture platform)
{
    private static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    [Fact]
    public async Task A_person_signs_in_from_the_front_door_and_lands_on_an_accessible_home_page()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = platform.App.GatewayUrl.ToString(), ViewportSize = new() { Width = 360, Height = 740 } });

        try
        {
            await SignInAndOutAsync(page);
        }
        catch
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("failed-sign-in"), FullPage = true });
            throw;
        }
    }

    /// <summary>Where a browser test keeps its screenshots: artifacts/screenshots (git-ignored), for a person to look at.</summary>
    private static string Screenshot(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.GetFullPath(Path.Combine(folder, $"{name}.png"));
    }

    private async Task SignInAndOutAsync(IPage page)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(LmsTopology.AdminEmail);
        await page.GetByLabel("Password").FillAsync(Identity.Oidc.AdminPassword(platform.App));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        var heading = page.GetByRole(AriaRole.Heading, new() { Level = 1 });
        await Assertions.Expect(heading).ToHaveTextAsync("Welcome, First");
        Assert.Equal(platform.App.GatewayUrl.ToString().TrimEnd('/') + "/", page.Url);

        var axe = await page.RunAxe(new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagTags] } });
        Assert.True(axe.Violations.Length == 0, string.Join("\n", axe.Violations.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}")));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("home-360"), FullPage = true });

        // Signing out ends the portal's session: the home page asks for a sign-in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sign in");
    }
}
