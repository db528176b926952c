using System.Text.Json;
using System.Net.Http.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>A learner's inbox (from the header, with its unread count) and their notification settings.</summary>
public class NotificationScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_learner_reads_their_inbox_from_the_header_and_chooses_what_comes_by_email()
    {
        var tag = "Heron" + Guid.NewGuid().ToString("N")[..6];
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "inboxer", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} course");
        await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, course);
        await Testing.Mailbox.WaitForAsync(Platform.App, email, m => m.Subject == $"New learning: {tag} course");

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"inbox-{width}", async () =>
            {
                await SignInAsync(page, email, password);
                var link = page.GetByRole(AriaRole.Link, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Inbox") });
                if (width == Wide)
                {
                    await Assertions.Expect(link).ToContainTextAsync("2 unread"); // the welcome and the assignment
                    await link.ClickAsync();
                    await Assertions.Expect(Heading(page)).ToHaveTextAsync("Inbox");
                    var message = page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"New learning: {tag} course" });
                    await Assertions.Expect(message).ToContainTextAsync("You have been assigned");
                    await AssertAccessibleAsync(page, $"inbox-{width}");
                    await Assertions.Expect(message.GetByRole(AriaRole.Button)).ToHaveTextAsync($"Mark read: New learning: {tag} course");
                    // Marking it read takes its button away and the header's count down.
                    await message.GetByRole(AriaRole.Button).ClickAsync();
                    await Assertions.Expect(message.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
                    await Assertions.Expect(message.GetByRole(AriaRole.Heading)).ToHaveTextAsync($"New learning: {tag} course");
                    await Assertions.Expect(link).ToContainTextAsync("1 unread");
                    await page.GotoAsync("inbox?unread=true");
                    await Assertions.Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Welcome to learning" })).ToHaveCountAsync(1);
                    await Assertions.Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"New learning: {tag} course" })).ToHaveCountAsync(0);
                }
                else
                {
                    await page.GotoAsync("inbox");
                    await AssertAccessibleAsync(page, $"inbox-{width}");
                }

                await page.GotoAsync("settings/notifications");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Notification settings");
                var byEmail = page.GetByRole(AriaRole.Checkbox, new() { Name = "Assignment by email" });
                await Assertions.Expect(page.GetByRole(AriaRole.Checkbox, new() { Name = "Invitation by email" })).ToBeDisabledAsync();
                await AssertAccessibleAsync(page, $"notification-settings-{width}");
                if (width == Wide)
                {
                    await byEmail.UncheckAsync();
                    // Quiet hours of their own, and a daily digest instead of one mail each.
                    var none = page.GetByLabel("No quiet hours");
                    await Assertions.Expect(none).ToBeCheckedAsync(); // the organisation's (none in the tests)
                    await none.UncheckAsync();
                    await page.GetByLabel("From", new() { Exact = true }).FillAsync("22:30");
                    await page.GetByLabel("until", new() { Exact = true }).FillAsync("06:15");
                    await page.GetByLabel("Digest", new() { Exact = true }).SelectOptionAsync("Daily");
                    await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
                    await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("saved");
                    await Assertions.Expect(byEmail).Not.ToBeCheckedAsync();
                }
            });
        }
        using var learner = Identity.Oidc.WithToken(Platform.App.CreateHttpClient(Contracts.ResourceNames.Gateway),
            (await Identity.Oidc.SignInAsync(Platform.App, email, password)).AccessToken);
        var assigned = (await learner.GetFromJsonAsync<JsonElement>("/api/notification/preferences")).GetProperty("types").EnumerateArray()
            .Single(t => t.GetProperty("type").GetString() == "enrolment-assigned");
        Assert.False(assigned.GetProperty("email").GetBoolean());
        Assert.True(assigned.GetProperty("inApp").GetBoolean());
        var saved = await learner.GetFromJsonAsync<JsonElement>("/api/notification/preferences");
        Assert.Equal(("22:30:00", "06:15:00", "Daily"), (saved.GetProperty("quietFrom").GetString(), saved.GetProperty("quietUntil").GetString(), saved.GetProperty("digest").GetString()));
    }
}
