using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A training manager assigns people to a course: someone without its prerequisite is refused and then let in with a
/// recorded override; after a new version, the open enrolments are moved to it on request.
/// </summary>
public class AssignScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task Assigning_people_with_an_override_for_missing_prerequisites_and_moving_them_to_a_new_version()
    {
        var t = "Kite" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var basics = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{t} basics");
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{t} advanced");
        using (var set = await admin.PutAsJsonAsync($"/api/catalogue/courses/{course}/prerequisites", new { items = new[] { basics } }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{course}' AND cardinality(\"Prerequisites\") = 1"), n => n == 1, TimeSpan.FromSeconds(30), "prerequisites known");
        async Task<Guid> PersonAsync(string given)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"{given}.{Guid.NewGuid():N}@example.org", givenName = given, familyName = t });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var ready = await PersonAsync("Ready");
        var eager = await PersonAsync("Eager");
        using (var enrolled = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = ready, courseId = basics }))
        {
            var id = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { reason = "done" })).Dispose();
        }

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "assign-people", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/manage/courses/{course}/enrolments");
            await page.GetByRole(AriaRole.Link, new() { Name = "Assign people" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Assign people to {t} advanced");
            foreach (var name in new[] { "Ready", "Eager" })
            {
                await page.GetByLabel("Find the person").FillAsync($"{name} {t}");
                await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex($"^{name} {t}") }).ClickAsync();
            }
            await Assertions.Expect(page.GetByRole(AriaRole.List, new() { Name = "People to assign" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
            await page.GetByLabel("Why (kept in each person's history)").FillAsync("team plan 2027");
            await page.GetByRole(AriaRole.Button, new() { Name = "Assign 2 people" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 enrolled, 0 enrolled already, 1 refused.");
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { Name = $"Eager {t}" })).ToContainTextAsync($"has not completed the prerequisites");
            await AssertAccessibleAsync(page, "assign-people-refused");

            await page.GetByLabel("Reason to override the prerequisites for the person who lacks them").FillAsync("qualified abroad");
            await page.GetByRole(AriaRole.Button, new() { Name = "Assign 1 person" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 enrolled, 0 enrolled already, 0 refused.");
        });
        var eagers = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={eager}&courseId={course}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var assigned = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{eagers}/ledger"))[0];
        Assert.StartsWith("Prerequisites overridden", assigned.GetProperty("reason").GetString());
        Assert.EndsWith("qualified abroad. team plan 2027", assigned.GetProperty("reason").GetString());

        // Version 2: the enrolments page offers to move the two open enrolments, and does.
        using (var draft = await admin.PostAsync($"/api/catalogue/courses/{course}/draft", null)) Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        await Catalogue.CatalogueClient.PublishAsync(admin, "courses", course);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{course}' AND \"Version\" = 2"),
            n => n == 1, TimeSpan.FromSeconds(30), "version 2 known");
        await JourneyAsync(page, "move-to-version", async () =>
        {
            await page.GotoAsync($"/manage/courses/{course}/enrolments");
            var panel = page.GetByRole(AriaRole.Region, new() { Name = "Move learners to version 2" });
            await Assertions.Expect(panel).ToContainTextAsync("2 open enrolments are on an older version (version 1: 2)");
            await AssertAccessibleAsync(page, "move-to-version");
            await panel.GetByRole(AriaRole.Button, new() { Name = "Move them to version 2" }).ClickAsync();
            await Assertions.Expect(panel.GetByLabel("Why (kept in each person's history)")).ToHaveAttributeAsync("aria-invalid", "true");
            await panel.GetByLabel("Why (kept in each person's history)").FillAsync("new module on grounding");
            await panel.GetByRole(AriaRole.Button, new() { Name = "Move them to version 2" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToHaveTextAsync("2 enrolments moved to version 2.");
        });
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{eagers}")).GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task A_path_is_assigned_from_its_enrolments_page_and_the_learning_record_shows_the_person_all_of_it()
    {
        var t = "Wren" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{t} ladders");
        var category = await Catalogue.CatalogueClient.CreateCategoryAsync(admin, "Paths");
        var path = await Catalogue.CatalogueClient.CreatePathAsync(admin, Catalogue.CatalogueClient.NewCode("LP"), new Dictionary<string, object?>
        {
            ["title"] = $"{t} working at height", ["categoryId"] = category, ["language"] = "en",
            ["courses"] = new object[] { new { courseId = course, required = true } }, ["optionalToComplete"] = 0,
        });
        await Catalogue.CatalogueClient.PublishAsync(admin, "paths", path);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learning_paths WHERE \"PathId\" = '{path}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "the path's copy");
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email = $"pat.{Guid.NewGuid():N}@example.org", givenName = "Pat", familyName = t }))
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "assign-path", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/manage/paths/{path}/enrolments");
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("0 people");
            await page.GetByRole(AriaRole.Link, new() { Name = "Assign people" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Assign people to {t} working at height");
            await page.GetByLabel("Find the person").FillAsync($"Pat {t}");
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex($"^Pat {t}") }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Assign 1 person" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 enrolled, 0 enrolled already, 0 refused.");

            await page.GotoAsync($"/manage/paths/{path}/enrolments");
            var row = page.GetByRole(AriaRole.Region, new() { Name = "People on the path" }).GetByRole(AriaRole.Row).Nth(1);
            await Assertions.Expect(row).ToContainTextAsync("0 of 1 required courses");
            await AssertAccessibleAsync(page, "path-enrolments");
            await row.GetByRole(AriaRole.Link, new() { Name = $"Pat {t}" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Learning record: Pat {t}");
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Courses" })).ToContainTextAsync($"{t} ladders");
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Learning paths" })).ToContainTextAsync($"{t} working at height");
            await AssertAccessibleAsync(page, "learning-record");
            await page.GetByRole(AriaRole.Link, new() { Name = $"{t} ladders (its history)" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Row, new() { NameRegex = new System.Text.RegularExpressions.Regex("Assigned") })).ToContainTextAsync("Part of the learning path");
        });
    }
}
