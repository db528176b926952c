using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using LmsPlatform.IntegrationTests.Identity;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Catalogue;

/// <summary>Courses and paths from draft to published to archived, through the gateway, with their events.</summary>
public class CatalogueLifecycleTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_course_is_published_in_immutable_versions_and_retired_by_a_successor()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Safety");
        var code = NewCode("LIFE");

        // Created empty: publishing refuses it and says why.
        var id = await CreateCourseAsync(admin, code, new { title = "Fire safety" });
        using (var empty = await admin.PostAsync($"/api/catalogue/courses/{id}/publish", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
            var errors = (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty("sections", out _));
            Assert.True(errors.TryGetProperty("categoryId", out _));
            Assert.True(errors.TryGetProperty("durationMinutes", out _));
        }
        using (var learnerView = await admin.GetAsync($"/api/catalogue/courses/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, learnerView.StatusCode); // never published

        // A draft with a section that has no activity is still broken.
        using (var broken = await admin.PutAsJsonAsync($"/api/catalogue/courses/{id}/draft", Draft("Fire safety", category, d =>
                   d["sections"] = new[] { new { title = "Empty", activities = Array.Empty<object>() } })))
            Assert.Equal(HttpStatusCode.OK, broken.StatusCode);
        using (var stillBroken = await admin.PostAsync($"/api/catalogue/courses/{id}/publish", null))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, stillBroken.StatusCode);

        var compliance = new { dueWithinDays = 30, dueFrom = "hire", validityMonths = 12, recertificationWindowDays = 60 };
        using (var saved = await admin.PutAsJsonAsync($"/api/catalogue/courses/{id}/draft", Draft("Fire safety", category, d => d["compliance"] = compliance)))
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var v1 = await PublishAsync(admin, "courses", id);
        Assert.Equal(1, v1.GetProperty("version").GetInt32());
        Assert.Equal("published", v1.GetProperty("status").GetString());

        // CoursePublished carries the version and the compliance settings.
        await using (var db = new Npgsql.NpgsqlConnection(platform.App.GetConnectionString(ResourceNames.CatalogueDb)))
        {
            await db.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"SELECT payload::text FROM outbox_messages WHERE type LIKE '%.CoursePublished' AND payload->>'courseId' = '{id}'", db);
            var published = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement;
            Assert.Equal(1, published.GetProperty("version").GetInt32());
            Assert.Equal(12, published.GetProperty("compliance").GetProperty("validityMonths").GetInt32());
            Assert.Equal("hire", published.GetProperty("compliance").GetProperty("dueFrom").GetString());
            Assert.Equal(1, published.GetProperty("requiredActivityIds").GetArrayLength());
        }

        // Editing a published course opens a new draft; the published version does not move until it is published.
        using (var again = await admin.PostAsync($"/api/catalogue/courses/{id}/publish", null))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode); // no draft
        using var opened = await admin.PostAsync($"/api/catalogue/courses/{id}/draft", null);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var etag = opened.Headers.ETag!.Tag;
        using (var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/catalogue/courses/{id}/draft") { Content = JsonContent.Create(Draft("Fire safety 2027", category)) })
        {
            edit.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
            using var edited = await admin.SendAsync(edit);
            Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        }
        using (var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/catalogue/courses/{id}/draft") { Content = JsonContent.Create(Draft("Lost update", category)) })
        {
            stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag));
            using var refused = await admin.SendAsync(stale);
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }
        Assert.Equal("Fire safety", (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}")).GetProperty("title").GetString());
        var v2 = await PublishAsync(admin, "courses", id);
        Assert.Equal(2, v2.GetProperty("version").GetInt32());
        Assert.Equal("Fire safety 2027", (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}")).GetProperty("title").GetString());
        // Version 1 is kept as it was, for the learners who started on it.
        var old = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}/versions/1");
        Assert.Equal("Fire safety", old.GetProperty("title").GetString());
        var history = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}/versions");
        Assert.Equal([2, 1], history.EnumerateArray().Select(v => v.GetProperty("number").GetInt32()));

        // Replaced by a successor: archived, out of search, both events written, not publishable again.
        var successor = await PublishedCourseAsync(admin, NewCode("NEXT"), Draft("Fire safety, new edition", category));
        using (var self = await admin.PostAsJsonAsync($"/api/catalogue/courses/{id}/replace", new { replacedByCourseId = id }))
            Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        using (var replaced = await admin.PostAsJsonAsync($"/api/catalogue/courses/{id}/replace", new { replacedByCourseId = successor }))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
            var view = await replaced.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("archived", view.GetProperty("status").GetString());
            Assert.Equal(successor, view.GetProperty("replacedByCourseId").GetGuid());
        }
        Assert.Equal(1, await OutboxCountAsync(platform, "CourseArchived", id, "courseId"));
        Assert.Equal(1, await OutboxCountAsync(platform, "CourseReplaced", id, "courseId"));
        Assert.DoesNotContain(code, Codes(await SearchAsync(admin, $"q={Uri.EscapeDataString("fire safety")}&pageSize=200")));
        using (var republish = await admin.PostAsync($"/api/catalogue/courses/{id}/publish", null))
            Assert.Equal(HttpStatusCode.Conflict, republish.StatusCode);
        // The history stays readable.
        Assert.Equal("Fire safety", (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{id}/versions/1")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_learning_path_asks_for_all_required_and_k_of_n_optional_courses()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Paths");
        var required = await PublishedCourseAsync(admin, NewCode("REQ"), Draft("Required one", category));
        var optional = new List<Guid>();
        for (var i = 0; i < 3; i++)
            optional.Add(await PublishedCourseAsync(admin, NewCode("OPT"), Draft($"Optional {i}", category, d => d["durationMinutes"] = 10 * (i + 1))));
        var draftOnly = await CreateCourseAsync(admin, NewCode("DRAFT"), Draft("Not yet published", category));
        // An activity's kind comes back as it went in ("content", "link"), not as a number.
        var requiredCourse = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{required}");
        static IEnumerable<JsonElement> ActivityKinds(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => e.EnumerateObject().SelectMany(p => p.Name == "activities"
                ? p.Value.EnumerateArray().Select(a => a.GetProperty("kind"))
                : ActivityKinds(p.Value)),
            JsonValueKind.Array => e.EnumerateArray().SelectMany(ActivityKinds),
            _ => [],
        };
        Assert.Equal(["content", "link"], ActivityKinds(requiredCourse).Select(k => k.ValueKind == JsonValueKind.String ? k.GetString()! : k.GetRawText()).ToArray());

        var code = NewCode("PATH");
        object PathDraft(int k, params Guid[] extra) => new
        {
            title = "New manager programme", categoryId = category, optionalToComplete = k,
            courses = new[] { new { courseId = required, required = true } }
                .Concat(optional.Select(o => new { courseId = o, required = false }))
                .Concat(extra.Select(e => new { courseId = e, required = false })).ToArray(),
        };
        using (var tooMany = await admin.PostAsJsonAsync("/api/catalogue/paths", new { code, draft = PathDraft(4) }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
            Assert.Contains("draft.optionalToComplete", await tooMany.Content.ReadAsStringAsync());
        }
        using var created = await admin.PostAsJsonAsync("/api/catalogue/paths", new { code, draft = PathDraft(2, draftOnly) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        using (var unpublishedCourse = await admin.PostAsync($"/api/catalogue/paths/{id}/publish", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, unpublishedCourse.StatusCode);
            Assert.Contains(draftOnly.ToString(), await unpublishedCourse.Content.ReadAsStringAsync());
        }
        using (var fixedDraft = await admin.PutAsJsonAsync($"/api/catalogue/paths/{id}/draft", PathDraft(2)))
            Assert.Equal(HttpStatusCode.OK, fixedDraft.StatusCode);
        var published = await PublishAsync(admin, "paths", id);
        Assert.Equal(1, published.GetProperty("version").GetInt32());
        // 45 minutes required plus the two shortest optional ones (10 and 20).
        Assert.Equal(75, published.GetProperty("durationMinutes").GetInt32());
        Assert.Equal([required, .. optional], published.GetProperty("courses").EnumerateArray().Select(c => c.GetProperty("courseId").GetGuid()));

        await using (var db = new Npgsql.NpgsqlConnection(platform.App.GetConnectionString(ResourceNames.CatalogueDb)))
        {
            await db.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand($"SELECT payload::text FROM outbox_messages WHERE type LIKE '%.LearningPathPublished' AND payload->>'learningPathId' = '{id}'", db);
            var evt = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement;
            Assert.Equal(2, evt.GetProperty("optionalToComplete").GetInt32());
            Assert.Equal(4, evt.GetProperty("courses").GetArrayLength());
            Assert.True(evt.GetProperty("courses")[0].GetProperty("required").GetBoolean());
            Assert.False(evt.GetProperty("courses")[1].GetProperty("required").GetBoolean());
        }
        Assert.Contains(code, Codes(await SearchAsync(admin, $"kind=learning-path&category={category}")));

        using (var archived = await admin.PostAsync($"/api/catalogue/paths/{id}/archive", null))
            Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        Assert.Equal(1, await OutboxCountAsync(platform, "LearningPathArchived", id, "learningPathId"));
        Assert.DoesNotContain(code, Codes(await SearchAsync(admin, $"kind=learning-path&category={category}")));
    }

    [Fact]
    public async Task A_prerequisite_that_would_make_a_cycle_is_refused_with_the_cycle_named()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Graph");
        var (a, b, c) = (NewCode("A"), NewCode("B"), NewCode("C"));
        var courseA = await CreateCourseAsync(admin, a, Draft("A", category));
        var courseB = await CreateCourseAsync(admin, b, Draft("B", category));
        using var pathCreated = await admin.PostAsJsonAsync("/api/catalogue/paths", new { code = c, draft = new { title = "C" } });
        var pathC = (await pathCreated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        // A needs B, B needs the path C, C needs A: the last edge closes the loop.
        using (var ab = await admin.PutAsJsonAsync($"/api/catalogue/courses/{courseA}/prerequisites", new { items = new[] { courseB } }))
            Assert.Equal(HttpStatusCode.OK, ab.StatusCode);
        using (var bc = await admin.PutAsJsonAsync($"/api/catalogue/courses/{courseB}/prerequisites", new { items = new[] { pathC } }))
            Assert.Equal(HttpStatusCode.OK, bc.StatusCode);
        using var ca = await admin.PutAsJsonAsync($"/api/catalogue/paths/{pathC}/prerequisites", new { items = new[] { courseA } });
        Assert.Equal(HttpStatusCode.Conflict, ca.StatusCode);
        var detail = (await ca.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"{c} → {a} → {b} → {c}", detail);
        Assert.Equal(0, await platform.CountAsync(ResourceNames.CatalogueDb, $"SELECT count(*) FROM prerequisites WHERE item_id = '{pathC}'"));

        using (var self = await admin.PutAsJsonAsync($"/api/catalogue/courses/{courseA}/prerequisites", new { items = new[] { courseA } }))
            Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        using (var unknown = await admin.PutAsJsonAsync($"/api/catalogue/courses/{courseA}/prerequisites", new { items = new[] { Guid.NewGuid() } }))
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        // Replacing A's edge removes the loop's first link, so C may now need A.
        using (var cleared = await admin.PutAsJsonAsync($"/api/catalogue/courses/{courseA}/prerequisites", new { items = Array.Empty<Guid>() }))
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        using (var nowFine = await admin.PutAsJsonAsync($"/api/catalogue/paths/{pathC}/prerequisites", new { items = new[] { courseA } }))
            Assert.Equal(HttpStatusCode.OK, nowFine.StatusCode);
        var draftB = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseB}/draft");
        Assert.Equal(c, draftB.GetProperty("prerequisites")[0].GetProperty("code").GetString());
        Assert.Equal("learning-path", draftB.GetProperty("prerequisites")[0].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Training_managers_manage_their_own_courses_and_administrators_everything()
    {
        var admin = platform.Gateway;
        var category = await CreateCategoryAsync(admin, "Owners");
        var (_, _, tm1) = await People.CreateSignedInAsync(platform.App, admin, "tm1", Roles.TrainingManager);
        var (_, _, tm2) = await People.CreateSignedInAsync(platform.App, admin, "tm2", Roles.TrainingManager);
        using var first = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tm1.AccessToken);
        using var second = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tm2.AccessToken);

        var code = NewCode("OWN");
        var id = await CreateCourseAsync(first, code, Draft("Owned by the first", category));
        using (var someoneElses = await first.PostAsJsonAsync("/api/catalogue/courses", new { code = NewCode("OTHER"), ownerUserId = Guid.NewGuid(), draft = Draft("x", category) }))
            Assert.Equal(HttpStatusCode.Forbidden, someoneElses.StatusCode);
        using (var edit = await second.PutAsJsonAsync($"/api/catalogue/courses/{id}/draft", Draft("Taken over", category)))
            Assert.Equal(HttpStatusCode.Forbidden, edit.StatusCode);
        using (var publish = await second.PostAsync($"/api/catalogue/courses/{id}/publish", null))
            Assert.Equal(HttpStatusCode.Forbidden, publish.StatusCode);
        using (var draft = await second.GetAsync($"/api/catalogue/courses/{id}/draft"))
            Assert.Equal(HttpStatusCode.Forbidden, draft.StatusCode);

        Assert.Contains(code, ListedCodes(await first.GetFromJsonAsync<JsonElement>("/api/catalogue/courses?status=draft&pageSize=200")));
        Assert.DoesNotContain(code, ListedCodes(await second.GetFromJsonAsync<JsonElement>("/api/catalogue/courses?pageSize=200")));
        Assert.Contains(code, ListedCodes(await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses?q={code}")));

        // The owner publishes; the administrator may archive anyone's course.
        await PublishAsync(first, "courses", id);
        using (var archived = await admin.PostAsync($"/api/catalogue/courses/{id}/archive", null))
            Assert.Equal(HttpStatusCode.OK, archived.StatusCode);
        Assert.Contains(code, ListedCodes(await first.GetFromJsonAsync<JsonElement>("/api/catalogue/courses?status=archived&pageSize=200")));
    }

    private static List<string> ListedCodes(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()!).ToList();
}
