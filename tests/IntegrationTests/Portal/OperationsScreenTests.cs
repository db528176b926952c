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

    /// <summary>
    /// The reports rebuilt from the services' records, by an administrator who says they understand what it does, watching
    /// each source come in; the earlier rebuilds listed beneath.
    /// </summary>
    [Fact]
    public async Task An_administrator_rebuilds_the_reports_and_watches_each_source_come_in()
    {
        // One rebuild at a time: one another test started is waited out. Those before are known, to tell the new one.
        var earlier = await Eventually.ReachesAsync(() => Platform.Gateway.GetFromJsonAsync<JsonElement>("/api/analytics/operations/rebuilds"),
            r => r.EnumerateArray().All(x => x.GetProperty("completedAt").ValueKind != JsonValueKind.Null || x.GetProperty("abandonedAt").ValueKind != JsonValueKind.Null),
            TimeSpan.FromMinutes(2), "no rebuild running");
        var before = earlier.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToList();
        var page = await Browser.NewPageAsync(Wide);
        await JourneyAsync(page, "rebuild-wide", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/admin/operations");
            await page.GetByRole(AriaRole.Link, new() { Name = "rebuild the reports" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Rebuild the reports");
            var start = page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the reports" });
            await Assertions.Expect(start).ToBeDisabledAsync(); // until the administrator says they understand
            // The confirmation works once the screen is interactive (one given before would be lost).
            var understood = page.GetByLabel("I understand the reports are incomplete until it finishes");
            await Assertions.Expect(understood).ToBeEnabledAsync();
            await understood.CheckAsync();
            await start.ClickAsync();
            // A new rebuild, started by the click (not one another test left complete).
            var started = await Eventually.ReachesAsync(() => Platform.Gateway.GetFromJsonAsync<JsonElement>("/api/analytics/operations/rebuilds"),
                r => r.GetArrayLength() > 0 && !before.Contains(r[0].GetProperty("id").GetGuid()), TimeSpan.FromSeconds(30), "the rebuild the click started");
            Assert.Equal("Admin Tester", started[0].GetProperty("requestedBy").GetString());
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
            var state = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "sources in" });
            await Assertions.Expect(state).ToContainTextAsync("Complete: 11 of 11 sources in", new() { Timeout = 120_000 });
            // The ones before it are listed beneath, the latest ten in all.
            if (before.Count > 0)
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Earlier rebuilds" }).GetByRole(AriaRole.Row))
                    .ToHaveCountAsync(Math.Min(before.Count, 9) + 1);
            var sources = page.GetByRole(AriaRole.Region, new() { Name = "Sources" });
            await Assertions.Expect(sources.GetByRole(AriaRole.Row)).ToHaveCountAsync(12);
            await Assertions.Expect(sources.GetByRole(AriaRole.Row).Filter(new() { HasText = "Email outcomes" })).ToContainTextAsync("notification");
            await Assertions.Expect(sources.GetByRole(AriaRole.Row).Filter(new() { HasText = "Enrolment ledger" })).ToContainTextAsync("In");
            await Assertions.Expect(sources.GetByText("In", new() { Exact = true })).ToHaveCountAsync(11);
            // Another can start now; the one just finished is in the status line, and none is running.
            await Assertions.Expect(start).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Give this rebuild up" })).ToHaveCountAsync(0);
            await AssertAccessibleAsync(page, "rebuild-wide");
        });
        var narrow = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(narrow, "rebuild-narrow", async () =>
        {
            await Browser.SignInAsAdminAsync(narrow, "/admin/operations/rebuild");
            await Assertions.Expect(narrow.GetByRole(AriaRole.Status).Filter(new() { HasText = "sources in" })).ToContainTextAsync("Complete: 11 of 11 sources in");
            await AssertAccessibleAsync(narrow, "rebuild-narrow");
        });
    }
}
