using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>A learner's home lists what is assigned to them, soonest due first, and what they have finished.</summary>
public class MyLearningScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_learner_sees_their_assignments_with_due_dates_and_what_they_finished_on_their_home_page()
    {
        var tag = "Plover" + Guid.NewGuid().ToString("N")[..6];
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "mine", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var later = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} later");
        var sooner = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} sooner");
        var done = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} done");
        async Task<Guid> EnrolAsync(Guid courseId, int? dueInDays)
        {
            using var created = await Platform.Gateway.PostAsJsonAsync("/api/enrolment/enrolments",
                new { userId, courseId, dueAt = dueInDays is { } d ? DateTimeOffset.UtcNow.AddDays(d) : (DateTimeOffset?)null });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        await EnrolAsync(later, 40);
        await EnrolAsync(sooner, 5);
        var finished = await EnrolAsync(done, null);
        using (var completed = await Platform.Gateway.PostAsJsonAsync($"/api/enrolment/enrolments/{finished}/complete", new { reason = "attended" }))
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"my-learning-{width}", async () =>
            {
                await SignInAsync(page, email, password);
                var assigned = page.GetByRole(AriaRole.Region, new() { Name = "Your assignments" }).GetByRole(AriaRole.Row);
                // The header, then the soonest due first.
                await Assertions.Expect(assigned).ToHaveCountAsync(3);
                await Assertions.Expect(assigned.Nth(1)).ToContainTextAsync($"{tag} sooner");
                await Assertions.Expect(assigned.Nth(1)).ToContainTextAsync("Not started");
                await Assertions.Expect(assigned.Nth(2)).ToContainTextAsync($"{tag} later");
                await Assertions.Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = $"{tag} done" })).ToContainTextAsync("completed on");
                await AssertAccessibleAsync(page, $"my-learning-{width}");
                await page.GetByRole(AriaRole.Link, new() { Name = $"{tag} sooner" }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} sooner");
            });
        }
    }
}
