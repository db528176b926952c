using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A manager sees the people below them (direct and indirect) with what is overdue first, and each one's assignments;
/// nobody else's.
/// </summary>
public class TeamScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_manager_sees_their_direct_and_indirect_reports_overdue_first_and_nobody_elses()
    {
        var tag = "Wren" + Guid.NewGuid().ToString("N")[..6];
        var admin = Platform.Gateway;
        var (bossId, bossEmail, bossPassword) = await Identity.People.CreateWithPasswordAsync(Platform.App, admin, $"{tag}boss", null, [Roles.Manager]);
        async Task<Guid> PersonAsync(string name, Guid managerId, string? hireDate = null)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users",
                new { email = $"{name}.{Guid.NewGuid():N}@example.org", givenName = name, familyName = tag, managerId, hireDate, jobTitle = "Engineer" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var direct = await PersonAsync("Dana", bossId, "2020-01-06");
        var indirect = await PersonAsync("Ivan", direct);
        // Due ten days after the hire date: Dana, hired years ago, is overdue at once.
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} code of conduct", d =>
            d["compliance"] = new { dueWithinDays = 10, dueFrom = "hire" });
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { direct, indirect }, courseId = course }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var ivans = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={indirect}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        using (var done = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{ivans}/complete", new { reason = "attended" }))
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        // Another manager does not see them, and is told Dana's record does not exist.
        var (_, _, otherTokens) = await Identity.People.CreateSignedInAsync(Platform.App, admin, $"{tag}other", Roles.Manager);
        using (var other = Identity.Oidc.WithToken(Platform.App.CreateHttpClient(ResourceNames.Gateway), otherTokens.AccessToken))
        {
            Assert.Equal(0, (await other.GetFromJsonAsync<JsonElement>("/api/enrolment/team")).GetArrayLength());
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/enrolment/team/{direct}/enrolments")).StatusCode);
        }

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"team-{width}", async () =>
            {
                await SignInAsync(page, bossEmail, bossPassword, "/team");
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 people; 1 has overdue assignments");
                var rows = page.GetByRole(AriaRole.Region, new() { Name = "Your team" }).GetByRole(AriaRole.Row);
                await Assertions.Expect(rows).ToHaveCountAsync(3);
                // Overdue first: Dana (to do 1, overdue 1), then Ivan, who reports to Dana (finished 1).
                await Assertions.Expect(rows.Nth(1)).ToContainTextAsync($"Dana {tag}");
                await Assertions.Expect(rows.Nth(1).GetByRole(AriaRole.Cell).Nth(1)).ToHaveTextAsync("1");
                await Assertions.Expect(rows.Nth(2)).ToContainTextAsync($"Ivan {tag} (indirect)");
                await Assertions.Expect(rows.Nth(2).GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("1");
                await AssertAccessibleAsync(page, $"team-{width}");
                await page.GetByRole(AriaRole.Link, new() { Name = $"Dana {tag}" }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Dana {tag}");
                var theirs = page.GetByRole(AriaRole.Region, new() { Name = "Their assignments" }).GetByRole(AriaRole.Row);
                await Assertions.Expect(theirs.Nth(1)).ToContainTextAsync($"{tag} code of conduct");
                await Assertions.Expect(theirs.Nth(1)).ToContainTextAsync("Overdue");
                await AssertAccessibleAsync(page, $"team-member-{width}");
            });
        }
    }
}
