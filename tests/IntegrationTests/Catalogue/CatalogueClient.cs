using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Catalogue;

/// <summary>Test helpers for building a catalogue through the gateway.</summary>
public static class CatalogueClient
{
    public static async Task<Guid> CreateCategoryAsync(HttpClient admin, string name, Guid? parentId = null)
    {
        using var response = await admin.PostAsJsonAsync("/api/catalogue/categories", new { name = $"{name} {Guid.NewGuid():N}"[..(name.Length + 9)], parentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    public static string NewCode(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20].ToUpperInvariant();

    /// <summary>A draft that can be published: one section, one required activity, a category and a duration.</summary>
    public static Dictionary<string, object?> Draft(string title, Guid categoryId, Action<Dictionary<string, object?>>? change = null)
    {
        var draft = new Dictionary<string, object?>
        {
            ["title"] = title,
            ["summary"] = "A summary.",
            ["description"] = "A *description*.",
            ["categoryId"] = categoryId,
            ["tags"] = new[] { "Onboarding" },
            ["language"] = "en",
            ["deliveryType"] = "e-learning",
            ["durationMinutes"] = 45,
            ["sections"] = new[]
            {
                new { title = "Start", activities = new object[]
                {
                    new { kind = "content", title = "Video", contentItemId = Guid.NewGuid(), required = true },
                    new { kind = "link", title = "Policy", url = "https://example.org/policy", required = false },
                } },
            },
        };
        change?.Invoke(draft);
        return draft;
    }

    public static async Task<Guid> CreateCourseAsync(HttpClient client, string code, object draft)
    {
        using var response = await client.PostAsJsonAsync("/api/catalogue/courses", new { code, draft });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {code}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<Guid> CreatePathAsync(HttpClient client, string code, object draft)
    {
        using var response = await client.PostAsJsonAsync("/api/catalogue/paths", new { code, draft });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create {code}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    public static async Task<JsonElement> PublishAsync(HttpClient client, string what, Guid id)
    {
        using var response = await client.PostAsync($"/api/catalogue/{what}/{id}/publish", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"publish {id}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static async Task<Guid> PublishedCourseAsync(HttpClient client, string code, object draft)
    {
        var id = await CreateCourseAsync(client, code, draft);
        await PublishAsync(client, "courses", id);
        return id;
    }

    /// <summary>A published course that enrolment knows of (its copy from CoursePublished), ready to enrol people on.</summary>
    public static async Task<Guid> EnrollableCourseAsync(PlatformFixture platform, string title, Action<Dictionary<string, object?>>? change = null)
    {
        var category = await CreateCategoryAsync(platform.Gateway, "Enrolment");
        var id = await PublishedCourseAsync(platform.Gateway, NewCode("ENR"), Draft(title, category, change));
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{id}' AND \"Version\" > 0"),
            n => n == 1, TimeSpan.FromSeconds(60), "enrolment's copy of the course");
        return id;
    }

    public static async Task<JsonElement> SearchAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/api/catalogue/search?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"search {query}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static List<string> Codes(JsonElement results) =>
        results.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()!).ToList();

    public static long Facet(JsonElement results, string facet, string value) =>
        results.GetProperty("facets").GetProperty(facet).EnumerateArray().Where(f => f.GetProperty("value").GetString() == value)
            .Select(f => f.GetProperty("count").GetInt64()).SingleOrDefault();

    public static async Task<long> OutboxCountAsync(PlatformFixture platform, string type, Guid id, string idField) =>
        await platform.CountAsync(LmsPlatform.Contracts.ResourceNames.CatalogueDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type}' AND payload->>'{idField}' = '{id}'");
}
