using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A training manager's package screens: a malformed package refused with its report, a good one imported and
/// previewed in the player (nothing recorded), and a learner's attempts on their learning record.
/// </summary>
public class PackageScreenTests(PlatformFixture platform) : BrowserTests(platform)
{
    [Fact]
    public async Task A_package_is_refused_with_its_report_imported_previewed_and_its_attempts_shown_on_the_learning_record()
    {
        var samples = Path.Combine(AppContext.BaseDirectory, "Samples", "scorm");
        var title = "Etiquette " + Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "packages", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/manage/packages");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("SCORM packages");
            var upload = page.GetByRole(AriaRole.Button, new() { Name = "Upload" });
            await Assertions.Expect(upload).ToBeEnabledAsync();

            await page.GetByLabel("Package zip").SetInputFilesAsync(Path.Combine(samples, "MissingLaunchUrl_SCORM12.zip"));
            await upload.ClickAsync();
            var report = page.GetByRole(AriaRole.Region, new() { Name = "Problems found in the package" });
            await Assertions.Expect(report).ToContainTextAsync("launch");
            await AssertAccessibleAsync(page, "packages-refused");

            await page.GetByLabel("Title (optional)").FillAsync(title);
            await page.GetByLabel("Package zip").SetInputFilesAsync(Path.Combine(samples, "RuntimeBasicCalls_SCORM12.zip"));
            await upload.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "was imported" })).ToContainTextAsync($"{title} was imported: SCORM 1.2");
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = title })).ToContainTextAsync("SCORM 1.2");
            await AssertAccessibleAsync(page, "packages");

            await page.GetByRole(AriaRole.Link, new() { Name = "Preview it" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Preview: {title}");
            await page.FrameLocator("#sco-frame").Locator("#butNext").ClickAsync();
            await Assertions.Expect(page.FrameLocator("#sco-frame").Locator("#contentFrame")).ToHaveAttributeAsync("src", "../Playing/Par.html");
            await AssertAccessibleAsync(page, "package-preview", "#sco-frame");
        });
    }
}
