using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A training manager's audience, in the browser: the rule built from conditions (a department, NOT a job title), the
/// live preview counting who would join, a course to assign, publishing, the members, and "why is this person in",
/// rule by rule; at desktop and phone widths, axe-clean.
/// </summary>
public class AudienceScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task An_administrator_builds_a_rule_sees_the_preview_publishes_and_reads_why_someone_is_in()
    {
        var tag = "Heron" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var ward = await Identity.OrgUnits.CreateAsync(admin, $"{tag} Ward");
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM org_units WHERE id = '{ward}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "enrolment's copy of the ward");
        foreach (var (name, title) in new[] { ("nina", "Nurse"), ("pete", "Porter") })
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users",
                new { email = $"{tag}{name}@example.org", givenName = name == "nina" ? "Nina" : "Pete", familyName = tag, jobTitle = title, orgUnitId = ward });
            created.EnsureSuccessStatusCode();
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} infection control");

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "audience-builder", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/manage/audiences");
            await page.GetByRole(AriaRole.Link, new() { Name = "New audience" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("New audience");
            await Assertions.Expect(page.GetByLabel("Name")).ToBeEnabledAsync();
            await page.GetByLabel("Name").FillAsync($"{tag} ward staff");
            await page.GetByLabel("Name").PressAsync("Tab");

            // Everyone in the ward, except porters.
            await page.Locator("#rule-0-0-unit").SelectOptionAsync(new SelectOptionValue { Label = $"{tag} Ward" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Add a condition" }).ClickAsync();
            await page.Locator("#rule-0-1-type").SelectOptionAsync("jobTitle");
            await page.Locator("#rule-0-1-values").FillAsync("porter");
            await page.Locator("#rule-0-1-values").PressAsync("Tab");
            await page.Locator("#rule-0-1-not").CheckAsync();
            var preview = page.GetByRole(AriaRole.Region, new() { Name = "Preview" });
            await Assertions.Expect(preview).ToContainTextAsync("1 person joins; 0 new assignments");

            await page.GetByLabel("Add a course").FillAsync($"{tag} infection");
            await page.GetByRole(AriaRole.Button, new() { Name = $"{tag} infection control" }).ClickAsync();
            await Assertions.Expect(preview).ToContainTextAsync("1 person joins; 1 new assignment.");
            await page.GetByLabel("Their assignments from this audience").SelectOptionAsync("Suspend");
            await AssertAccessibleAsync(page, "audience-builder-1280");

            await page.GetByRole(AriaRole.Button, new() { Name = "Create the audience" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} ward staff");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish" })).ToBeEnabledAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Version 1 is published.");
        });

        await JourneyAsync(page, "audience-why", async () =>
        {
            // The members are applied by the worker within seconds: reload until Nina is listed.
            var why = page.GetByRole(AriaRole.Button, new() { Name = $"Why is Nina {tag} in?" });
            await Eventually.ReachesAsync(async () =>
            {
                await page.ReloadAsync();
                await Assertions.Expect(page.GetByLabel("Name")).ToBeEnabledAsync();
                return await why.CountAsync();
            }, n => n == 1, TimeSpan.FromSeconds(30), "Nina among the members");
            await why.ClickAsync();
            var section = page.GetByRole(AriaRole.Region, new() { Name = "Why in, why not" });
            await Assertions.Expect(section).ToContainTextAsync($"Nina {tag} is a member");
            await Assertions.Expect(section.Locator(".trace li.met").First).ToContainTextAsync("All of these (AND)");
            await Assertions.Expect(section.Locator(".trace").First).ToContainTextAsync("job title is “Nurse”");

            // Why not Pete: the NOT over his job title.
            await page.GetByLabel("Change the person").FillAsync($"Pete {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = $"Pete {tag} ({tag}pete@example.org)" }).ClickAsync();
            await Assertions.Expect(section).ToContainTextAsync($"Pete {tag} is not a member");
            await Assertions.Expect(section.Locator(".trace").First.Locator("li.unmet").First).ToContainTextAsync("All of these (AND)");
            await AssertAccessibleAsync(page, "audience-why-1280");

            // Why is Nina enrolled? Her record names the audience and its version, and leads back to it.
            await page.GotoAsync($"/manage/courses/{courseId}/enrolments");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Nina {tag}" }).ClickAsync();
            var source = page.GetByRole(AriaRole.Link, new() { Name = $"Member of the audience {tag} ward staff (version 1)" });
            await source.ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} ward staff");
        });

        var phone = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(phone, "audiences-360", async () =>
        {
            await Browser.SignInAsAdminAsync(phone, "/manage/audiences?q=" + tag);
            await Assertions.Expect(phone.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 audience");
            await AssertAccessibleAsync(phone, "audiences-360");
            await phone.GetByRole(AriaRole.Link, new() { Name = $"{tag} ward staff" }).ClickAsync();
            await Assertions.Expect(phone.GetByLabel("Name")).ToBeEnabledAsync();
            await Assertions.Expect(phone.GetByRole(AriaRole.Region, new() { Name = "Preview" })).ToContainTextAsync("0 people join;");
            Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the audience page is wider than a phone");
            await AssertAccessibleAsync(phone, "audience-editor-360");
        });
    }
}
