using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts.Security;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A learner asks for a place on a course from its page (with a note), sees the request on their home page; their
/// manager finds it under Approvals, declines one with a reason and approves the other; the learner is then enrolled.
/// </summary>
public class ApprovalScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_learner_asks_for_a_place_and_their_manager_approves_it_in_the_portal()
    {
        var tag = "Finch" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var (bossId, bossEmail, bossPassword) = await Identity.People.CreateWithPasswordAsync(Platform.App, admin, $"{tag}boss", null, [Roles.Manager]);
        var email = $"{tag}.asker.{Guid.NewGuid():N}@example.org";
        Guid learnerId;
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Robin", familyName = tag, managerId = bossId }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            learnerId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await Identity.People.SetPasswordAsync(Platform.App, email, password);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, learnerId);
        var wanted = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} public speaking", d => d["selfEnrolment"] = "manager-approval");
        var declined = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} golf", d => d["selfEnrolment"] = "manager-approval");

        var learner = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(learner, "request-a-place", async () =>
        {
            await SignInAsync(learner, email, password, $"/catalogue/courses/{wanted}");
            var place = learner.GetByRole(AriaRole.Region, new() { Name = "Your place" });
            await Assertions.Expect(place).ToContainTextAsync("Your manager approves a place on this course.");
            await place.GetByLabel("Why you would like to take it (optional)").FillAsync("I present at the all-hands in March");
            await AssertAccessibleAsync(learner, "request-a-place");
            await place.GetByRole(AriaRole.Button, new() { Name = "Ask for a place" }).ClickAsync();
            await Assertions.Expect(place.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your request is sent. You will hear when it is decided.");
            await Assertions.Expect(place).ToContainTextAsync("Waiting for your manager");

            await learner.GotoAsync($"/catalogue/courses/{declined}");
            await learner.GetByRole(AriaRole.Button, new() { Name = "Ask for a place" }).ClickAsync();
            await Assertions.Expect(learner.GetByRole(AriaRole.Region, new() { Name = "Your place" })).ToContainTextAsync("Waiting for your manager");
        });

        var manager = await Browser.NewPageAsync();
        await JourneyAsync(manager, "approvals", async () =>
        {
            await SignInAsync(manager, bossEmail, bossPassword, "/approvals");
            await Assertions.Expect(manager.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 requests");
            var rows = manager.GetByRole(AriaRole.Region, new() { Name = "Requests" }).GetByRole(AriaRole.Row);
            await Assertions.Expect(rows.Nth(1)).ToContainTextAsync($"{tag} public speaking");
            await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("I present at the all-hands in March");
            await AssertAccessibleAsync(manager, "approvals");

            // The golf request is declined: without a reason the form says what is missing.
            await manager.GetByRole(AriaRole.Link, new() { Name = $"Review the request of Robin {tag} for {tag} golf" }).ClickAsync();
            await manager.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
            await Assertions.Expect(manager.GetByLabel("Reason")).ToHaveAttributeAsync("aria-invalid", "true");
            await manager.GetByLabel("Reason").FillAsync("Not in this year's development plan");
            await manager.GetByRole(AriaRole.Button, new() { Name = "Decline" }).ClickAsync();
            await Assertions.Expect(manager.GetByRole(AriaRole.Status)).ToHaveTextAsync("Declined: the person will be told why.");

            await manager.GotoAsync("/approvals");
            await manager.GetByRole(AriaRole.Link, new() { Name = $"Review the request of Robin {tag} for {tag} public speaking" }).ClickAsync();
            await Assertions.Expect(Heading(manager)).ToHaveTextAsync($"Robin {tag} asks for {tag} public speaking");
            await AssertAccessibleAsync(manager, "approval-request");
            await manager.GetByRole(AriaRole.Button, new() { Name = "Approve and enrol" }).ClickAsync();
            await Assertions.Expect(manager.GetByRole(AriaRole.Status)).ToHaveTextAsync("Approved: the person is enrolled and will be told.");
            await manager.GotoAsync("/approvals");
            await Assertions.Expect(manager.GetByRole(AriaRole.Status)).ToHaveTextAsync("Nothing is waiting for you.");
        });

        // The golf course comes anyway, as part of a learning path an administrator assigns.
        var category = await Catalogue.CatalogueClient.CreateCategoryAsync(admin, "Leisure");
        var path = await Catalogue.CatalogueClient.CreatePathAsync(admin, Catalogue.CatalogueClient.NewCode("LP"), new Dictionary<string, object?>
        {
            ["title"] = $"{tag} leisure path", ["categoryId"] = category, ["language"] = "en",
            ["courses"] = new object[] { new { courseId = declined, required = true } }, ["optionalToComplete"] = 0,
        });
        await Catalogue.CatalogueClient.PublishAsync(admin, "paths", path);
        await Eventually.ReachesAsync(async () => (await admin.PostAsJsonAsync($"/api/enrolment/paths/{path}/enrolments", new { userIds = new[] { learnerId } })).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the path assigned");

        await JourneyAsync(learner, "request-decided", async () =>
        {
            await learner.GotoAsync("/");
            var assigned = learner.GetByRole(AriaRole.Region, new() { Name = "Your assignments" });
            await Assertions.Expect(assigned).ToContainTextAsync($"{tag} public speaking");
            await Assertions.Expect(learner.GetByRole(AriaRole.Region, new() { Name = "Your requests" }))
                .ToContainTextAsync($"{tag} golf: declined by");
            await Assertions.Expect(learner.GetByRole(AriaRole.Region, new() { Name = "Your requests" }))
                .ToContainTextAsync("(Not in this year's development plan)");
            await Assertions.Expect(learner.GetByRole(AriaRole.Region, new() { Name = "Your learning paths" }))
                .ToContainTextAsync($"{tag} leisure path 0 of 1 required courses");
            await AssertAccessibleAsync(learner, "request-decided");
        });
    }
}
