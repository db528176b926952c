using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LmsPlatform.Contracts.Security;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// The completion and compliance report in the browser: the figures with their definitions, a chart with its table
/// beside it, the people behind the overdue number, filters kept in the address; a manager sees their people only.
/// </summary>
public class ReportScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_reads_the_report_for_a_department_and_a_manager_sees_only_their_people()
    {
        var tag = "Kite" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var unit = await Identity.OrgUnits.CreateAsync(admin, $"{tag} Logistics");
        var (bossId, bossEmail, bossPassword) = await Identity.People.CreateWithPasswordAsync(Platform.App, admin, $"{tag}boss", null, [Roles.Manager], unit);
        async Task<Guid> PersonAsync(string name, string hireDate, Guid? managerId)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users",
                new { email = $"{name}.{Guid.NewGuid():N}@example.org", givenName = name, familyName = tag, managerId, hireDate, orgUnitId = unit });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var longAgo = DateTime.UtcNow.AddDays(-90).ToString("yyyy-MM-dd");
        var ada = await PersonAsync("Ada", longAgo, bossId);
        var ben = await PersonAsync("Ben", longAgo, bossId);
        var cy = await PersonAsync("Cy", longAgo, null); // not the manager's
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} manual handling", d =>
            d["compliance"] = new { dueWithinDays = 30, dueFrom = "hire" });
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { ada, ben, cy }, courseId = course }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var adas = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={ada}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        using (var done = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{adas}/complete", new { reason = "attended" }))
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        // An audience to report on (a draft: the picker offers every audience by name).
        using (var audience = await admin.PostAsJsonAsync("/api/enrolment/audiences",
                   new { name = $"{tag} drivers", rule = new { type = "orgUnit", orgUnitId = unit }, leavePolicy = "Keep" }))
            Assert.True(audience.StatusCode == HttpStatusCode.Created, await audience.Content.ReadAsStringAsync());
        // Analytics has it all once the report for the unit counts Ada's completion.
        await Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={unit}"))
            .GetProperty("total").GetProperty("completed").GetInt64(), n => n == 1, TimeSpan.FromSeconds(60), "the report counting the completion");

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"report-{width}", async () =>
            {
                await Browser.SignInAsAdminAsync(page, "/reports/compliance");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Completion and compliance");
                await Assertions.Expect(page.GetByLabel("Audience (its members on the date)").Locator("option", new() { HasTextString = $"{tag} drivers" })).ToHaveCountAsync(1);
                await page.GetByLabel("Org unit (and the units under it)").SelectOptionAsync(new SelectOptionValue { Label = $"{tag} Logistics" });
                await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
                await page.WaitForURLAsync(url => url.Contains($"orgUnit={unit}", StringComparison.Ordinal));
                // Now is the current figures, and the page says when they were taken.
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync(
                    new Regex(@"^As of now \(the current figures, taken at \d\d:\d\d:\d\d UTC\): 3 assignments, 3 people with required training\.$"));
                // Each figure with what it counts.
                var overdueTile = page.Locator(".tiles > div").Filter(new() { Has = page.Locator("dt", new() { HasTextString = "Overdue" }) });
                await Assertions.Expect(overdueTile.Locator(".figure")).ToHaveTextAsync("2");
                await Assertions.Expect(overdueTile).ToContainTextAsync("with a due date before it");
                // The chart is described by the table beside it; the table has the figures.
                await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Assignments by course: completed, open, overdue and paused" })).ToBeVisibleAsync();
                var row = page.GetByRole(AriaRole.Region, new() { Name = "Figures by course" }).GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} manual handling" });
                await Assertions.Expect(row.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["3", "2", "0", "1", "0", "2", "33.3%", "33.3%"]);
                // The people behind the overdue number.
                var overdue = page.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" }).GetByRole(AriaRole.Row);
                await Assertions.Expect(overdue).ToHaveCountAsync(3);
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" })).ToContainTextAsync($"Ben {tag}");
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" })).ToContainTextAsync($"Cy {tag}");
                await AssertAccessibleAsync(page, $"report-{width}");
                // The interactions once, at the wide width; the narrow one checks each page reflows and stays accessible.
                if (width == Narrow) { await NarrowPagesAsync(page, unit, ben); return; }
                // The people behind the number as a file, with the page's filters.
                var download = await page.RunAndWaitForDownloadAsync(() =>
                    page.GetByRole(AriaRole.Link, new() { Name = "Download every overdue assignment as CSV" }).ClickAsync());
                var lines = (await File.ReadAllLinesAsync(await download.PathAsync())).Where(l => l.Length > 0).ToList();
                Assert.Equal(3, lines.Count);
                Assert.Contains(lines, l => l.Contains($"Ben {tag}"));

                // The same list prepared in the background: the exports page follows it to its file.
                await page.GetByRole(AriaRole.Link, new() { Name = "every overdue assignment as CSV", Exact = true }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Prepared exports");
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Prepare" })).ToContainTextAsync($"Every overdue assignment as of now, {tag} Logistics, as a CSV file.");
                await page.GetByRole(AriaRole.Button, new() { Name = "Prepare the file" }).ClickAsync();
                var preparedLink = page.GetByRole(AriaRole.Link, new() { Name = $"Download Every overdue assignment as of now, {tag} Logistics (CSV)" });
                await Assertions.Expect(preparedLink).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Every export is finished.");
                await AssertAccessibleAsync(page, $"exports-{width}");
                var prepared = await page.RunAndWaitForDownloadAsync(() => preparedLink.ClickAsync());
                Assert.Equal(3, (await File.ReadAllLinesAsync(await prepared.PathAsync())).Count(l => l.Length > 0));
                await page.GotoAsync($"/reports/compliance?orgUnit={unit}");

                // By org unit, the filter kept in the address.
                await page.GetByLabel("Rows").SelectOptionAsync("orgUnit");
                await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
                await page.WaitForURLAsync(url => url.Contains("groupBy=orgUnit", StringComparison.Ordinal) && url.Contains($"orgUnit={unit}", StringComparison.Ordinal));
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Figures by org unit" })).ToContainTextAsync($"{tag} Logistics");

                // Learning over time for the same unit: its three assignments and Ada's completion, per week, chart and table.
                await page.GotoAsync("/reports/trend");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Learning over time");
                await page.GetByLabel("Org unit (and the units under it)").SelectOptionAsync(new SelectOptionValue { Label = $"{tag} Logistics" });
                await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
                await page.WaitForURLAsync(url => url.Contains($"orgUnit={unit}", StringComparison.Ordinal));
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("per week: 1 completion, 3 new assignments.");
                await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "New assignments, completions and active learners per week" })).ToBeVisibleAsync();
                var totals = page.GetByRole(AriaRole.Region, new() { Name = "Learning per period" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "Total" });
                await Assertions.Expect(totals.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["3", "1", "—"]);
                await AssertAccessibleAsync(page, $"trend-{width}");

                // Course usage for the unit: the course's three assignments, Ada's start and completion (the same day), charts and table.
                await page.GotoAsync($"/reports/usage?orgUnit={unit}");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Course usage");
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("As of now: 1 course with assignments, 3 assignments, 1 completion.");
                await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Completions per course by the days they took" })).ToBeVisibleAsync();
                var usage = page.GetByRole(AriaRole.Region, new() { Name = "Course usage figures" }).GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} manual handling" });
                await Assertions.Expect(usage.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["3", "1", "1", "33.3%", "0 days", "1", "1", "1"]);
                await AssertAccessibleAsync(page, $"usage-{width}");

                // The dashboard for the unit, the filter in the address: the report's figures, a chart beside each table,
                // and a row of the overdue breakdown leads to that unit's overdue people.
                await page.GotoAsync($"/reports/dashboard?orgUnit={unit}");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Dashboard");
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{tag} Logistics, as of now: 3 assignments, 3 people with required training.");
                var overdueFigure = page.Locator(".tiles > div").Filter(new() { Has = page.Locator("dt", new() { HasTextString = "Overdue" }) });
                await Assertions.Expect(overdueFigure.Locator(".figure")).ToHaveTextAsync("2");
                await overdueFigure.GetByText("What it counts").ClickAsync();
                await Assertions.Expect(overdueFigure).ToContainTextAsync("with a due date before it");
                await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Overdue assignments of the org units with the most" })).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^New assignments, completions and active learners per week, the last 12 weeks") }))
                    .ToBeVisibleAsync();
                var weekTotals = page.GetByRole(AriaRole.Region, new() { Name = "Learning per week" }).GetByRole(AriaRole.Row).Filter(new() { HasText = "Total" });
                await Assertions.Expect(weekTotals.GetByRole(AriaRole.Cell)).ToHaveTextAsync(["3", "1", "—"]);
                await AssertAccessibleAsync(page, $"dashboard-{width}");
                await page.GetByRole(AriaRole.Region, new() { Name = "Overdue by org unit" }).GetByRole(AriaRole.Link, new() { Name = $"{tag} Logistics" }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Completion and compliance");
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" }).GetByRole(AriaRole.Row)).ToHaveCountAsync(3);

                // Drill down: a name behind the overdue number opens that person's transcript.
                await page.GotoAsync($"/reports/compliance?orgUnit={unit}");
                await page.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" }).GetByRole(AriaRole.Link, new() { Name = $"Ben {tag}" }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Ben {tag}'s transcript");
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("As of now: 1 assignment, 1 overdue.");
                await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Assignments" }).GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} manual handling" }))
                    .ToContainTextAsync("Overdue");
                await AssertAccessibleAsync(page, $"transcript-{width}");
            });
        }

        var managerPage = await Browser.NewPageAsync();
        await JourneyAsync(managerPage, "report-manager", async () =>
        {
            await SignInAsync(managerPage, bossEmail, bossPassword, "/reports/compliance");
            await Assertions.Expect(Heading(managerPage)).ToHaveTextAsync("Completion and compliance");
            // No department picker for a manager: the report is their people.
            await Assertions.Expect(managerPage.GetByLabel("Org unit (and the units under it)")).ToHaveCountAsync(0);
            await Assertions.Expect(managerPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("As of now: 2 assignments, 2 people with required training.");
            await Assertions.Expect(managerPage.GetByRole(AriaRole.Region, new() { Name = "Overdue assignments" })).Not.ToContainTextAsync($"Cy {tag}");
            await AssertAccessibleAsync(managerPage, "report-manager");

            // The manager's dashboard is about their people: Ben is the one overdue (Cy is not theirs), and leads to his transcript.
            await managerPage.GotoAsync("/reports/dashboard");
            var active = managerPage.Locator(".tiles > div").Filter(new() { Has = managerPage.Locator("dt", new() { HasTextString = "Active learners" }) });
            await Assertions.Expect(active.Locator(".figure")).ToHaveTextAsync("1"); // Ada, who completed
            var byPerson = managerPage.GetByRole(AriaRole.Region, new() { Name = "Overdue by person" });
            await Assertions.Expect(byPerson.GetByRole(AriaRole.Row)).ToHaveCountAsync(2);
            await Assertions.Expect(byPerson).ToContainTextAsync($"Ben {tag}");
            await AssertAccessibleAsync(managerPage, "dashboard-manager");
            await byPerson.GetByRole(AriaRole.Link, new() { Name = $"Ben {tag}" }).ClickAsync();
            await Assertions.Expect(Heading(managerPage)).ToHaveTextAsync($"Ben {tag}'s transcript");

            // Nobody of theirs holds a certification expiring soon, and the page says so.
            await managerPage.GotoAsync("/reports/expiring?within=90");
            await Assertions.Expect(Heading(managerPage)).ToHaveTextAsync("Certifications expiring");
            await Assertions.Expect(managerPage.GetByRole(AriaRole.Status)).ToContainTextAsync("0 certifications expiring within 90 days of now.");
            await AssertAccessibleAsync(managerPage, "expiring-manager");

            // Prepared exports are the manager's own: none yet, and the page says so.
            await managerPage.GotoAsync("/reports/exports");
            await Assertions.Expect(Heading(managerPage)).ToHaveTextAsync("Prepared exports");
            await Assertions.Expect(managerPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("You have no prepared exports.");
            await AssertAccessibleAsync(managerPage, "exports-manager");
        });
    }

    /// <summary>Every report page for the unit at 360 px, as it first opens: its heading, then axe and a screenshot.</summary>
    private static async Task NarrowPagesAsync(IPage page, Guid unit, Guid person)
    {
        foreach (var (path, heading, name) in new[]
                 {
                     ($"/reports/dashboard?orgUnit={unit}", "Dashboard", "dashboard"), ($"/reports/trend?orgUnit={unit}", "Learning over time", "trend"),
                     ($"/reports/usage?orgUnit={unit}", "Course usage", "usage"), ($"/reports/expiring?orgUnit={unit}&within=90", "Certifications expiring", "expiring"),
                     ("/reports/notifications", "Notification delivery", "notifications"), ($"/reports/transcript/{person}", null, "transcript"),
                     ("/reports/provisioning", "Provisioning health", "provisioning"), ("/reports/exports", "Prepared exports", "exports-list"),
                 })
        {
            await page.GotoAsync(path);
            if (heading is not null) await Assertions.Expect(Heading(page)).ToHaveTextAsync(heading);
            await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, $"{name}-{Narrow}");
        }
    }

    [Fact]
    public async Task An_administrator_schedules_a_report_sends_it_now_and_a_bad_recipient_is_named()
    {
        var tag = "Weekly" + Guid.NewGuid().ToString("N")[..6];
        // An administrator granted while the platform runs: analytics learns the role from identity's event, as it does every grant after its first start.
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, $"{tag}admin", null, [Roles.Administrator]);
        var page = await Browser.NewPageAsync(Wide);
        await JourneyAsync(page, "schedules", async () =>
        {
            await SignInAsync(page, email, password);
            await page.GotoAsync("/reports/schedules");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Scheduled reports");
            await page.GetByLabel("Name").FillAsync($"{tag} compliance");
            await page.GetByLabel("How often").SelectOptionAsync("monthly");
            await page.GetByLabel("Recipients' emails (one a line)").FillAsync($"{email}\nnobody-{tag}@example.org");
            await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
            // The unknown recipient is named under the box; nothing is scheduled.
            await Assertions.Expect(page.Locator("#recipients-errors")).ToContainTextAsync($"nobody-{tag}@example.org");
            await AssertAccessibleAsync(page, "schedules-refused");

            await page.GetByLabel("Recipients' emails (one a line)").FillAsync(email);
            await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"{tag} compliance is scheduled: first sent 1 ");
            var row = page.GetByRole(AriaRole.Region, new() { Name = "Schedules" }).GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} compliance" });
            await Assertions.Expect(row).ToContainTextAsync("monthly");
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($@"^Send now\W+{tag} compliance$") }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{tag} compliance: Sent to 1 person.");
            await Assertions.Expect(row).ToContainTextAsync("Sent to 1 person.");
            await AssertAccessibleAsync(page, "schedules");
            await row.GetByRole(AriaRole.Button, new() { NameRegex = new Regex($@"^Stop\W+{tag} compliance$") }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{tag} compliance is stopped.");
            await Assertions.Expect(row).ToHaveCountAsync(0);

            // The notification delivery report: the emails' outcomes by type, a chart beside its table.
            await page.GotoAsync("/reports/notifications");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Notification delivery");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync(" with an outcome, ");
            await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Emails sent and failed per week" })).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "notification-delivery");

            // Provisioning health: the people records' gaps, and (covering everyone) the imports per week, a chart beside its table.
            await page.GetByRole(AriaRole.Link, new() { Name = "Provisioning health" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Provisioning health");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("active people covered");
            await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new Regex("^Rows the applied imports created") })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Imports per period" })).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "provisioning");
        });
    }
}
