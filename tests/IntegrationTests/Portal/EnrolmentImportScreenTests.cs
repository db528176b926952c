using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>A training manager enrols people from a CSV in the browser: upload, the dry run, the refused rows, apply, the outcome.</summary>
public class EnrolmentImportScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_plans_and_applies_a_bulk_enrolment_and_reads_the_refused_rows()
    {
        var t = "bulk" + Guid.NewGuid().ToString("N")[..6];
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{t} induction");
        var code = (await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{course}")).GetProperty("code").GetString()!;
        var person = await Users.CreateAsync(Platform.Gateway, t);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, person);
        var csv = $"userId,course,dueDate\n{person},{code},{DateTime.UtcNow.AddDays(30):yyyy-MM-dd}\n{person},NOPE-{t},\n";

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "enrolment-import", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/manage/enrolment-imports");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Enrolment imports");
            await Assertions.Expect(page.GetByLabel("CSV file")).ToBeEnabledAsync();
            await AssertAccessibleAsync(page, "enrolment-imports");
            await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = $"{t}.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload and plan" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{t}.csv");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Planned: nothing has changed yet");
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = "Enrol someone 1" })).ToBeVisibleAsync();
            var refused = page.GetByRole(AriaRole.Region, new() { Name = "Refused rows" }).GetByRole(AriaRole.Row);
            await Assertions.Expect(refused.Nth(1)).ToContainTextAsync($"no such course: NOPE-{t}");
            await AssertAccessibleAsync(page, "enrolment-import-planned");

            await page.GetByRole(AriaRole.Button, new() { Name = "Apply the import" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Applied", new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "What the import did" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByText("1 enrolled, 0 completions recorded, 0 unchanged, 1 rows refused.")).ToBeVisibleAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the refused rows" }).ClickAsync());
            Assert.StartsWith("row,column,reason", await File.ReadAllTextAsync((await download.PathAsync())!));
            await AssertAccessibleAsync(page, "enrolment-import-applied");
        });
        Assert.Equal(1, (await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={person}&courseId={course}")).GetProperty("totalCount").GetInt32());
    }
}
