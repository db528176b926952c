using System.Text;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>An administrator imports HR data in the browser: upload, the dry run's tables, the error report, apply with progress, the safety threshold.</summary>
public class ImportScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_uploads_a_file_reads_the_dry_run_downloads_the_errors_applies_it_and_must_confirm_mass_deactivation()
    {
        var t = "imp" + Guid.NewGuid().ToString("N")[..6];
        var csv = $"""
            Employee Number,Email,First Name,Last Name,Job Title
            {t}-1,one.{t}@example.org,Ada,One,Director
            {t}-2,two.{t}@example.org,Bo,Two,Analyst
            {t}-3,not-an-email,Cy,Three,Analyst
            {t}-4,four.{t}@example.org,Di,Four,Analyst
            """;
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "imports", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/imports");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Imports");
            await AssertAccessibleAsync(page, "imports-1280");

            // Keyboard only: Tab to the file field (the file itself comes from the system's chooser), on to the button.
            await Assertions.Expect(page.GetByLabel("CSV file")).ToBeEnabledAsync();
            await TabToAsync(page, page.GetByLabel("CSV file"), most: 40);
            await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = $"{t}.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Upload and plan" }));
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{t}.csv");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Planned: nothing has changed yet");
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "New 3" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Rows with errors (skipped) 1" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "New" }).GetByRole(AriaRole.Rowheader, new() { Name = $"{t}-4" })).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "import-planned-1280");

            var download = await page.RunAndWaitForDownloadAsync(() => TabAndPressAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Download the error report" }), most: 60));
            var report = await File.ReadAllTextAsync((await download.PathAsync())!);
            Assert.StartsWith("row,column,reason", report);
            Assert.Contains("3,email,is not a valid email address", report);

            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Apply the import" }), most: 60);
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Applied", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What the import changed" })).ToBeVisibleAsync();
        });
        Assert.Equal(3, await Platform.CountAsync(LmsPlatform.Contracts.ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"ExternalId\" LIKE '{t}-%'"));

        // A full extract with one person in it would deactivate the others: above the safety threshold, the screen asks
        // for an explicit confirmation before the button works. (Not given: the others belong to other tests.)
        await JourneyAsync(page, "import-threshold", async () =>
        {
            await page.GotoAsync("/admin/imports");
            // The file field works once the screen is interactive (a file chosen before would be lost).
            await Assertions.Expect(page.GetByLabel("CSV file")).ToBeEnabledAsync();
            await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload
            {
                Name = $"{t}-full.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes($"Employee Number,Email,First Name,Last Name\n{t}-1,one.{t}@example.org,Ada,One\n"),
            });
            await page.GetByLabel("Deactivate those missing from the file").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and plan" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Planned", new() { Timeout = 30_000 });
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply the import" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("safety threshold");
            var confirm = page.GetByLabel(new System.Text.RegularExpressions.Regex("I have checked the .* deactivations"));
            await Assertions.Expect(confirm).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Apply the import" })).ToBeDisabledAsync();
            await AssertAccessibleAsync(page, "import-threshold-1280");
        });
        Assert.Equal(3, await Platform.CountAsync(LmsPlatform.Contracts.ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"ExternalId\" LIKE '{t}-%' AND \"Status\" = 'Active'"));
    }

    [Fact]
    public async Task An_administrator_watches_the_progress_bar_move_while_a_large_file_is_applied()
    {
        // Ten thousand new people: applied in batches (2,000 by default) over a few seconds, while the screen polls
        // every second. The test samples the bar much faster than that and must see it between empty and full.
        const int rows = 10_000;
        var t = "big" + Guid.NewGuid().ToString("N")[..6];
        var csv = new StringBuilder("Employee Number,Email,First Name,Last Name\n");
        for (var i = 0; i < rows; i++) csv.Append($"{t}-{i},p{i}.{t}@example.org,P{i},{t}\n");
        var page = await Browser.NewPageAsync();
        var samples = new List<(double Value, double Max)>();
        await JourneyAsync(page, "import-progress", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/imports");
            await Assertions.Expect(page.GetByLabel("CSV file")).ToBeEnabledAsync();
            await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = $"{t}.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and plan" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Planned", new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = $"New {rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}" })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Apply the import" }).ClickAsync();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            var photographed = false;
            while (DateTime.UtcNow < deadline)
            {
                var bar = await page.EvaluateAsync<double[]?>("(() => { const p = document.querySelector('progress'); return p ? [p.value, p.max] : null; })()");
                if (bar is [var value, var max])
                {
                    samples.Add((value, max));
                    if (!photographed && value > 0 && value < max)
                    {
                        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("import-applying-1280"), FullPage = true });
                        photographed = true;
                    }
                }
                if ((await page.GetByRole(AriaRole.Status).InnerTextAsync()).StartsWith("Applied", StringComparison.Ordinal)) break;
                await Task.Delay(100);
            }
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Applied");
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = $"New {rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}" })).ToBeVisibleAsync();
        });
        // The bar moved: it stood somewhere between empty and full, and never went back.
        Assert.Contains(samples, s => s.Value > 0 && s.Value < s.Max);
        Assert.All(samples, s => Assert.Equal(rows, s.Max));
        Assert.Equal(samples.Select(s => s.Value).Order(), samples.Select(s => s.Value));
        Assert.Equal(rows, await Platform.CountAsync(LmsPlatform.Contracts.ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"ExternalId\" LIKE '{t}-%'"));
    }
}
