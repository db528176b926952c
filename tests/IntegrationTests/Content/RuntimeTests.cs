using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Content;

/// <summary>
/// The learning runtime through the gateway: a learner launches a SCORM package activity of their own enrolment; its
/// files are served from the object store under the launch's token (ranges, ETags, nothing outside the package, a
/// forged token refused); commits are recorded and resumed from; the attempt's progress starts the enrolment and its
/// completion completes it; a finished attempt opens for review and a new attempt starts only when asked for.
/// </summary>
public class RuntimeTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_learner_takes_a_package_and_its_completion_completes_the_enrolment()
    {
        var admin = platform.Gateway;
        var (courseId, activityId) = await CourseWithPackageAsync(platform, "RuntimeBasicCalls_SCORM12.zip", "Golf runtime");
        var (learnerId, learner, enrolmentId) = await EnrolledLearnerAsync(platform, courseId, "player");
        using var _ = learner;

        // The first launch (once content has heard of the enrolment): attempt 1, from the beginning, as this learner.
        var launch = await LaunchAsync(learner, enrolmentId, activityId);
        Assert.Equal(("scorm12", false, 1), (launch.GetProperty("standard").GetString(), launch.GetProperty("review").GetBoolean(), launch.GetProperty("attempt").GetInt32()));
        var data = launch.GetProperty("data");
        Assert.Equal(("ab-initio", learnerId.ToString()), (data.GetProperty("cmi.core.entry").GetString(), data.GetProperty("cmi.core.student_id").GetString()));

        // Nobody else launches through this enrolment.
        var (_, _, otherTokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "intruder");
        using var other = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), otherTokens.AccessToken);
        using (var refused = await other.PostAsJsonAsync("/api/content/launches", new { enrolmentId, activityId }))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);

        // The package's files, with the launch's token and no other credential (as a frame loads them).
        var anonymous = platform.Anonymous;
        var launchUrl = launch.GetProperty("launchUrl").GetString()!;
        Assert.EndsWith("/files/shared/launchpage.html", launchUrl);
        using (var page = await anonymous.GetAsync(launchUrl))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("ScormProcessInitialize", await page.Content.ReadAsStringAsync());
            var etag = page.Headers.ETag;
            Assert.NotNull(etag);
            using var again = new HttpRequestMessage(HttpMethod.Get, launchUrl);
            again.Headers.IfNoneMatch.Add(etag);
            using var notModified = await anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        var filesRoot = launchUrl[..(launchUrl.IndexOf("/files/", StringComparison.Ordinal) + "/files/".Length)];
        using (var range = new HttpRequestMessage(HttpMethod.Get, filesRoot + "Playing/playing.jpg"))
        {
            range.Headers.Range = new RangeHeaderValue(100, 199);
            using var partial = await anonymous.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(100, (await partial.Content.ReadAsByteArrayAsync()).Length);
            Assert.Equal(14025, partial.Content.Headers.ContentRange?.Length);
        }
        using (var outside = await anonymous.GetAsync(filesRoot + "..%2F..%2Fimsmanifest.xml"))
            Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode);
        var forged = launchUrl.Replace("/runtime/", "/runtime/A");
        using (var refused = await anonymous.GetAsync(forged))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // A commit (as the unload beacon sends it: text/plain): the bookmark, suspend data and time are kept, and the
        // first progress starts the enrolment.
        var commitUrl = launch.GetProperty("commitUrl").GetString()!;
        await CommitAsync(anonymous, commitUrl, new Dictionary<string, object>
        {
            ["cmi.core.lesson_status"] = "incomplete", ["cmi.core.lesson_location"] = "3", ["cmi.suspend_data"] = "page=3",
            ["cmi.core.exit"] = "suspend", ["cmi.core.session_time"] = "0000:01:30.00", ["commitSequence"] = 2,
        });
        // An older commit of the same session arriving late changes nothing.
        await CommitAsync(anonymous, commitUrl, new Dictionary<string, object> { ["cmi.core.lesson_location"] = "1", ["commitSequence"] = 1 });
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "InProgress");
        using (var bad = await anonymous.PostAsync(commitUrl, new StringContent("[1,2]", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.False((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("result").GetBoolean());
        }

        // The next launch resumes where the learner left.
        var resumed = await LaunchAsync(learner, enrolmentId, activityId);
        var resumedData = resumed.GetProperty("data");
        Assert.Equal(("resume", "3", "page=3", "0000:01:30.00"), (resumedData.GetProperty("cmi.core.entry").GetString(),
            resumedData.GetProperty("cmi.core.lesson_location").GetString(), resumedData.GetProperty("cmi.suspend_data").GetString(),
            resumedData.GetProperty("cmi.core.total_time").GetString()));
        Assert.Equal(1, resumed.GetProperty("attempt").GetInt32());

        // Passing, then finishing (the player marks the content's finish), completes the activity, and so the course.
        await CommitAsync(anonymous, resumed.GetProperty("commitUrl").GetString()! + "?final=true", new Dictionary<string, object>
        {
            ["cmi.core.lesson_status"] = "passed", ["cmi.core.score.raw"] = "85", ["cmi.core.score.min"] = "0", ["cmi.core.score.max"] = "100",
            ["cmi.core.lesson_location"] = "14", ["cmi.core.exit"] = "", ["cmi.core.session_time"] = "0000:00:30.00", ["commitSequence"] = 1,
        });
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");

        // A finished attempt opens for review (nothing it commits counts); a new attempt starts only when asked for.
        var review = await LaunchAsync(learner, enrolmentId, activityId);
        Assert.True(review.GetProperty("review").GetBoolean());
        Assert.Equal("no-credit", review.GetProperty("data").GetProperty("cmi.core.credit").GetString());
        await CommitAsync(anonymous, review.GetProperty("commitUrl").GetString()!, new Dictionary<string, object> { ["cmi.core.lesson_status"] = "failed" });
        using (var fresh = await learner.PostAsJsonAsync("/api/content/launches", new { enrolmentId, activityId, newAttempt = true }))
            Assert.Equal(2, (await fresh.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("attempt").GetInt32());

        // The attempts, for the learner and for whoever reads enrolments; not for another learner.
        var attempts = await admin.GetFromJsonAsync<JsonElement>($"/api/content/attempts?userId={learnerId}");
        var first = attempts.EnumerateArray().Single(a => a.GetProperty("number").GetInt32() == 1);
        Assert.Equal(("completed", "passed", 0.85, true), (first.GetProperty("completion").GetString(), first.GetProperty("success").GetString(),
            first.GetProperty("score").GetDouble(), first.GetProperty("satisfied").GetBoolean()));
        Assert.Equal(120, first.GetProperty("seconds").GetDouble());
        Assert.Equal("14", first.GetProperty("activities")[0].GetProperty("location").GetString());
        Assert.Equal(2, (await learner.GetFromJsonAsync<JsonElement>("/api/content/attempts")).GetArrayLength());
        using (var forbidden = await other.GetAsync($"/api/content/attempts?userId={learnerId}"))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    /// <summary>
    /// Broken content: a package whose launch file was lost from the store, and content the player saw never start its
    /// session, are each recorded once for the attempt, listed for whoever manages content, and counted by the cockpit's
    /// weekly check; a preview records nothing, and a report the player would not send is refused.
    /// </summary>
    [Fact]
    public async Task A_lost_launch_file_and_content_that_never_starts_are_counted_as_packages_failing_to_launch()
    {
        var admin = platform.Gateway;
        var title = "Broken golf " + Guid.NewGuid().ToString("N")[..6];
        var (courseId, activityId) = await CourseWithPackageAsync(platform, "RuntimeBasicCalls_SCORM12.zip", title);
        var packages = await admin.GetFromJsonAsync<JsonElement>("/api/content/packages?pageSize=100");
        var packageId = packages.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("title").GetString() == title).GetProperty("id").GetGuid();
        var (_, learner, enrolmentId) = await EnrolledLearnerAsync(platform, courseId, "broken");
        using var signedIn = learner;
        var launch = await LaunchAsync(learner, enrolmentId, activityId);
        var itemId = launch.GetProperty("itemId").GetString()!;
        var problemUrl = launch.GetProperty("problemUrl").GetString()!;
        // The player's wait for the content to start: as the platform is configured (15 s for the tests, 60 by default).
        Assert.Equal(15, launch.GetProperty("startSeconds").GetInt32());
        Assert.Equal(launch.GetProperty("commitUrl").GetString()![..^"commit".Length] + "problem", problemUrl);

        // The store loses the launch file: the frame's request is answered 404, and the loss recorded, once.
        File.Delete(Path.Combine(platform.App.DataDirectory, "content-store", "packages", packageId.ToString("N"), "shared", "launchpage.html"));
        var anonymous = platform.Anonymous;
        for (var i = 0; i < 2; i++)
            using (var missing = await anonymous.GetAsync(launch.GetProperty("launchUrl").GetString()))
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // A missing file that is not an activity's launch file (an optional image, say) is not broken content.
        var filesRoot = problemUrl[..problemUrl.IndexOf("/scos/", StringComparison.Ordinal)] + "/files/";
        using (var other = await anonymous.GetAsync(filesRoot + "shared/no-such-image.png"))
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        // The player's report that the content did not start; one it would not send is refused.
        using (var refused = await anonymous.PostAsJsonAsync(problemUrl, new { kind = "crashed", seconds = 0 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty("kind", out _) && errors.TryGetProperty("seconds", out _), errors.ToString());
        }
        for (var i = 0; i < 2; i++)
            using (var reported = await anonymous.PostAsJsonAsync(problemUrl, new { kind = "notStarted", seconds = 60 }))
                Assert.Equal(HttpStatusCode.NoContent, reported.StatusCode);
        // A preview (a token of no attempt) records nothing.
        using (var preview = await admin.PostAsJsonAsync($"/api/content/packages/{packageId}/preview", new { }))
        {
            var previewed = await preview.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Null, previewed.GetProperty("problemUrl").ValueKind);
            var token = previewed.GetProperty("commitUrl").GetString()!.Split('/')[4];
            using var dropped = await anonymous.PostAsJsonAsync($"/api/content/runtime/{token}/scos/{Uri.EscapeDataString(itemId)}/problem", new { kind = "notStarted", seconds = 60 });
            Assert.Equal(HttpStatusCode.NoContent, dropped.StatusCode);
        }
        Assert.Equal(2, await platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM launch_problems WHERE \"PackageId\" = '{packageId}'"));

        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/content/launch-problems")).EnumerateArray()
            .Where(p => p.GetProperty("packageId").GetGuid() == packageId).ToList();
        Assert.Equal(["fileMissing", "notStarted"], listed.Select(p => p.GetProperty("kind").GetString()).Order());
        Assert.All(listed, p => Assert.Equal((title, itemId, 1), (p.GetProperty("package").GetString(), p.GetProperty("itemId").GetString(), p.GetProperty("learners").GetInt32())));
        Assert.Contains("shared/launchpage.html", listed.Single(p => p.GetProperty("kind").GetString() == "fileMissing").GetProperty("detail").GetString());

        var cockpit = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/analytics/operations/checks"),
            c => c.GetProperty("checks").EnumerateArray().Any(k => k.GetProperty("key").GetString() == "content.failing-launches"
                                                                   && k.GetProperty("detail").GetString()?.Contains(title) == true),
            TimeSpan.FromSeconds(60), "the broken package in the cockpit");
        var check = cockpit.GetProperty("checks").EnumerateArray().Single(k => k.GetProperty("key").GetString() == "content.failing-launches");
        Assert.Equal(("weekly", "attention", "manage/packages#launch-problems"),
            (check.GetProperty("cadence").GetString(), check.GetProperty("status").GetString(), check.GetProperty("link").GetString()));
        Assert.True(check.GetProperty("count").GetInt64() >= 1);
    }

    [Fact]
    public async Task Launches_at_the_same_moment_open_one_attempt_and_none_fails()
    {
        var admin = platform.Gateway;
        var (courseId, activityId) = await CourseWithPackageAsync(platform, "RuntimeBasicCalls_SCORM12.zip", "Golf twice");
        var (learnerId, learner, enrolmentId) = await EnrolledLearnerAsync(platform, courseId, "doubleclick");
        using var _ = learner;
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "content's copy of the enrolment");

        // A double click, and two more tabs: every launch answers, all with the one first attempt.
        var launches = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await learner.PostAsJsonAsync("/api/content/launches", new { enrolmentId, activityId });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement;
        }));
        Assert.Single(launches.Select(l => l.GetProperty("attemptId").GetGuid()).Distinct());
        Assert.All(launches, l => Assert.Equal(1, l.GetProperty("attempt").GetInt32()));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM scorm_attempts WHERE \"EnrolmentId\" = '{enrolmentId}'"));
    }

    [Fact]
    public async Task After_the_enrolment_is_reset_the_next_launch_is_a_new_attempt_whose_completion_completes_it_again()
    {
        var admin = platform.Gateway;
        var (courseId, activityId) = await CourseWithPackageAsync(platform, "RuntimeBasicCalls_SCORM12.zip", "Golf again");
        var (learnerId, learner, enrolmentId) = await EnrolledLearnerAsync(platform, courseId, "recertifier");
        using var _ = learner;
        var passed = new Dictionary<string, object> { ["cmi.core.lesson_status"] = "passed", ["cmi.core.exit"] = "", ["commitSequence"] = 1 };
        var first = await LaunchAsync(learner, enrolmentId, activityId);
        await CommitAsync(platform.Anonymous, first.GetProperty("commitUrl").GetString()! + "?final=true", passed);
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");

        // Started again (a recertification, say): content hears of it, and the finished attempt is not simply reopened.
        using (var reset = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{enrolmentId}/reset", new { reason = "Annual refresher" }))
            Assert.True(reset.IsSuccessStatusCode, await reset.Content.ReadAsStringAsync());
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.ContentDb,
                $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}' AND \"ResetAt\" IS NOT NULL"),
            n => n == 1, TimeSpan.FromSeconds(30), "content hearing of the reset");
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Enrolled");
        var second = await LaunchAsync(learner, enrolmentId, activityId);
        Assert.Equal((2, false), (second.GetProperty("attempt").GetInt32(), second.GetProperty("review").GetBoolean()));
        Assert.Equal("ab-initio", second.GetProperty("data").GetProperty("cmi.core.entry").GetString());
        Assert.Equal(2, (await LaunchAsync(learner, enrolmentId, activityId)).GetProperty("attempt").GetInt32()); // and resumed from then on
        await CommitAsync(platform.Anonymous, second.GetProperty("commitUrl").GetString()! + "?final=true", passed);
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");
    }

    /// <summary>A published course whose one required activity opens the sample package (uploaded here); its id and the activity's.</summary>
    public static Task<(Guid CourseId, Guid ActivityId)> CourseWithPackageAsync(PlatformFixture platform, string sample, string title) =>
        CourseWithPackageAsync(platform, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "scorm", sample)), sample, title);

    /// <summary>The same, for a package made by the test (<paramref name="zip"/>, uploaded as <paramref name="sample"/>).</summary>
    public static async Task<(Guid CourseId, Guid ActivityId)> CourseWithPackageAsync(PlatformFixture platform, byte[] zip, string sample, string title)
    {
        var admin = platform.Gateway;
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var uploaded = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent { { file, "file", sample }, { new StringContent(title), "title" } });
        var packageId = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var courseId = await EnrollableCourseAsync(platform, title, d => d["sections"] = new[]
        {
            new { title = "Lesson", activities = new object[] { new { kind = "content", title = title, contentItemId = packageId, required = true } } },
        });
        var course = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseId}");
        var activityId = course.GetProperty("sections")[0].GetProperty("activities")[0].GetProperty("id").GetGuid();
        return (courseId, activityId);
    }

    /// <summary>A new person, signed in (their client through the gateway), known to enrolment and enrolled on the course.</summary>
    public static async Task<(Guid LearnerId, HttpClient Learner, Guid EnrolmentId)> EnrolledLearnerAsync(PlatformFixture platform, Guid courseId, string name)
    {
        var (learnerId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, platform.Gateway, name);
        var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(platform.Gateway, learnerId);
        return (learnerId, learner, await EnrolAsync(platform.Gateway, learnerId, courseId));
    }

    public static async Task<Guid> EnrolAsync(HttpClient admin, Guid userId, Guid courseId)
    {
        using var created = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    /// <summary>A launch, once content has its copies of the enrolment and the course (from their events).</summary>
    public static async Task<JsonElement> LaunchAsync(HttpClient learner, Guid enrolmentId, Guid activityId)
    {
        var (status, body) = await Eventually.ReachesAsync(async () =>
        {
            using var response = await learner.PostAsJsonAsync("/api/content/launches", new { enrolmentId, activityId });
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode != HttpStatusCode.NotFound, TimeSpan.FromSeconds(30), "content's copy of the enrolment");
        Assert.True(status == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task CommitAsync(HttpClient client, string url, Dictionary<string, object> cmi)
    {
        using var response = await client.PostAsync(url, new StringContent(JsonSerializer.Serialize(cmi), Encoding.UTF8, "text/plain"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("result").GetBoolean());
    }
}
