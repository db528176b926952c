using System.Net.Http.Json;
using LmsPlatform.IntegrationTests.Catalogue;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>A learner finds learning: catalogue search with facets and paging as links, course and path pages, by keyboard, at 1280 and 360 px.</summary>
public class CatalogueScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_learner_searches_by_keyboard_narrows_by_facet_links_and_opens_a_course_and_a_path()
    {
        // A word no other test uses, so the counts are this test's own.
        var word = "Zephyr" + Guid.NewGuid().ToString("N")[..6];
        var category = await CatalogueClient.CreateCategoryAsync(Platform.Gateway, "Portal");
        var basics = await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("PB"),
            CatalogueClient.Draft($"{word} basics", category, d => { d["durationMinutes"] = 20; d["language"] = "en"; }));
        await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("PA"),
            CatalogueClient.Draft($"{word} advanced", category, d => { d["durationMinutes"] = 90; d["language"] = "de"; }));
        var advancedWithPrerequisite = await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("PX"),
            CatalogueClient.Draft($"{word} expert", category, d => { d["durationMinutes"] = 95; d["language"] = "de"; }));
        using (var prerequisites = await Platform.Gateway.PutAsJsonAsync($"/api/catalogue/courses/{advancedWithPrerequisite}/prerequisites", new { items = new[] { basics } }))
            Assert.True(prerequisites.IsSuccessStatusCode);
        var path = await CatalogueClient.CreatePathAsync(Platform.Gateway, CatalogueClient.NewCode("PP"), new Dictionary<string, object?>
        {
            ["title"] = $"{word} path", ["categoryId"] = category, ["language"] = "en",
            ["courses"] = new object[] { new { courseId = basics, required = true }, new { courseId = advancedWithPrerequisite, required = false } },
            ["optionalToComplete"] = 1,
        });
        await CatalogueClient.PublishAsync(Platform.Gateway, "paths", path);
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "finder", null, []);

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"catalogue-{width}", async () =>
            {
                await SignInAsync(page, email, password, "/catalogue");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Catalogue");

                // Keyboard: from the top of the page to the search box, type, Enter.
                await TabToAsync(page, page.GetByLabel("Search courses and learning paths"));
                await page.Keyboard.TypeAsync(word);
                await page.Keyboard.PressAsync("Enter");
                var results = page.GetByRole(AriaRole.Heading, new() { Name = "4 results" });
                await Assertions.Expect(results).ToBeVisibleAsync();
                await AssertAccessibleAsync(page, $"catalogue-search-{width}");

                // On a phone the filters come first: a link skips them to the results (and takes the focus there).
                var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to the 4 results" });
                if (width == Narrow)
                {
                    await TabAndPressAsync(page, skip, most: 20);
                    await Assertions.Expect(results).ToBeFocusedAsync();
                }
                else await Assertions.Expect(skip).ToBeHiddenAsync();

                // Facets are links that keep the query: German only, then Type: Course.
                await page.GetByRole(AriaRole.Link, new() { Name = "German" }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2 results" })).ToBeVisibleAsync();
                Assert.Contains("language=de", page.Url);
                Assert.Contains($"q={word}", page.Url);
                await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "German" })).ToHaveAttributeAsync("aria-current", "true");

                // The course page: facts, prerequisites as links, contents.
                await page.GetByRole(AriaRole.Link, new() { Name = $"{word} expert" }).ClickAsync();
                await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{word} expert");
                await Assertions.Expect(page.GetByText("1 h 35 min")).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByText("German")).ToBeVisibleAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{word} basics" })).ToBeVisibleAsync();
                await AssertAccessibleAsync(page, $"course-{width}");

                // Back to the filtered list with the browser's back button: the filters are in the address.
                await page.GoBackAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "2 results" })).ToBeVisibleAsync();

                // The path page: its courses in order and its completion rule.
                await page.GotoAsync($"/catalogue/paths/{path}");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{word} path");
                await Assertions.Expect(page.GetByText("finish the required course and 1 of the 1 optional courses")).ToBeVisibleAsync();
                await AssertAccessibleAsync(page, $"path-{width}");

                // An unknown course is the 404 page, not an error.
                await page.GotoAsync($"/catalogue/courses/{Guid.NewGuid()}");
                await Assertions.Expect(Heading(page)).ToHaveTextAsync("Page not found");
            });
        }
    }

    [Fact]
    public async Task Paging_is_a_pair_of_links_and_a_bad_filter_in_the_address_is_ignored_not_an_error()
    {
        var word = "Quokka" + Guid.NewGuid().ToString("N")[..6];
        var category = await CatalogueClient.CreateCategoryAsync(Platform.Gateway, "Paging");
        for (var i = 0; i < 22; i++)
            await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("PG"), CatalogueClient.Draft($"{word} {i:00}", category));
        var page = await Browser.NewPageAsync();
        await Browser.SignInAsAdminAsync(page, $"/catalogue?q={word}&sort=title&duration=forever");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "22 results" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Page 1 of 2")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Page 2 of 2")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{word} 21" })).ToBeVisibleAsync();
        Assert.Contains("page=2", page.Url);
    }
}
