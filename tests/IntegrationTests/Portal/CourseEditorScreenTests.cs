using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts.Security;
using LmsPlatform.IntegrationTests.Catalogue;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>A training manager builds a course in the browser: the draft editor, publishing, prerequisites (a cycle refused), archiving.</summary>
public class CourseEditorScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_training_manager_writes_a_course_by_keyboard_alone_publishes_it_and_is_told_a_prerequisite_would_make_a_cycle()
    {
        var tag = "Kestrel" + Guid.NewGuid().ToString("N")[..6];
        var categoryName = "Editor " + tag;
        var categoryId = await CatalogueClient.CreateCategoryAsync(Platform.Gateway, categoryName);
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "trainer", null, [Roles.TrainingManager]);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "course-editor", async () =>
        {
            await SignInAsync(page, email, password, "/manage/courses/new");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("New course");
            await Assertions.Expect(page.GetByLabel("Code")).ToBeEditableAsync();

            // Keyboard only, from the top of the page: every control is reached by Tab in reading order, with a visible
            // focus, and every action is a key press.
            var category = page.GetByLabel("Category");
            await TabAndTypeAsync(page, page.GetByLabel("Code"), $"{tag[..6]}-1", most: 40);
            await TabAndTypeAsync(page, page.GetByRole(AriaRole.Textbox, new() { Name = "Title", Exact = true }), $"{tag} basics");
            await TabToAsync(page, category);
            await page.Keyboard.TypeAsync(categoryName); // a closed select picks the option typed
            await Assertions.Expect(category).ToHaveValueAsync(categoryId.ToString());
            await TabAndTypeAsync(page, page.GetByLabel("Title of activity 1 of section 1"), "Watch the film");
            var address = page.GetByLabel("Address of activity 1 of section 1");
            await TabAndTypeAsync(page, address, "not a web address");
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create the course" }));

            // The API refuses the address: the message is beside that field.
            await Assertions.Expect(address).ToHaveAttributeAsync("aria-invalid", "true");
            await AssertAccessibleAsync(page, "course-editor-invalid-1280");
            await TabAndTypeAsync(page, address, "https://example.org/film", backwards: true);
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create the course" }));
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} basics");

            // A second section with a live session, then publish, still by keyboard.
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Add a section" }), most: 80);
            await TabAndTypeAsync(page, page.GetByLabel("Title of section 2"), "Practice", backwards: true); // the new section is above the button
            var kind = page.GetByLabel("Kind of activity 1 of section 2");
            await TabToAsync(page, kind);
            await page.Keyboard.PressAsync("End"); // the last option: a live session
            await Assertions.Expect(kind).ToHaveValueAsync("session");
            await TabAndTypeAsync(page, page.GetByLabel("Title of activity 1 of section 2"), "Workshop");
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }), most: 40);
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The draft is saved");

            // Publishing asks more than saving: the duration must be set, and the editor says so beside it.
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Publish the draft" }));
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("The course cannot be published yet");
            var duration = page.GetByLabel("Duration (minutes)");
            await Assertions.Expect(duration).ToHaveAttributeAsync("aria-invalid", "true");
            await TabAndTypeAsync(page, duration, "45", most: 80, backwards: true);
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }), most: 80);
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The draft is saved");
            await TabAndPressAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Publish the draft" }));
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 1 is published.");
            await AssertAccessibleAsync(page, "course-editor-1280");
        });
        var mine = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses?q={tag}");
        var first = mine.GetProperty("items")[0].GetProperty("id").GetGuid();
        var published = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{first}");
        Assert.Equal(2, published.GetProperty("sections").GetArrayLength());

        // A second course that needs the first: making the first need the second is a cycle, refused with the API's words.
        var second = await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("KS"), CatalogueClient.Draft($"{tag} advanced", categoryId));
        using (var needs = await Platform.Gateway.PutAsJsonAsync($"/api/catalogue/courses/{second}/prerequisites", new { items = new[] { first } }))
            Assert.True(needs.IsSuccessStatusCode);
        await JourneyAsync(page, "course-prerequisites", async () =>
        {
            await page.GotoAsync($"/manage/courses/{first}");
            await page.GetByLabel("Add a prerequisite").FillAsync($"{tag} advanced");
            await page.GetByRole(AriaRole.Button, new() { Name = $"{tag} advanced" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save prerequisites" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("would make a prerequisite cycle");

            await page.GetByRole(AriaRole.Button, new() { Name = "Archive without a successor" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The course is archived.");
        });
    }

    [Fact]
    public async Task An_administrator_shows_a_course_to_one_department_only_in_a_new_version_and_then_replaces_it()
    {
        var tag = "Heron" + Guid.NewGuid().ToString("N")[..6];
        Task<Guid> UnitAsync(string name) => Identity.OrgUnits.CreateAsync(Platform.Gateway, name);
        var (sales, support) = (await UnitAsync($"Sales {tag}"), await UnitAsync($"Support {tag}"));
        // Enough departments that the list scrolls, as it does in any real organisation.
        for (var i = 0; i < 16; i++) await UnitAsync($"Branch {i} {tag}");
        var category = await CatalogueClient.CreateCategoryAsync(Platform.Gateway, "Visibility");
        var course = await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("HV"), CatalogueClient.Draft($"{tag} pricing", category));
        var successor = await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("HS"), CatalogueClient.Draft($"{tag} pricing 2027", category));
        var (_, _, seller) = await Identity.People.CreateSignedInAsync(Platform.App, Platform.Gateway, "seller", null, [], sales);
        var (_, _, supporter) = await Identity.People.CreateSignedInAsync(Platform.App, Platform.Gateway, "supporter", null, [], support);
        async Task<System.Net.HttpStatusCode> SeenByAsync(Identity.Tokens who)
        {
            using var client = Identity.Oidc.WithToken(Platform.App.CreateHttpClient(LmsPlatform.Contracts.ResourceNames.Gateway), who.AccessToken);
            return (await client.GetAsync($"/api/catalogue/courses/{course}")).StatusCode;
        }
        Assert.Equal(System.Net.HttpStatusCode.OK, await SeenByAsync(supporter));

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "course-visibility", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/manage/courses/{course}");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} pricing");
            var everyone = page.GetByRole(AriaRole.Checkbox, new() { Name = "Everyone in the organisation" });
            await Assertions.Expect(everyone).ToBeEnabledAsync();
            await everyone.UncheckAsync();
            await page.GetByRole(AriaRole.Checkbox, new() { Name = $"Sales {tag}", Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save the draft" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("The draft is saved");
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish the draft" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 2 is published.");
            // The history lists both versions, newest first.
            var versions = page.GetByRole(AriaRole.Region, new() { Name = "Versions" }).GetByRole(AriaRole.Rowheader);
            await Assertions.Expect(versions).ToHaveTextAsync(["2", "1"]);
        });
        // Version 2 is for Sales (and the units below it) only.
        Assert.Equal(System.Net.HttpStatusCode.OK, await SeenByAsync(seller));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, await SeenByAsync(supporter));

        await JourneyAsync(page, "course-replace", async () =>
        {
            await page.GetByLabel("Replace with").FillAsync($"{tag} pricing 2027");
            await page.GetByRole(AriaRole.Button, new() { Name = $"{tag} pricing 2027" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Replace and archive" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"The course is archived and replaced by {tag} pricing 2027.");
            // Archived, the audience is a fact to read.
            await Assertions.Expect(page.GetByText($"Only these departments (and the units below them): Sales {tag}.")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "course-replaced-1280");
        });
        var replaced = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{course}");
        Assert.Equal("archived", replaced.GetProperty("status").GetString());
        Assert.Equal(successor, replaced.GetProperty("replacedByCourseId").GetGuid());
    }

    [Fact]
    public async Task An_administrator_shapes_the_categories_and_is_told_why_a_move_or_a_removal_is_refused()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var page = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(page, "categories", async () =>
        {
            await Browser.SignInAsAdminAsync(page, "/manage/categories");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Categories");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync($"Safety {tag}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Safety {tag} is added.");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Name", Exact = true }).FillAsync($"Fire {tag}");
            await page.GetByLabel("Under").SelectOptionAsync(new SelectOptionValue { Label = $"Safety {tag}" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Fire {tag} is added.");
            await AssertAccessibleAsync(page, "categories-360");

            // Safety under Fire would be a cycle: refused, in words.
            await page.GetByRole(AriaRole.Button, new() { Name = $"Rename or move Safety {tag}" }).ClickAsync();
            await page.GetByLabel($"New name of Safety {tag}").FillAsync($"Safety {tag}");
            await page.Locator("#edit-parent").SelectOptionAsync(new SelectOptionValue { Label = $"Safety {tag} › Fire {tag}" });
            await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("would make a cycle");
            await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();

            // A category with one below it cannot be removed; its child can.
            await page.GetByRole(AriaRole.Button, new() { Name = $"Remove Safety {tag}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Remove Fire {tag}" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Fire {tag} is removed.");
        });
    }

    [Fact]
    public async Task A_training_manager_builds_a_learning_path_from_courses_and_is_told_when_its_completion_rule_cannot_be_met()
    {
        var tag = "Osprey" + Guid.NewGuid().ToString("N")[..6];
        var category = await CatalogueClient.CreateCategoryAsync(Platform.Gateway, "Paths");
        await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("OA"), CatalogueClient.Draft($"{tag} first", category));
        await CatalogueClient.PublishedCourseAsync(Platform.Gateway, CatalogueClient.NewCode("OB"), CatalogueClient.Draft($"{tag} second", category));
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "pathmaker", null, [Roles.TrainingManager]);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "path-editor", async () =>
        {
            await SignInAsync(page, email, password, "/manage/paths/new");
            await Assertions.Expect(page.GetByLabel("Code")).ToBeEditableAsync();
            await page.GetByLabel("Code").FillAsync($"{tag[..6]}-P");
            await page.GetByRole(AriaRole.Textbox, new() { Name = "Title", Exact = true }).FillAsync($"{tag} programme");
            await page.GetByLabel("Category").SelectOptionAsync(category.ToString());
            foreach (var course in new[] { "first", "second" })
            {
                await page.GetByLabel("Add a course").FillAsync($"{tag} {course}");
                await page.GetByRole(AriaRole.Button, new() { Name = $"{tag} {course}" }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Remove {tag} {course}" })).ToBeVisibleAsync();
            }
            await page.GetByRole(AriaRole.Checkbox, new() { Name = $"Required: {tag} second" }).UncheckAsync();
            await page.GetByLabel("Optional courses needed to complete").FillAsync("2");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create the learning path" }).ClickAsync();
            // One optional course cannot make two: the API's rule, beside the field.
            await Assertions.Expect(page.GetByLabel("Optional courses needed to complete")).ToHaveAttributeAsync("aria-invalid", "true");
            await page.GetByLabel("Optional courses needed to complete").FillAsync("1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Create the learning path" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"{tag} programme");
            await page.GetByRole(AriaRole.Button, new() { Name = "Publish the draft" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Version 1 is published.");
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Versions" }).GetByRole(AriaRole.Row, new() { Name = $"1 {tag} programme" })).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "path-editor-1280");
        });
        var paths = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/paths?q={tag}");
        var id = paths.GetProperty("items")[0].GetProperty("id").GetGuid();
        var history = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/paths/{id}/versions");
        Assert.Equal([1], history.EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));
        var path = await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/catalogue/paths/{id}");
        Assert.Equal(1, path.GetProperty("optionalToComplete").GetInt32());
        Assert.Equal([true, false], path.GetProperty("courses").EnumerateArray().Select(c => c.GetProperty("required").GetBoolean()));
    }
}
