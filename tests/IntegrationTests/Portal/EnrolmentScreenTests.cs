using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>An administrator reads a course's enrolments (filtered by status in the address) and a person's ledger.</summary>
public class EnrolmentScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_filters_a_courses_enrolments_and_reads_a_persons_history_with_who_and_why()
    {
        var tag = "Avocet" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var (ann, bob) = (await Users.CreateAsync(admin, $"{tag}ann"), await Users.CreateAsync(admin, $"{tag}bob"));
        foreach (var person in new[] { ann, bob })
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, person);
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} course");
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { ann, bob }, courseId, note = "induction week" }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var annEnrolment = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={ann}&courseId={courseId}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        using (var completed = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{annEnrolment}/complete", new { reason = "attended the induction" }))
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "course-enrolments", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/manage/courses/{courseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = "Enrolments", Exact = true }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Enrolments: {tag} course");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 enrolments");
            await AssertAccessibleAsync(page, "course-enrolments-1280");

            await page.GetByRole(AriaRole.Link, new() { Name = "Completed", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 enrolment");
            Assert.Contains("status=completed", page.Url);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Completed", Exact = true })).ToHaveAttributeAsync("aria-current", "page");

            await page.GetByRole(AriaRole.Link, new() { Name = $"Test {tag}ann" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Test {tag}ann on {tag} course");
            var history = page.GetByRole(AriaRole.Region, new() { Name = "History" }).GetByRole(AriaRole.Row);
            await Assertions.Expect(history).ToHaveCountAsync(3);
            await Assertions.Expect(history.Nth(1)).ToContainTextAsync("induction week");
            await Assertions.Expect(history.Nth(2)).ToContainTextAsync("attended the induction");
            await AssertAccessibleAsync(page, "enrolment-ledger-1280");
        });

        // Bob's record: an extension, then a completion recorded by hand; each says why, and the refusal is beside its field.
        await JourneyAsync(page, "enrolment-changes", async () =>
        {
            await page.GotoAsync($"/manage/courses/{courseId}/enrolments?status=enrolled");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Test {tag}bob" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Test {tag}bob on {tag} course");

            await page.GetByLabel("New due date").FillAsync(DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd"));
            await page.GetByRole(AriaRole.Button, new() { Name = "Change the due date" }).ClickAsync();
            await Assertions.Expect(page.Locator("#dueReason")).ToHaveAttributeAsync("aria-invalid", "true");
            await page.Locator("#dueReason").FillAsync("on leave in March");
            await page.GetByRole(AriaRole.Button, new() { Name = "Change the due date" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The due date is changed.");

            await page.GetByRole(AriaRole.Button, new() { Name = "Record the completion" }).ClickAsync();
            await Assertions.Expect(page.Locator("#reason")).ToHaveAttributeAsync("aria-invalid", "true");
            await AssertAccessibleAsync(page, "enrolment-complete-invalid-1280");
            await page.Locator("#reason").FillAsync("attended the make-up session");
            await page.GetByRole(AriaRole.Button, new() { Name = "Record the completion" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The completion is recorded.");
            var history = page.GetByRole(AriaRole.Region, new() { Name = "History" }).GetByRole(AriaRole.Row);
            await Assertions.Expect(history).ToHaveCountAsync(4);
            await Assertions.Expect(history.Nth(2)).ToContainTextAsync("on leave in March");
            await Assertions.Expect(history.Nth(3)).ToContainTextAsync("attended the make-up session");
            // Completed: nothing left to record or extend.
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Record the completion" })).ToHaveCountAsync(0);
        });
        // The same pages on a phone: nothing wider than the window, nothing axe objects to.
        var phone = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(phone, "enrolments-360", async () =>
        {
            await Browser.SignInAsAdminAsync(phone, $"/manage/courses/{courseId}/enrolments");
            await Assertions.Expect(phone.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 enrolments");
            await AssertAccessibleAsync(phone, "course-enrolments-360");
            await phone.GotoAsync($"/manage/enrolments/{annEnrolment}");
            await Assertions.Expect(Heading(phone)).ToHaveTextAsync($"Test {tag}ann on {tag} course");
            await AssertAccessibleAsync(phone, "enrolment-ledger-360");
        });
        var bobs = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={bob}&courseId={courseId}")).GetProperty("items")[0];
        Assert.Equal("Completed", bobs.GetProperty("status").GetString());
    }
}
