using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.IntegrationTests.Identity;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Catalogue;

/// <summary>Search, visibility and the cache of published reads, as learners see them through the gateway.</summary>
public class CatalogueSearchTests(PlatformFixture platform)
{
    [Fact]
    public async Task Search_ranks_title_above_summary_above_description_and_filters_with_facets()
    {
        var admin = platform.Gateway;
        var word = $"zq{Guid.NewGuid():N}"[..12]; // a word no other test uses
        var parent = await CreateCategoryAsync(admin, "Compliance");
        var child = await CreateCategoryAsync(admin, "Data protection", parent);
        var other = await CreateCategoryAsync(admin, "Other");

        var inDescription = await PublishedCourseAsync(admin, NewCode("DESC"), Draft("Handling records", child, d => d["description"] = $"All about {word}."));
        var inTitle = await PublishedCourseAsync(admin, NewCode("TITLE"), Draft($"The {word} course", parent, d =>
        {
            d["tags"] = new[] { "  Health   AND Safety ", "GDPR" };
            d["language"] = "de";
            d["durationMinutes"] = 20;
        }));
        var inSummary = await PublishedCourseAsync(admin, NewCode("SUMM"), Draft("Annual refresher", other, d =>
        {
            d["summary"] = $"Covers {word} basics.";
            d["deliveryType"] = "instructor-led";
            d["durationMinutes"] = 240;
        }));

        var all = await SearchAsync(admin, $"q={word}");
        Assert.Equal(3, all.GetProperty("totalCount").GetInt64());
        var ids = all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([inTitle, inSummary, inDescription], ids);

        // Category subtree: the parent finds its child's course too.
        var subtree = await SearchAsync(admin, $"q={word}&category={parent}");
        Assert.Equal(2, subtree.GetProperty("totalCount").GetInt64());
        // Facets count every filter but their own: the category facet still shows the third category.
        Assert.Equal(1, Facet(subtree, "categories", other.ToString()));
        Assert.Equal(1, Facet(subtree, "languages", "de"));
        Assert.Equal(1, Facet(subtree, "languages", "en"));
        Assert.Equal(0, Facet(subtree, "deliveryTypes", "instructor-led"));

        // Tags are normalised when stored and when searched.
        var tagged = await SearchAsync(admin, $"q={word}&tag={Uri.EscapeDataString("HEALTH and safety")}");
        Assert.Equal([inTitle], tagged.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(1, Facet(all, "tags", "health and safety"));
        Assert.Equal(1, Facet(all, "tags", "gdpr"));

        Assert.Equal(1, (await SearchAsync(admin, $"q={word}&language=DE")).GetProperty("totalCount").GetInt64());
        Assert.Equal(1, (await SearchAsync(admin, $"q={word}&deliveryType=instructor-led")).GetProperty("totalCount").GetInt64());
        var shortOnes = await SearchAsync(admin, $"q={word}&minDuration=10&maxDuration=60&sort=duration");
        Assert.Equal([inTitle, inDescription], shortOnes.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(1, Facet(all, "durations", "120-plus"));
        Assert.Equal(3, Facet(all, "kinds", "course"));

        // Paging and sorting by title.
        var page2 = await SearchAsync(admin, $"q={word}&sort=title&pageSize=2&page=2");
        Assert.Equal([inTitle], page2.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
        Assert.Equal(3, page2.GetProperty("totalCount").GetInt64());

        using (var badSort = await admin.GetAsync("/api/catalogue/search?sort=popularity"))
            Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
        using (var badRange = await admin.GetAsync("/api/catalogue/search?minDuration=60&maxDuration=10"))
            Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);
    }

    [Fact]
    public async Task A_learner_outside_the_audience_neither_finds_nor_opens_the_course()
    {
        var admin = platform.Gateway;
        var sales = await CreateOrgUnitAsync(admin, "Sales", null);
        var emea = await CreateOrgUnitAsync(admin, "Sales EMEA", sales);
        var finance = await CreateOrgUnitAsync(admin, "Finance", null);
        // The catalogue learns the org tree from identity's events.
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.CatalogueDb,
            $"SELECT count(*) FROM org_units WHERE id IN ('{sales}', '{emea}', '{finance}')"), n => n == 3, TimeSpan.FromSeconds(30), "org units copied");

        var word = $"zv{Guid.NewGuid():N}"[..12];
        var category = await CreateCategoryAsync(admin, "Sales training");
        var code = NewCode("VIS");
        var id = await PublishedCourseAsync(admin, code, Draft($"Negotiation {word}", category, d => d["visibility"] = new { everyone = false, orgUnitIds = new[] { sales } }));
        var openCode = NewCode("OPEN");
        await PublishedCourseAsync(admin, openCode, Draft($"Open to all {word}", category));

        var (_, _, insider) = await People.CreateSignedInAsync(platform.App, admin, "emea", null, [], emea);
        var (_, _, outsider) = await People.CreateSignedInAsync(platform.App, admin, "finance", null, [], finance);
        using var inside = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), insider.AccessToken);
        using var outside = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), outsider.AccessToken);

        Assert.Equal([code, openCode], Codes(await SearchAsync(inside, $"q={word}&sort=title")).OrderBy(c => c.StartsWith("VIS") ? 0 : 1));
        Assert.Equal(HttpStatusCode.OK, (await inside.GetAsync($"/api/catalogue/courses/{id}")).StatusCode);
        Assert.Equal([openCode], Codes(await SearchAsync(outside, $"q={word}")));
        Assert.Equal(HttpStatusCode.NotFound, (await outside.GetAsync($"/api/catalogue/courses/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outside.GetAsync($"/api/catalogue/courses/{id}/versions/1")).StatusCode);
        // Learners do not see drafts or the management lists.
        Assert.Equal(HttpStatusCode.Forbidden, (await outside.GetAsync($"/api/catalogue/courses/{id}/draft")).StatusCode);
        // The administrator sees everything.
        Assert.Contains(code, Codes(await SearchAsync(admin, $"q={word}")));
    }

    [Fact]
    public async Task A_publish_moves_the_cache_generation_twice_once_at_commit_and_once_when_its_event_returns()
    {
        // The second move covers a Redis that was unreachable at commit; it comes from the catalogue's own event,
        // which travels in an envelope like every event.
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(platform.App.GetConnectionString(ResourceNames.Redis));
        async Task<long> GenerationAsync() => (long?)await redis.GetDatabase().StringGetAsync("catalogue:generation") ?? 0;
        var category = await CreateCategoryAsync(platform.Gateway, "Generation");
        await Task.Delay(2000); // the category's own moves settle
        var before = await GenerationAsync();

        await PublishedCourseAsync(platform.Gateway, NewCode("GEN"), Draft("Generation check", category));

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await GenerationAsync() < before + 2 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(before + 2, await GenerationAsync());
    }

    [Fact]
    public async Task A_learner_reads_the_new_version_right_after_publish_and_nothing_after_archive()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Cache");
        var word = $"zc{Guid.NewGuid():N}"[..12];
        var code = NewCode("CACHE");
        var id = await PublishedCourseAsync(admin, code, Draft($"Version one {word}", category));
        var (_, _, learnerTokens) = await People.CreateSignedInAsync(platform.App, admin, "reader");
        using var learner = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), learnerTokens.AccessToken);

        using (var first = await learner.GetAsync($"/api/catalogue/courses/{id}")) Assert.Equal("miss", first.Headers.GetValues("X-Cache").Single());
        using (var second = await learner.GetAsync($"/api/catalogue/courses/{id}"))
        {
            Assert.Equal("hit", second.Headers.GetValues("X-Cache").Single());
            Assert.Equal($"Version one {word}", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        using (var search = await learner.GetAsync($"/api/catalogue/search?q={word}")) Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using (var searchAgain = await learner.GetAsync($"/api/catalogue/search?q={word}")) Assert.Equal("hit", searchAgain.Headers.GetValues("X-Cache").Single());

        using (var saved = await admin.PutAsJsonAsync($"/api/catalogue/courses/{id}/draft", Draft($"Version two {word}", category)))
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        // A draft does not touch what learners read.
        using (var stillOne = await learner.GetAsync($"/api/catalogue/courses/{id}"))
            Assert.Equal($"Version one {word}", (await stillOne.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        await PublishAsync(admin, "courses", id);
        // Read after write, straight after the publish returned: no waiting for events.
        var afterPublish = await learner.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}");
        Assert.Equal($"Version two {word}", afterPublish.GetProperty("title").GetString());
        Assert.Equal(2, afterPublish.GetProperty("version").GetInt32());
        var found = await SearchAsync(learner, $"q={word}");
        Assert.Equal($"Version two {word}", found.GetProperty("items")[0].GetProperty("title").GetString());

        using (var archived = await admin.PostAsync($"/api/catalogue/courses/{id}/archive", null)) Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await learner.GetAsync($"/api/catalogue/courses/{id}")).StatusCode);
        Assert.Equal(0, (await SearchAsync(learner, $"q={word}")).GetProperty("totalCount").GetInt64());
    }

    [Fact]
    public async Task Malformed_input_is_refused_whole_and_markup_is_stored_verbatim_but_never_rendered_live()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Input");
        var before = await platform.CountAsync(ResourceNames.CatalogueDb, "SELECT count(*) FROM courses");

        using (var oversized = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("BIG"), draft = Draft(new string('x', 201), category) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, oversized.StatusCode);
            Assert.Contains("draft.title", await oversized.Content.ReadAsStringAsync());
        }
        using (var unknownCategory = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("CAT"), draft = Draft("Lost", Guid.NewGuid()) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownCategory.StatusCode);
            Assert.Contains("draft.categoryId", await unknownCategory.Content.ReadAsStringAsync());
        }
        using (var badActivity = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("ACT"), draft = Draft("Bad", category, d =>
                   d["sections"] = new[] { new { title = "S", activities = new object[] { new { kind = "link", title = "L", url = "javascript:alert(1)" }, new { kind = "quiz", title = "Q" } } } }) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badActivity.StatusCode);
            var errors = (await badActivity.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty("draft.sections[0].activities[0].url", out _));
            Assert.True(errors.TryGetProperty("draft.sections[0].activities[1].kind", out _));
        }
        using (var tooManyTags = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("TAGS"), draft = Draft("Tags", category, d => d["tags"] = Enumerable.Range(0, 21).Select(i => $"t{i}").ToArray()) }))
            Assert.Equal(HttpStatusCode.BadRequest, tooManyTags.StatusCode);
        using (var badCompliance = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("COMP"), draft = Draft("C", category, d => d["compliance"] = new { recertificationWindowDays = 30 }) }))
            Assert.Equal(HttpStatusCode.BadRequest, badCompliance.StatusCode);
        using (var malformed = await admin.PostAsync("/api/catalogue/courses", new StringContent("{\"code\": ", System.Text.Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(before, await platform.CountAsync(ResourceNames.CatalogueDb, "SELECT count(*) FROM courses"));

        const string title = "<script>alert('t')</script><b>Fire</b>";
        const string description = "Read <script>alert('d')</script> and [this](javascript:alert('l')) and <img src=x onerror=alert('i')> **now**.";
        var code = NewCode("XSS");
        var id = await PublishedCourseAsync(admin, code, Draft(title, category, d => d["description"] = description));
        using (var duplicate = await admin.PostAsJsonAsync("/api/catalogue/courses", new { code = code.ToLowerInvariant(), draft = Draft("Same code", category) }))
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        using var read = await admin.GetAsync($"/api/catalogue/courses/{id}");
        Assert.Equal("application/json", read.Content.Headers.ContentType!.MediaType);
        var view = await read.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(title, view.GetProperty("title").GetString());
        Assert.Equal(description, view.GetProperty("description").GetString());
        var html = view.GetProperty("descriptionHtml").GetString()!;
        Assert.Contains("<strong>now</strong>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        // Publishing is announced once (a draft is not announced: nothing consumes it).
        Assert.Equal(1, await OutboxCountAsync(platform, "CoursePublished", id, "courseId"));
    }

    private static async Task<Guid> CreateOrgUnitAsync(HttpClient admin, string name, Guid? parentId)
    {
        using var response = await admin.PostAsJsonAsync("/api/identity/org-units", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], parentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
