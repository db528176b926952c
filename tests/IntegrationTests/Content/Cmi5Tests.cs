using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LmsPlatform.IntegrationTests.Content;

/// <summary>
/// cmi5 end to end through the gateway, with the AU played by the test as a browser would play it: the package
/// imported from its course structure, the launch URL with cmi5's parameters, the one-time fetch URL, LMS.LaunchData,
/// the AU's statements under its session's credential (the LMS's rules refuse what cmi5 forbids), moveOn deciding
/// satisfaction with the LMS's "satisfied" statement, the enrolment completed, and an unterminated session abandoned.
/// </summary>
public class Cmi5Tests(PlatformFixture platform)
{
    private const string Structure = """
        <?xml version="1.0" encoding="utf-8"?>
        <courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
          <course id="https://lms.example/cmi5/{0}/course"><title><langstring lang="en-US">Ladder safety</langstring></title>
            <description><langstring lang="en-US">Climbing, safely</langstring></description></course>
          <au id="https://lms.example/cmi5/{0}/quiz" moveOn="CompletedAndPassed" masteryScore="0.8">
            <title><langstring lang="en-US">Quiz</langstring></title><description><langstring lang="en-US">Five questions</langstring></description>
            <url>quiz/index.html</url>
          </au>
        </courseStructure>
        """;

