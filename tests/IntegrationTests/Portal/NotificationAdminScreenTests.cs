using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>An administrator edits a message template (refused broken, previewed, saved), works the delivery log and sets the reminder policy.</summary>
public class NotificationAdminScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact(Timeout = 300_000)]
    public async Task An_administrator_edits_a_template_resends_a_bounced_mail_and_sets_the_reminder_policy()
    {
        // A bounced mail to find in the log.
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, "Bounced course " + Guid.NewGuid().ToString("N")[..6]);
        var (userId, _, _) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "bounce", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, course);

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"notification-admin-{width}", async () =>
            {
                await Browser.SignInAsAdminAsync(page, "/admin/notifications/templates");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Message templates");
                await AssertAccessibleAsync(page, $"templates-{width}");
                await page.GetByRole(AriaRole.Link, new() { Name = "Assignment", Exact = true }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Assignment");
                await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Preview" })).ToBeEnabledAsync();
                await page.GetByLabel("Language").SelectOptionAsync("it");
                await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync(width == Wide ? "The built-in text is sent in Italian" : "Version 1 is sent in Italian");
                var subject = page.GetByLabel("Subject");
                await subject.FillAsync("Nuovo: {{ course.titolo }}");
                await page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
                await Assertions.Expect(page.Locator("#subject-error, .field-error").First).ToContainTextAsync("does not render");
                await subject.FillAsync("Nuovo: {{ course.title }}");
                // Checked before the preview: axe cannot enter the preview's sandboxed frame (the mail, not the page).
                await AssertAccessibleAsync(page, $"template-editor-{width}");
                await page.GetByRole(AriaRole.Button, new() { Name = "Preview" }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Preview, with sample data" })).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByText("Nuovo: Fire safety 2027")).ToBeVisibleAsync();
                await page.ScreenshotAsync(new() { Path = Screenshot($"template-preview-{width}"), FullPage = true });
                if (width == Wide)
                {
                    await page.GetByRole(AriaRole.Button, new() { Name = "Save as a new version" }).ClickAsync();
                    await Assertions.Expect(page.GetByText("Saved as version")).ToBeVisibleAsync();
                }

                await page.GotoAsync("admin/notifications/deliveries?status=Bounced");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Delivery log");
                var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bounced course" }).First;
                await Assertions.Expect(row).ToContainTextAsync("550");
                await AssertAccessibleAsync(page, $"deliveries-{width}");
                if (width == Wide)
                {
                    await row.GetByRole(AriaRole.Button).ClickAsync();
                    await Assertions.Expect(page.GetByText("is queued to be sent again")).ToBeVisibleAsync();
                    // Days filter: today has it, tomorrow does not (and the filter stays in the form).
                    var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
                    await page.GotoAsync($"admin/notifications/deliveries?from={today}&until={today}");
                    await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bounced course" }).First).ToBeVisibleAsync();
                    await Assertions.Expect(page.GetByLabel("Queued from")).ToHaveValueAsync(today);
                    await page.GotoAsync($"admin/notifications/deliveries?from={DateTime.UtcNow.AddDays(1):yyyy-MM-dd}");
                    await Assertions.Expect(Heading(page)).ToHaveTextAsync("Delivery log");
                    await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bounced course" })).ToHaveCountAsync(0);
                }

                await page.GotoAsync("admin/notifications/reminders");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Reminders and escalations");
                var days = page.GetByLabel("Remind this many days before the due date");
                await Assertions.Expect(days).Not.ToHaveValueAsync("");
                await AssertAccessibleAsync(page, $"reminder-policy-{width}");
                if (width == Wide)
                {
                    await days.FillAsync("7, 1, x");
                    await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
                    await Assertions.Expect(page.GetByText("must be at most 10 different days")).ToBeVisibleAsync();
                    await days.FillAsync("7, 1");
                    await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
                    await Assertions.Expect(page.GetByText("The policy is saved")).ToBeVisibleAsync();

                    // The course's own policy, from the course's page: it follows the organisation's until saved, then
                    // is listed, and can follow the organisation's again.
                    await page.GotoAsync($"manage/courses/{course}");
                    await page.GetByRole(AriaRole.Link, new() { Name = "Reminders for this course" }).ClickAsync();
                    await Assertions.Expect(Heading(page)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Reminders for Bounced course"));
                    await Assertions.Expect(page.GetByText("This course follows the organisation's policy")).ToBeVisibleAsync();
                    await AssertAccessibleAsync(page, "course-reminder-policy");
                    await days.FillAsync("3");
                    await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
                    await Assertions.Expect(page.GetByText("The policy is saved")).ToBeVisibleAsync();
                    await page.GotoAsync("admin/notifications/reminders");
                    var own = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Bounced course" });
                    await Assertions.Expect(own).ToContainTextAsync("3");
                    await own.GetByRole(AriaRole.Link).ClickAsync();
                    await Assertions.Expect(Heading(page)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Reminders for Bounced course"));
                    await page.GetByRole(AriaRole.Button, new() { Name = "Follow the organisation's policy" }).ClickAsync();
                    await Assertions.Expect(page.GetByText("follows the organisation's policy again")).ToBeVisibleAsync();
                    await Assertions.Expect(days).ToHaveValueAsync("7, 1");
                }
            });
        }
    }
}
