using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>The operations cockpit in the browser: the daily checks first, every service among them, then the monthly ones by their tab.</summary>
public class OperationsScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_reads_the_daily_checks_and_moves_to_the_monthly_ones()
    {
        await Eventually.ReachesAsync(() => Platform.Gateway.GetFromJsonAsync<JsonElement>("/api/analytics/operations/checks"),
            c => c.GetProperty("checks").EnumerateArray().Any(x => x.GetProperty("key").GetString() == "reports.reconciliation"),
            TimeSpan.FromSeconds(90), "analytics' own checks in the cockpit");
        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"operations-{width}", async () =>
            {
                await Browser.SignInAsAdminAsync(page, "/admin/operations");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Operations cockpit");
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(new Regex(@"this page read them at \d\d:\d\d:\d\d UTC"));
                // A row per service: sending its checks, its health, its error queues.
                var services = page.GetByRole(AriaRole.Region, new() { Name = "Services" });
                await Assertions.Expect(services.GetByRole(AriaRole.Row)).ToHaveCountAsync(7);
                var enrolment = services.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "enrolment", Exact = true }) });
                await Assertions.Expect(enrolment.GetByRole(AriaRole.Cell).First).ToHaveTextAsync("OK");
                // The service-specific daily checks beside them.
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Daily checks" })).ToContainTextAsync("Audience rules that did not run");
                await AssertAccessibleAsync(page, $"operations-{width}");

                await page.GetByRole(AriaRole.Navigation, new() { Name = "How often" }).GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Monthly") }).ClickAsync();
                await page.WaitForURLAsync(url => url.Contains("cadence=monthly", StringComparison.Ordinal));
                var reconciliation = page.GetByRole(AriaRole.Region, new() { Name = "Monthly checks" }).GetByRole(AriaRole.Row)
                    .Filter(new() { HasText = "Reports agree with the ledger" });
                await Assertions.Expect(reconciliation).ToContainTextAsync("OK");
                await Assertions.Expect(reconciliation).ToContainTextAsync("0 disagree");
                await AssertAccessibleAsync(page, $"operations-monthly-{width}");
            });
        }
    }
}
