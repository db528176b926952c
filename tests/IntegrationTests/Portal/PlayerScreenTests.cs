using LmsPlatform.Contracts;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A learner takes a SCORM course in Chromium: from the course page into the player, through a few pages, out with
/// their progress saved; back in, resumed where they left; to the end, the knowledge check answered, and the course
/// completed on their home page. Once for SCORM 1.2 and once for SCORM 2004 (the same course in each).
/// </summary>
public class PlayerScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    /// <summary>
    /// A package whose page never looks for the SCORM API: after the start time the player tells the learner their
    /// progress cannot be recorded and reports it; whoever manages content finds it on the packages page, failing to launch.
    /// </summary>
    [Fact]
    public async Task Content_that_never_starts_is_explained_to_the_learner_and_listed_for_the_content_manager()
    {
        var title = "Silent package " + Guid.NewGuid().ToString("N")[..6];
        var (courseId, _) = await Content.RuntimeTests.CourseWithPackageAsync(Platform, SilentPackage(), "silent.zip", title);
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "silent", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var enrolmentId = await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, courseId);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "content's copy of the enrolment");

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "player-not-started", async () =>
        {
            await SignInAsync(page, email, password, $"/catalogue/courses/{courseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Start {title}" }).ClickAsync();
            await Assertions.Expect(page.FrameLocator("#sco-frame").GetByText("never looks for the SCORM API")).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("This content has not started after 15 seconds",
                new() { Timeout = 30_000 });
            await AssertAccessibleAsync(page, "player-not-started", "#sco-frame");
            await page.SetViewportSizeAsync(360, 780);
            await AssertAccessibleAsync(page, "player-not-started-360", "#sco-frame");
        });
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.ContentDb,
                $"SELECT count(*) FROM launch_problems p JOIN scorm_attempts a ON a.\"Id\" = p.\"AttemptId\" WHERE a.\"EnrolmentId\" = '{enrolmentId}' AND p.\"Kind\" = 'NotStarted'"),
            n => n == 1, TimeSpan.FromSeconds(10), "the player's report recorded");

        var manager = await Browser.NewPageAsync();
        await JourneyAsync(manager, "packages-failing", async () =>
        {
            await Browser.SignInAsAdminAsync(manager, "/manage/packages");
            var failing = manager.GetByRole(AriaRole.Region, new() { Name = "Packages failing to launch" });
            var row = failing.GetByRole(AriaRole.Row).Filter(new() { HasText = title });
            await Assertions.Expect(row).ToContainTextAsync("Did not start");
            await Assertions.Expect(row.GetByRole(AriaRole.Cell).Nth(2)).ToHaveTextAsync("1");
            await AssertAccessibleAsync(manager, "packages-failing");
            await manager.SetViewportSizeAsync(360, 780);
            await AssertAccessibleAsync(manager, "packages-failing-360");
        });
    }

    /// <summary>A SCORM 1.2 package of one page that never looks for the run-time API.</summary>
    private static byte[] SilentPackage()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create))
        {
            void Add(string name, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(text);
            }
            Add("imsmanifest.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <manifest identifier="silent" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
                  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
                  <organizations default="org"><organization identifier="org"><title>Silent</title>
                    <item identifier="page" identifierref="res"><title>Silent page</title></item>
                  </organization></organizations>
                  <resources><resource identifier="res" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
                </manifest>
                """);
            Add("index.html", """<!doctype html><html lang="en"><head><title>Silent page</title></head><body><p>This page never looks for the SCORM API.</p></body></html>""");
        }
        return stream.ToArray();
    }

    [Theory]
    [InlineData("RuntimeBasicCalls_SCORM12.zip", "scorm12")]
    [InlineData("RuntimeBasicCalls_SCORM20043rdEdition.zip", "scorm2004")]
    public async Task A_learner_takes_a_scorm_course_resumes_it_and_completes_it(string sample, string name)
    {
        var title = $"Golf {name} " + Guid.NewGuid().ToString("N")[..6];
        var (courseId, _) = await Content.RuntimeTests.CourseWithPackageAsync(Platform, sample, title);
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "golfer", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var enrolmentId = await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, courseId);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "content's copy of the enrolment");

        var page = await Browser.NewPageAsync();
        // The package asks with confirm() whether to save on exit and whether to resume: the learner says yes.
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var log = new List<string>();
        page.Console += (_, message) => log.Add($"console {message.Type}: {message.Text}");
        page.Response += (_, response) => { if (response.Url.Contains("/api/content/", StringComparison.Ordinal)) log.Add($"{response.Status} {response.Request.Method} {response.Url}"); };
        try
        {
        await JourneyAsync(page, $"player-{name}", async () =>
        {
            await SignInAsync(page, email, password, $"/catalogue/courses/{courseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Start {title}" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync(title);
            var sco = page.FrameLocator("#sco-frame");
            var next = sco.Locator("#butNext");
            for (var i = 0; i < 3; i++) await next.ClickAsync();
            await Assertions.Expect(sco.Locator("#contentFrame")).ToHaveAttributeAsync("src", "../Playing/OtherScoring.html");
            await AssertAccessibleAsync(page, $"player-{name}", "#sco-frame");
            await sco.Locator("#butExit").ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Progress saved");

            // Back in from the course page (once the last commit, sent as the page changed, is in): the content resumes
            // at the page the learner left.
            await Eventually.ReachesAsync(async () =>
            {
                await page.GotoAsync($"/catalogue/courses/{courseId}");
                return await page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title }).InnerTextAsync();
            }, text => text.Contains("In progress", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the activity in progress on the course page");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Continue {title}" }).ClickAsync();
            await Assertions.Expect(sco.Locator("#contentFrame")).ToHaveAttributeAsync("src", "../Playing/OtherScoring.html");

            // To the end, where the knowledge check is: every question answered right, then out.
            for (var i = 3; i < 14; i++) await next.ClickAsync();
            var check = sco.FrameLocator("#contentFrame");
            await Assertions.Expect(check.GetByRole(AriaRole.Heading, new() { Name = "Knowledge Check" })).ToBeVisibleAsync();
            foreach (var answer in await check.Locator(".correctAnswer").AllAsync())
            {
                if (await answer.Locator("input[type=radio]").CountAsync() > 0) await answer.Locator("input[type=radio]").CheckAsync();
                else
                {
                    var text = await answer.InnerTextAsync();
                    await answer.Locator("input[type=text]").FillAsync(text[(text.IndexOf('(') + 1)..text.IndexOf(')')]);
                }
            }
            await check.GetByRole(AriaRole.Button, new() { Name = "Submit Answers" }).ClickAsync();
            await Assertions.Expect(check.GetByText("Score: 100")).ToBeVisibleAsync();
            await sco.Locator("#butExit").ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Progress saved");

            // The completion reaches the learner's home page (through content's event and enrolment's ledger).
            await Eventually.ReachesAsync(async () =>
            {
                await page.GotoAsync("/");
                return await page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title }).AllInnerTextsAsync();
            }, texts => texts.Any(t => t.Contains("completed on", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the completion on the home page");
            await page.GotoAsync($"/catalogue/courses/{courseId}");
            await Assertions.Expect(page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title })).ToContainTextAsync("Passed (100%)");
        });
        }
        catch (Exception ex)
        {
            log.Add(await Platform.Gateway.GetStringAsync($"/api/content/attempts?userId={userId}"));
            throw new Exception(string.Join("\n", log.Where(l => !l.Contains("/files/", StringComparison.Ordinal) && !l.Contains("_blazor", StringComparison.Ordinal)).TakeLast(40)), ex);
        }
    }

    [Fact]
    public async Task A_learner_listens_to_an_audio_to_the_end_and_the_course_completes()
    {
        var title = "Talk " + Guid.NewGuid().ToString("N")[..6];
        var audio = await Content.FileTests.UploadedAsync(Platform.Gateway, Content.Media.Wav(3), "talk.wav", title);
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, title, d => d["sections"] = new[]
        {
            new { title = "Listen", activities = new object[] { new { kind = "content", title, contentItemId = audio.GetProperty("id").GetGuid(), required = true } } },
        });
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "listener", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var enrolmentId = await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, courseId);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "content's copy of the enrolment");

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "media-player", async () =>
        {
            await SignInAsync(page, email, password, $"/catalogue/courses/{courseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Start {title}" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync(title);
            await Assertions.Expect(page.GetByText("Not listened to yet")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "media-player");
            // Played to the end (muted: a browser plays sound only after a person's gesture).
            await page.Locator("#media").EvaluateAsync("m => { m.muted = true; return m.play(); }");
            await page.WaitForFunctionAsync("() => document.getElementById('media').ended", null, new() { Timeout = 20_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Progress saved");
            await Eventually.ReachesAsync(async () =>
            {
                await page.GotoAsync("/");
                return await page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title }).AllInnerTextsAsync();
            }, texts => texts.Any(t => t.Contains("completed on", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the completion on the home page");
        });
    }

    [Fact]
    public async Task A_learner_takes_a_cmi5_course_whose_au_talks_to_the_lrs_and_the_course_completes()
    {
        var title = "Ladders " + Guid.NewGuid().ToString("N")[..6];
        using var uploaded = await Platform.Gateway.PostAsync("/api/content/packages", new MultipartFormDataContent
        {
            { Content.Cmi5Tests.Package(Guid.NewGuid().ToString("N")[..8], Content.Cmi5Tests.ScriptedAu), "file", "ladders.zip" }, { new StringContent(title), "title" },
        });
        var packageId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(uploaded.Content)).GetProperty("id").GetGuid();
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, title, d => d["sections"] = new[]
        {
            new { title = "Ladders", activities = new object[] { new { kind = "content", title, contentItemId = packageId, required = true } } },
        });
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "ladderer", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var enrolmentId = await Content.RuntimeTests.EnrolAsync(Platform.Gateway, userId, courseId);
        await Eventually.ReachesAsync(() => Platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM enrolments WHERE \"EnrolmentId\" = '{enrolmentId}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "content's copy of the enrolment");

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "player-cmi5", async () =>
        {
            await SignInAsync(page, email, password, $"/catalogue/courses/{courseId}");
            await page.GetByRole(AriaRole.Link, new() { Name = $"Start {title}" }).ClickAsync();
            await Assertions.Expect(Heading(page)).ToHaveTextAsync(title);
            var au = page.FrameLocator("iframe.sco-frame");
            await Assertions.Expect(au.GetByRole(AriaRole.Status)).ToHaveTextAsync("Ready", new() { Timeout = 15_000 });
            await AssertAccessibleAsync(page, "player-cmi5-1280", "iframe.sco-frame");
            var size = page.ViewportSize!;
            await page.SetViewportSizeAsync(360, 780);
            await AssertAccessibleAsync(page, "player-cmi5-360", "iframe.sco-frame");
            await page.SetViewportSizeAsync(size.Width, size.Height);
            await au.GetByRole(AriaRole.Button, new() { Name = "Finish the quiz" }).ClickAsync();
            await Assertions.Expect(au.GetByRole(AriaRole.Status)).ToHaveTextAsync("All done");
            await Eventually.ReachesAsync(async () =>
            {
                await page.GotoAsync("/");
                return await page.GetByRole(AriaRole.Listitem).Filter(new() { HasText = title }).AllInnerTextsAsync();
            }, texts => texts.Any(t => t.Contains("completed on", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the completion on the home page");
        });
    }

    [Fact]
    public async Task An_administrator_waives_a_cmi5_unit_from_the_learning_record_and_the_course_completes()
    {
        var admin = Platform.Gateway;
        var title = "Ropes " + Guid.NewGuid().ToString("N")[..6];
        using var uploaded = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent
        {
            { Content.Cmi5Tests.Package(Guid.NewGuid().ToString("N")[..8]), "file", "ropes.zip" }, { new StringContent(title), "title" },
        });
        var packageId = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(uploaded.Content)).GetProperty("id").GetGuid();
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, title, d => d["sections"] = new[]
        {
            new { title = "Ropes", activities = new object[] { new { kind = "content", title, contentItemId = packageId, required = true } } },
        });
        var course = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(admin, $"/api/catalogue/courses/{courseId}");
        var activityId = course.GetProperty("sections")[0].GetProperty("activities")[0].GetProperty("id").GetGuid();
        var (learnerId, learner, enrolmentId) = await Content.RuntimeTests.EnrolledLearnerAsync(Platform, courseId, "roper");
        using var _ = learner;
        await Content.RuntimeTests.LaunchAsync(learner, enrolmentId, activityId); // the registration, with its one AU not yet satisfied

        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "learning-record-waiver", async () =>
        {
            await Browser.SignInAsAdminAsync(page, $"/manage/people/{learnerId}");
            var attempts = page.GetByRole(AriaRole.Region, new() { Name = "Attempts at online content" });
            await Assertions.Expect(attempts).ToContainTextAsync("Quiz: In progress");
            await AssertAccessibleAsync(page, "learning-record-waiver-1280");
            var size = page.ViewportSize!;
            await page.SetViewportSizeAsync(360, 780);
            await AssertAccessibleAsync(page, "learning-record-waiver-360");
            await page.SetViewportSizeAsync(size.Width, size.Height);
            await page.GetByLabel("Reason to waive Quiz").SelectOptionAsync("Equivalent Outside Activity");
            await page.GetByRole(AriaRole.Button, new() { Name = "Waive Quiz" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Waive Quiz for this person (Equivalent Outside Activity)?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Yes, waive Quiz" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Attempts at online content" })).ToContainTextAsync("Quiz: Waived");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Waive Quiz" })).ToHaveCountAsync(0);

            // The training manager previews the course: the AU in Browse mode, counting for no one.
            await page.GotoAsync($"/manage/packages/{packageId}/preview");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync($"Preview: {title}");
            await Assertions.Expect(page.FrameLocator("iframe.sco-frame").GetByText("cmi5 AU")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "package-preview-cmi5-1280", "iframe.sco-frame");
        });
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");
    }
}
