using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// A learning path enrols into its courses (the path the reason, its due date theirs), holds people to its own
/// prerequisites, and completes by its rule: every required course and k of the optional ones, waivers counting.
/// </summary>
public class PathEnrolmentTests(PlatformFixture platform)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_path_enrols_into_its_courses_and_completes_with_every_required_one_and_k_optional_ones()
    {
        var admin = platform.Gateway;
        var required = await EnrollableCourseAsync(platform, "Onboarding: safety");
        var optionalA = await EnrollableCourseAsync(platform, "Onboarding: tools A");
        var optionalB = await EnrollableCourseAsync(platform, "Onboarding: tools B");
        var before = await EnrollableCourseAsync(platform, "Induction");
        var category = await CreateCategoryAsync(admin, "Paths");
        var pathId = await CreatePathAsync(admin, NewCode("PTH"), new Dictionary<string, object?>
        {
            ["title"] = "New starter programme", ["categoryId"] = category, ["language"] = "en",
            ["courses"] = new object[] { new { courseId = required, required = true }, new { courseId = optionalA, required = false }, new { courseId = optionalB, required = false } },
            ["optionalToComplete"] = 1, ["compliance"] = new { dueWithinDays = 60 },
        });
        using (var set = await admin.PutAsJsonAsync($"/api/catalogue/paths/{pathId}/prerequisites", new { items = new[] { before } }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await PublishAsync(admin, "paths", pathId);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM learning_paths WHERE \"PathId\" = '{pathId}' AND \"Version\" = 1 AND \"Prerequisites\" = ARRAY['{before}']::uuid[]"),
            n => n == 1, Soon, "enrolment's copy of the path");

        var (userId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "starter");
        await EnrolmentClient.LearnerCopyAsync(admin, userId);

        // The path's prerequisite holds them back; an administrator's override, with the reason, lets them on.
        var refused = await AssignAsync(admin, pathId, new { userIds = new[] { userId } });
        Assert.Equal(1, refused.GetProperty("refused").GetInt32());
        Assert.Contains("has not completed the prerequisites", refused.GetProperty("outcomes")[0].GetProperty("reason").GetString());
        var assigned = await AssignAsync(admin, pathId, new { userIds = new[] { userId }, overridePrerequisites = "induction done at the previous site" });
        Assert.Equal(1, assigned.GetProperty("enrolled").GetInt32());
        Assert.Equal(1, (await AssignAsync(admin, pathId, new { userIds = new[] { userId } })).GetProperty("alreadyEnrolled").GetInt32());

        // Each course is assigned with the path as the reason and the path's due date (60 days).
        var courses = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(new[] { required, optionalA, optionalB }.Order(), courses.Select(c => c.GetProperty("courseId").GetGuid()).Order());
        Assert.All(courses, c =>
        {
            Assert.Equal("LearningPath", c.GetProperty("source").GetString());
            Assert.Equal(pathId.ToString(), c.GetProperty("sourceReference").GetString());
            Assert.InRange(c.GetProperty("dueAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(59), DateTimeOffset.UtcNow.AddDays(61));
        });
        Guid EnrolmentOn(Guid course) => courses.Single(c => c.GetProperty("courseId").GetGuid() == course).GetProperty("id").GetGuid();

        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        async Task<JsonElement> MineAsync() => (await learner.GetFromJsonAsync<JsonElement>("/api/enrolment/me/paths")).GetProperty("items")[0];
        var progress = await MineAsync();
        Assert.Equal("New starter programme", progress.GetProperty("title").GetString());
        Assert.Equal((0, 1, 0, 1), (progress.GetProperty("requiredDone").GetInt32(), progress.GetProperty("required").GetInt32(),
            progress.GetProperty("optionalDone").GetInt32(), progress.GetProperty("optionalNeeded").GetInt32()));

        // Required done, no optional one yet: not complete. One optional, waived, makes up the number: complete.
        var safetyDone = DateTimeOffset.UtcNow.AddDays(-2);
        using (var done = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{EnrolmentOn(required)}/complete", new { completedAt = safetyDone, reason = "classroom" }))
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await Eventually.ReachesAsync(MineAsync, p => p.GetProperty("requiredDone").GetInt32() == 1, Soon, "required done");
        await Task.Delay(TimeSpan.FromSeconds(2)); // a follow-up round has passed: it must not have completed the path
        Assert.Equal("Enrolled", (await MineAsync()).GetProperty("status").GetString());
        using (var waived = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{EnrolmentOn(optionalB)}/waive", new { reason = "tool B certificate held" }))
            Assert.Equal(HttpStatusCode.OK, waived.StatusCode);
        var completed = await Eventually.ReachesAsync(MineAsync, p => p.GetProperty("status").GetString() == "Completed", Soon, "path completed");
        Assert.Equal(1, completed.GetProperty("optionalDone").GetInt32());
        Assert.True(completed.GetProperty("completedAt").GetDateTimeOffset() > safetyDone, "completed when the waiver made up the rule");
        Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.LearningPathCompleted' AND payload->>'userId' = '{userId}' AND payload->>'learningPathId' = '{pathId}'"));

        // The administrator's list shows the same, with the person's name.
        var list = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/paths/{pathId}/enrolments");
        Assert.Equal(1, list.GetProperty("totalCount").GetInt32());
        Assert.Equal("Completed", list.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.StartsWith("starter", list.GetProperty("items")[0].GetProperty("learnerName").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await learner.GetAsync($"/api/enrolment/paths/{pathId}/enrolments")).StatusCode);

        // A path that people ask for, a training manager approving: the approval enrols them on the path and its courses.
        var asked = await CreatePathAsync(admin, NewCode("PTA"), new Dictionary<string, object?>
        {
            ["title"] = "Tools deep dive", ["categoryId"] = category, ["language"] = "en", ["selfEnrolment"] = "administrator-approval",
            ["courses"] = new object[] { new { courseId = optionalA, required = true } }, ["optionalToComplete"] = 0,
        });
        await PublishAsync(admin, "paths", asked);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM learning_paths WHERE \"PathId\" = '{asked}' AND \"SelfEnrolment\" = 'administrator-approval'"), n => n == 1, Soon, "the path's copy");
        Guid requestId;
        using (var request = await learner.PostAsJsonAsync($"/api/enrolment/me/paths/{asked}/enrol", new { note = "for the tooling project" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
            var body = await request.Content.ReadFromJsonAsync<JsonElement>();
            (requestId, var kind) = (body.GetProperty("id").GetGuid(), body.GetProperty("kind").GetString());
            Assert.Equal(("learning-path", "Administrator"), (kind, body.GetProperty("approval").GetString()));
        }
        Assert.Equal("requested", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/paths/{asked}")).GetProperty("state").GetString());
        using (var approved = await admin.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/approve", new { }))
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        Assert.Equal("enrolled", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/paths/{asked}")).GetProperty("state").GetString());
        var onPath = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/paths/{asked}/enrolments")).GetProperty("items")[0];
        Assert.Equal(("SelfEnrolment", requestId.ToString()), (onPath.GetProperty("source").GetString(), onPath.GetProperty("sourceReference").GetString()));
    }

    private static async Task<JsonElement> AssignAsync(HttpClient admin, Guid pathId, object body)
    {
        using var response = await admin.PostAsJsonAsync($"/api/enrolment/paths/{pathId}/enrolments", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
