using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A training manager's content screen: a malformed package refused with its report, a good one imported and
/// previewed in the player (nothing recorded), an executable refused and an audio uploaded.
/// </summary>
public class PackageScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_package_is_refused_with_its_report_imported_and_previewed_and_a_file_is_checked_and_uploaded()
    {
        var samples = Path.Combine(AppContext.BaseDirectory, "Samples", "scorm");
        var title = "Etiquette " + Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "packages", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/manage/content");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Learning content");
            var upload = page.GetByRole(AriaRole.Button, new() { Name = "Upload" });
            await Assertions.Expect(upload).ToBeEnabledAsync();

            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(Path.Combine(samples, "MissingLaunchUrl_SCORM12.zip"));
            await upload.ClickAsync();
            var report = page.GetByRole(AriaRole.Region, new() { Name = "Problems found in the package" });
            await Assertions.Expect(report).ToContainTextAsync("launch");
            await AssertAccessibleAsync(page, "packages-refused");

            await page.GetByLabel("Title (optional)").FillAsync(title);
            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(Path.Combine(samples, "RuntimeBasicCalls_SCORM12.zip"));
            await upload.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "was imported" })).ToContainTextAsync($"{title} was imported: SCORM 1.2");
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = title })).ToContainTextAsync("SCORM 1.2");
            await AssertAccessibleAsync(page, "packages");

            // A video or document goes the same way; an executable is refused for what it is.
            var exe = Path.Combine(Path.GetTempPath(), $"setup-{Guid.NewGuid():N}.exe");
            await File.WriteAllBytesAsync(exe, [0x4D, 0x5A, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF, 0, 0]);
            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(exe);
            await upload.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not a kind of file learners can open here");
            var wav = Path.Combine(Path.GetTempPath(), $"talk-{Guid.NewGuid():N}.wav");
            await File.WriteAllBytesAsync(wav, Content.Media.Wav(1));
            await page.GetByLabel("Title (optional)").FillAsync($"{title} talk");
            await page.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(wav);
            await upload.ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "was uploaded" })).ToContainTextAsync("audio/wav");
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Uploaded files" }).Last).ToContainTextAsync($"{title} talk");

            await page.GetByRole(AriaRole.Link, new() { Name = $"{title} (preview)" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Preview: {title}");
            await page.FrameLocator("#sco-frame").Locator("#butNext").ClickAsync();
            await Assertions.Expect(page.FrameLocator("#sco-frame").Locator("#contentFrame")).ToHaveAttributeAsync("src", "../Playing/Par.html");
            await AssertAccessibleAsync(page, "package-preview", "#sco-frame");
        });
    }
}