    /// <summary>
    /// An AU as a browser runs it: on load it fetches its credential, reads LMS.LaunchData and says "initialized"; its
    /// button says completed, passed (0.9) and terminated. Written here for the tests (no sample cmi5 package is shipped).
    /// </summary>
    public const string ScriptedAu = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Ladder quiz</title></head>
        <body><main><h1>Ladder quiz</h1><p id="state" role="status">Starting…</p><button id="finish" type="button" disabled>Finish the quiz</button></main>
        <script>
        const q = new URLSearchParams(location.search);
        const endpoint = q.get('endpoint'), actor = JSON.parse(q.get('actor')), registration = q.get('registration'), activityId = q.get('activityId');
        let auth, template;
        const headers = () => ({ Authorization: auth, 'X-Experience-API-Version': '1.0.3' });
        async function send(verb, result) {
          const context = JSON.parse(JSON.stringify(template));
          context.registration = registration;
          context.contextActivities.category = [{ id: 'https://w3id.org/xapi/cmi5/context/categories/cmi5' }];
          if (result && ('success' in result || 'completion' in result)) context.contextActivities.category.push({ id: 'https://w3id.org/xapi/cmi5/context/categories/moveon' });
          const statement = { id: crypto.randomUUID(), actor, verb: { id: 'http://adlnet.gov/expapi/verbs/' + verb }, object: { id: activityId }, context,
            timestamp: new Date().toISOString() };
          if (result) statement.result = result;
          const response = await fetch(endpoint + 'statements', { method: 'POST', headers: { ...headers(), 'Content-Type': 'application/json' }, body: JSON.stringify(statement) });
          if (!response.ok) throw new Error(verb + ': ' + response.status);
        }
        (async () => {
          auth = 'Basic ' + (await (await fetch(q.get('fetch'), { method: 'POST' })).json())['auth-token'];
          const state = new URLSearchParams({ stateId: 'LMS.LaunchData', activityId, agent: JSON.stringify(actor), registration });
          template = (await (await fetch(endpoint + 'activities/state?' + state, { headers: headers() })).json()).contextTemplate;
          await send('initialized');
          document.getElementById('state').textContent = 'Ready';
          document.getElementById('finish').disabled = false;
        })().catch(e => document.getElementById('state').textContent = 'Failed: ' + e.message);
        document.getElementById('finish').onclick = async () => {
          await send('completed', { completion: true, duration: 'PT1M' });
          await send('passed', { success: true, score: { scaled: 0.9 }, duration: 'PT1M' });
          await send('terminated', { duration: 'PT1M' });
          document.getElementById('state').textContent = 'All done';
        };
        </script></body></html>
        """;

    public static ByteArrayContent Package(string tag, string au = "<!doctype html><title>Quiz</title><p>cmi5 AU</p>")
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("cmi5.xml").Open())) writer.Write(Structure.Replace("{0}", tag));
            using (var writer = new StreamWriter(zip.CreateEntry("quiz/index.html").Open())) writer.Write(au);
        }
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return content;
    }

    [Fact]
    public async Task An_au_is_launched_fetches_its_token_once_and_its_pass_satisfies_the_course_and_the_enrolment()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..8];
        // The launch: cmi5's five parameters on the AU's URL, served from the package on the platform's origin.
        var (packageId, activityId, learnerId, learner, enrolmentId, launch) = await LaunchedAsync(tag, "climber");
        using var _ = learner;
        Assert.Equal("cmi5", launch.GetProperty("standard").GetString());
        var url = new Uri(launch.GetProperty("launchUrl").GetString()!);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query);
        var registration = Guid.Parse(query["registration"]!);
        var auActivityId = query["activityId"].ToString();
        Assert.NotEqual($"https://lms.example/cmi5/{tag}/quiz", auActivityId); // the LMS's own IRI, never the publisher id
        var actor = JsonNode.Parse(query["actor"].ToString())!;
        Assert.Equal(learnerId.ToString(), actor["account"]!["name"]!.GetValue<string>());
        Assert.EndsWith("/xapi/", query["endpoint"].ToString());
        using (var page = await platform.Anonymous.GetAsync(url.PathAndQuery)) Assert.Contains("cmi5 AU", await page.Content.ReadAsStringAsync());
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "InProgress");

        // The fetch URL answers once; the second time it gives cmi5's error code 1.
        var fetch = new Uri(query["fetch"]!).PathAndQuery;
        using var fetched = await platform.Anonymous.PostAsync(fetch, null);
        var authToken = (await fetched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth-token").GetString()!;
        using (var again = await platform.Anonymous.PostAsync(fetch, null))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal("1", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error-code").GetString());
        }
        using var au = platform.App.CreateHttpClient(ResourceNames.Gateway);
        au.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", authToken);
        au.DefaultRequestHeaders.Add("X-Experience-API-Version", "1.0.3");

        // LMS.LaunchData: the context template (session id, the publisher id as grouping), moveOn and mastery; the AU may not change it.
        var state = $"/xapi/activities/state?activityId={Uri.EscapeDataString(auActivityId)}&agent={Uri.EscapeDataString(actor.ToJsonString())}&registration={registration}&stateId=LMS.LaunchData";
        var launchData = await au.GetFromJsonAsync<JsonElement>(state);
        Assert.Equal(("CompletedAndPassed", 0.8, "Normal"), (launchData.GetProperty("moveOn").GetString(), launchData.GetProperty("masteryScore").GetDouble(),
            launchData.GetProperty("launchMode").GetString()));
        var template = launchData.GetProperty("contextTemplate");
        Assert.Equal($"https://lms.example/cmi5/{tag}/quiz", template.GetProperty("contextActivities").GetProperty("grouping")[0].GetProperty("id").GetString());
        using (var overwrite = await au.PutAsync(state, new StringContent("{}", Encoding.UTF8, "application/json"))) Assert.Equal(HttpStatusCode.Forbidden, overwrite.StatusCode);

        JsonObject Say(string verb, JsonObject? result = null, JsonNode? who = null)
        {
            var context = JsonNode.Parse(template.GetRawText())!.AsObject();
            context["registration"] = registration.ToString();
            context["contextActivities"]!["category"] = new JsonArray(new JsonObject { ["id"] = "https://w3id.org/xapi/cmi5/context/categories/cmi5" });
            if (result is not null && (result.ContainsKey("success") || result.ContainsKey("completion")))
                context["contextActivities"]!["category"]!.AsArray().Add(new JsonObject { ["id"] = "https://w3id.org/xapi/cmi5/context/categories/moveon" });
            var statement = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(), ["actor"] = (who ?? actor).DeepClone(), ["verb"] = new JsonObject { ["id"] = verb },
                ["object"] = new JsonObject { ["id"] = auActivityId }, ["context"] = context, ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            };
            if (result is not null) statement["result"] = result;
            return statement;
        }
        async Task<HttpStatusCode> SendAsync(JsonObject statement)
        {
            using var response = await au.PostAsync("/xapi/statements", new StringContent(statement.ToJsonString(), Encoding.UTF8, "application/json"));
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/completed", new JsonObject { ["completion"] = true, ["duration"] = "PT1M" }))); // not initialized yet
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Say("http://adlnet.gov/expapi/verbs/initialized")));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/initialized"))); // once a session
        var withoutSession = Say("http://adlnet.gov/expapi/verbs/experienced");
        withoutSession["context"]!["contextActivities"]!.AsObject().Remove("category"); // a cmi5 allowed statement
        withoutSession["context"]!["extensions"]!.AsObject().Clear();
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(withoutSession));
        // What cmi5 forbids an AU: another learner, a pass below the mastery score, voiding, a completion without its
        // duration, a statement in the LMS's voice.
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/completed", new JsonObject { ["completion"] = true })));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Say("https://w3id.org/xapi/adl/verbs/satisfied")));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/initialized",
            who: new JsonObject { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = "https://elsewhere.example", ["name"] = "someone" } })));
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/passed",
            new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.5 }, ["duration"] = "PT1M" })));
        var voiding = Say("http://adlnet.gov/expapi/verbs/voided");
        voiding["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = Guid.NewGuid().ToString() };
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(voiding));

        // Completed alone does not satisfy CompletedAndPassed; the pass does, and the LMS says so.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Say("http://adlnet.gov/expapi/verbs/completed", new JsonObject { ["completion"] = true, ["duration"] = "PT2M" })));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Say("http://adlnet.gov/expapi/verbs/passed",
            new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.9 }, ["duration"] = "PT3M" })));
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/completed", new JsonObject { ["completion"] = true, ["duration"] = "PT1M" }))); // once
        Assert.Equal(HttpStatusCode.BadRequest, await SendAsync(Say("http://adlnet.gov/expapi/verbs/failed",
            new JsonObject { ["success"] = false, ["score"] = new JsonObject { ["scaled"] = 0.1 }, ["duration"] = "PT1M" }))); // not after a pass
        using var reader = await XapiTests.LrsClientAsync(platform, "cmi5 reader", version: "1.0.3");
        var all = await reader.GetFromJsonAsync<JsonElement>($"/xapi/statements?registration={registration}&ascending=true");
        var verbs = all.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("verb").GetProperty("id").GetString()![(s.GetProperty("verb").GetProperty("id").GetString()!.LastIndexOf('/') + 1)..]).ToList();
        Assert.Equal(["launched", "initialized", "completed", "passed", "satisfied"], verbs);
        var satisfied = all.GetProperty("statements")[4];
        Assert.Equal("https://w3id.org/xapi/cmi5/activitytype/course", satisfied.GetProperty("object").GetProperty("definition").GetProperty("type").GetString());

        // The registration is the learner's attempt: each AU with what was received, as a manager's record and the course page show it.
        var attempts = await learner.GetFromJsonAsync<JsonElement>($"/api/content/attempts?enrolmentId={enrolmentId}");
        var attempt = Assert.Single(attempts.EnumerateArray());
        Assert.Equal((registration, "completed", "passed", true), (attempt.GetProperty("id").GetGuid(), attempt.GetProperty("completion").GetString(),
            attempt.GetProperty("success").GetString(), attempt.GetProperty("satisfied").GetBoolean()));
        Assert.Equal(0.9, attempt.GetProperty("activities")[0].GetProperty("score").GetDouble());
        // A training manager's preview: the AU in Browse mode, in a registration of no enrolment; it runs, but completes nothing.
        using (var preview = await admin.PostAsJsonAsync($"/api/content/packages/{packageId}/preview", new { }))
        {
            var opened = await preview.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(preview.StatusCode == HttpStatusCode.OK, opened.ToString());
            Assert.Equal(("cmi5", true), (opened.GetProperty("standard").GetString(), opened.GetProperty("review").GetBoolean()));
            var previewQuery = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(opened.GetProperty("launchUrl").GetString()!).Query);
            using var previewFetch = await platform.Anonymous.PostAsync(new Uri(previewQuery["fetch"]!).PathAndQuery, null);
            using var browser = platform.App.CreateHttpClient(ResourceNames.Gateway);
            browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                (await previewFetch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth-token").GetString());
            browser.DefaultRequestHeaders.Add("X-Experience-API-Version", "1.0.3");
            var browseState = $"/xapi/activities/state?activityId={Uri.EscapeDataString(previewQuery["activityId"]!)}&agent={Uri.EscapeDataString(previewQuery["actor"]!)}"
                              + $"&registration={previewQuery["registration"]}&stateId=LMS.LaunchData";
            Assert.Equal("Browse", (await browser.GetFromJsonAsync<JsonElement>(browseState)).GetProperty("launchMode").GetString());
            using (var unknownAu = await admin.PostAsJsonAsync($"/api/content/packages/{packageId}/preview", new { itemId = "https://nowhere.example/au" }))
                Assert.Equal(HttpStatusCode.BadRequest, unknownAu.StatusCode);
        }
        Assert.DoesNotContain((await admin.GetFromJsonAsync<JsonElement>("/api/content/attempts")).EnumerateArray(), // the preview is no one's attempt
            a => a.GetProperty("packageId").GetGuid() == packageId);

        // Terminated ends the session: no statement is taken after it, while a last state save in flight still lands
        // (the credential's grace period).
        Assert.Equal(HttpStatusCode.OK, await SendAsync(Say("http://adlnet.gov/expapi/verbs/terminated", new JsonObject { ["duration"] = "PT4M" })));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(Say("http://adlnet.gov/expapi/verbs/initialized")));
        var bookmark = state.Replace("stateId=LMS.LaunchData", "stateId=bookmark");
        using (var save = await au.PutAsync(bookmark, new StringContent("{\"page\":3}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.NoContent, save.StatusCode);

        // A session left without terminating is abandoned when the next one is launched.
        await RuntimeTests.LaunchAsync(learner, enrolmentId, activityId);
        await RuntimeTests.LaunchAsync(learner, enrolmentId, activityId);
        var abandoned = await reader.GetFromJsonAsync<JsonElement>(
            $"/xapi/statements?registration={registration}&verb={Uri.EscapeDataString("https://w3id.org/xapi/adl/verbs/abandoned")}");
        var statement = Assert.Single(abandoned.GetProperty("statements").EnumerateArray());
        Assert.StartsWith("PT", statement.GetProperty("result").GetProperty("duration").GetString());
    }

    [Fact]
    public async Task A_bare_course_structure_is_imported_and_an_administrator_waives_its_AUs_which_satisfies_the_block_the_course_and_the_enrolment()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var structure = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
              <course id="https://lms.example/cmi5/{tag}/hosted"><title><langstring>Hosted safety</langstring></title><description><langstring>-</langstring></description></course>
              <block id="https://lms.example/cmi5/{tag}/basics"><title><langstring>Basics</langstring></title><description><langstring>-</langstring></description>
                <au id="https://lms.example/cmi5/{tag}/one" moveOn="Completed"><title><langstring>One</langstring></title><description><langstring>-</langstring></description>
                  <url>https://au.example/one/index.html</url></au>
                <au id="https://lms.example/cmi5/{tag}/two" moveOn="Passed"><title><langstring>Two</langstring></title><description><langstring>-</langstring></description>
                  <url>https://au.example/two/index.html</url></au>
              </block>
            </courseStructure>
            """;
        // A bare cmi5.xml is a package whose AUs live elsewhere; one with a relative URL is refused with its reason.
        using (var bare = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent
                   { { new StringContent(structure.Replace("/hosted", "/uploaded")), "file", "cmi5.xml" } }))
            Assert.Equal(HttpStatusCode.Created, bare.StatusCode);
        using (var relative = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent
                   { { new StringContent(structure.Replace("https://au.example/two/index.html", "two/index.html")), "file", "cmi5.xml" } }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, relative.StatusCode);
            Assert.Contains("absolute", await relative.Content.ReadAsStringAsync());
        }
        // Imported from where the publisher hosts it (here, a server of the test's own on this machine).
        await using var host = await ServeAsync("/hosted/cmi5.xml", structure);
        using (var missing = await admin.PostAsJsonAsync("/api/content/packages/from-url", new { url = host.Url.Replace("cmi5.xml", "gone.xml") }))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
            Assert.Contains("404", await missing.Content.ReadAsStringAsync());
        }
        using (var notUrl = await admin.PostAsJsonAsync("/api/content/packages/from-url", new { url = "file:///etc/passwd" }))
            Assert.Equal(HttpStatusCode.BadRequest, notUrl.StatusCode);
        using var uploaded = await admin.PostAsJsonAsync("/api/content/packages/from-url", new { url = host.Url });
        var package = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, package.ToString());
        Assert.Equal(("cmi5", 0), (package.GetProperty("standard").GetString(), package.GetProperty("fileCount").GetInt32()));
        var packageId = package.GetProperty("id").GetGuid();
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Hosted safety", d => d["sections"] = new[]
        {
            new { title = "Hosted", activities = new object[] { new { kind = "content", title = "Hosted safety", contentItemId = packageId, required = true } } },
        });
        var course = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseId}");
        var activityId = course.GetProperty("sections")[0].GetProperty("activities")[0].GetProperty("id").GetGuid();
        var (learnerId, learner, enrolmentId) = await RuntimeTests.EnrolledLearnerAsync(platform, courseId, "waived");
        using var _ = learner;
        var launch = await RuntimeTests.LaunchAsync(learner, enrolmentId, activityId);
        var url = new Uri(launch.GetProperty("launchUrl").GetString()!);
        Assert.Equal("https://au.example/one/index.html", url.GetLeftPart(UriPartial.Path)); // the AU's own host, with cmi5's parameters
        var registration = Guid.Parse(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query)["registration"]!);

        // Only someone who manages enrolments waives, with one of cmi5's reasons, once per AU.
        async Task<HttpStatusCode> WaiveAsync(HttpClient who, string au, string reason)
        {
            using var response = await who.PostAsJsonAsync($"/api/content/cmi5/registrations/{registration}/waivers", new { auId = $"https://lms.example/cmi5/{tag}/{au}", reason });
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await WaiveAsync(learner, "one", "Tested Out"));
        Assert.Equal(HttpStatusCode.BadRequest, await WaiveAsync(admin, "one", "Bored"));
        Assert.Equal(HttpStatusCode.BadRequest, await WaiveAsync(admin, "three", "Tested Out"));
        Assert.Equal(HttpStatusCode.NoContent, await WaiveAsync(admin, "one", "Tested Out"));
        Assert.Equal(HttpStatusCode.Conflict, await WaiveAsync(admin, "one", "Administrative"));
        using (var unknown = await admin.PostAsJsonAsync($"/api/content/cmi5/registrations/{Guid.NewGuid()}/waivers", new { auId = "x", reason = "Tested Out" }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, await WaiveAsync(admin, "two", "Equivalent AU"));
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");

        // The LRS has it in cmi5's words: two waivers with their reasons, then the block and the course satisfied.
        using var reader = await XapiTests.LrsClientAsync(platform, "waiver reader", version: "1.0.3");
        var all = await reader.GetFromJsonAsync<JsonElement>($"/xapi/statements?registration={registration}&ascending=true");
        var said = all.GetProperty("statements").EnumerateArray().Select(s => (Verb: s.GetProperty("verb").GetProperty("id").GetString()!.Split('/')[^1],
            Type: s.GetProperty("object").TryGetProperty("definition", out var d) && d.TryGetProperty("type", out var t) ? t.GetString()!.Split('/')[^1] : null)).ToList();
        Assert.Equal([("launched", null), ("waived", null), ("waived", null), ("satisfied", "block"), ("satisfied", "course")], said);
        var waived = all.GetProperty("statements")[1];
        Assert.Equal("Tested Out", waived.GetProperty("result").GetProperty("extensions").GetProperty("https://w3id.org/xapi/cmi5/result/extensions/reason").GetString());
        var attempt = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/content/attempts?userId={learnerId}")).EnumerateArray());
        Assert.Equal("cmi5", attempt.GetProperty("kind").GetString());
        Assert.All(attempt.GetProperty("activities").EnumerateArray(), part => Assert.True(part.GetProperty("waived").GetBoolean()));
    }

    /// <summary>A web server of the test's own, on loopback, answering one path with some text (and 404 for anything else).</summary>
    /// <summary>
    /// An AU that fetches its credentials and then never says "initialized" (its script broken, say) is listed among the
    /// packages failing to launch once the start timeout has passed, with the learner counted; a launch whose AU has not
    /// fetched is not (a learner who closed the window at once looks the same).
    /// </summary>
    [Fact]
    public async Task An_au_that_fetches_its_credentials_and_never_initializes_is_listed_as_failing_to_launch()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (packageId, _, _, learner, _, launch) = await LaunchedAsync(tag, "stuck");
        using var _ = learner;
        async Task<List<JsonElement>> ListedAsync() => [.. (await admin.GetFromJsonAsync<JsonElement>("/api/content/launch-problems")).EnumerateArray()
            .Where(p => p.GetProperty("packageId").GetGuid() == packageId)];
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(launch.GetProperty("launchUrl").GetString()!).Query);
        await Task.Delay(TimeSpan.FromSeconds(16)); // past the test platform's 15 s start timeout, not yet fetched
        Assert.Empty(await ListedAsync());

        using (var fetched = await platform.Anonymous.PostAsync(new Uri(query["fetch"]!).PathAndQuery, null))
            Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        var listed = await Eventually.ReachesAsync(ListedAsync, l => l.Count > 0, TimeSpan.FromSeconds(45), "the silent AU listed");
        var row = Assert.Single(listed);
        Assert.Equal(("notStarted", $"https://lms.example/cmi5/{tag}/quiz", "Quiz", 1), (row.GetProperty("kind").GetString(), row.GetProperty("itemId").GetString(),
            row.GetProperty("activity").GetString(), row.GetProperty("learners").GetInt32()));
        Assert.Contains("initialized", row.GetProperty("detail").GetString());
    }

    /// <summary>A cmi5 package on a course, a learner enrolled on it, and their launch of its AU.</summary>
    private async Task<(Guid PackageId, Guid ActivityId, Guid LearnerId, HttpClient Learner, Guid EnrolmentId, JsonElement Launch)> LaunchedAsync(string tag, string who)
    {
        var admin = platform.Gateway;
        using var uploaded = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent { { Package(tag), "file", "ladder.zip" } });
        var package = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(uploaded.StatusCode == HttpStatusCode.Created, package.ToString());
        Assert.Equal("cmi5", package.GetProperty("standard").GetString());
        var packageId = package.GetProperty("id").GetGuid();
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Ladder safety", d => d["sections"] = new[]
        {
            new { title = "Ladders", activities = new object[] { new { kind = "content", title = "Ladder safety", contentItemId = packageId, required = true } } },
        });
        var course = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseId}");
        var activityId = course.GetProperty("sections")[0].GetProperty("activities")[0].GetProperty("id").GetGuid();
        var (learnerId, learner, enrolmentId) = await RuntimeTests.EnrolledLearnerAsync(platform, courseId, who);
        return (packageId, activityId, learnerId, learner, enrolmentId, await RuntimeTests.LaunchAsync(learner, enrolmentId, activityId));
    }

    private static async Task<Hosted> ServeAsync(string path, string text)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet(path, () => Results.Text(text, "application/xml"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        return new Hosted(app, address.TrimEnd('/') + path);
    }

    private sealed record Hosted(WebApplication App, string Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
