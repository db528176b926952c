using System.IO.Compression;
using System.Text;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Runtime;
using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LmsPlatform.UnitTests;

/// <summary>
/// The SCORM runtime's rules on the server: the run-time data read for each version (mastery score, completion
/// threshold, scaled passing score, times), what a launch resumes from, an attempt's roll-up over its activities and the
/// progress it announces, and the launch tokens.
/// </summary>
public class ScormRuntimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly PackageActivity Sco = new("i", "Lesson", "index.html", null, true, null, null);

    [Theory]
    [InlineData("completed", "80", "passed")]
    [InlineData("completed", "60", "failed")]
    [InlineData("incomplete", "75", "passed")]
    public void A_scorm12_mastery_score_decides_passed_or_failed_from_the_raw_score(string status, string raw, string expected)
    {
        var outcome = ScormCmi.Read(ScormVersion.Scorm12, new Dictionary<string, string> { ["cmi.core.lesson_status"] = status, ["cmi.core.score.raw"] = raw },
            Sco with { MasteryScore = 70 });
        Assert.Equal(expected, ScormAttempt.Words(outcome.Success));
        Assert.Equal(Completion.Completed, outcome.Completion);
        Assert.Equal(expected == "passed", outcome.Satisfied);
        Assert.Equal(double.Parse(raw) / 100, outcome.Score);
    }

    [Fact]
    public void Scorm12_statuses_read_as_completion_and_success()
    {
        Assert.Equal((Completion.Completed, Success.Unknown, true), Read12("completed"));
        Assert.Equal((Completion.Completed, Success.Failed, false), Read12("failed"));
        Assert.Equal((Completion.Incomplete, Success.Unknown, false), Read12("browsed"));
        Assert.Equal((Completion.NotAttempted, Success.Unknown, false), Read12("not attempted"));

        static (Completion, Success, bool) Read12(string status)
        {
            var o = ScormCmi.Read(ScormVersion.Scorm12, new Dictionary<string, string> { ["cmi.core.lesson_status"] = status }, Sco);
            return (o.Completion, o.Success, o.Satisfied);
        }
    }

    [Fact]
    public void Scorm2004_threshold_and_passing_score_decide_over_what_the_content_says()
    {
        var sco = Sco with { CompletionThreshold = 0.8, MasteryScore = 60 };
        var short_ = ScormCmi.Read(ScormVersion.Scorm2004, new Dictionary<string, string>
        {
            ["cmi.completion_status"] = "completed", ["cmi.progress_measure"] = "0.5", ["cmi.success_status"] = "passed", ["cmi.score.scaled"] = "0.4",
        }, sco);
        Assert.Equal((Completion.Incomplete, Success.Failed, false), (short_.Completion, short_.Success, short_.Satisfied));
        var done = ScormCmi.Read(ScormVersion.Scorm2004, new Dictionary<string, string>
        {
            ["cmi.completion_status"] = "incomplete", ["cmi.progress_measure"] = "0.9", ["cmi.score.scaled"] = "0.75", ["cmi.session_time"] = "PT1M30.5S",
            ["cmi.exit"] = "suspend",
        }, sco);
        Assert.Equal((Completion.Completed, Success.Passed, true, 0.75, 90.5, true),
            (done.Completion, done.Success, done.Satisfied, done.Score, done.SessionSeconds, done.Suspended));
    }

    [Fact]
    public void Times_are_read_and_written_in_each_versions_format()
    {
        Assert.Equal(3723.5, ScormCmi.Seconds12("0001:02:03.50"));
        Assert.Equal(0, ScormCmi.Seconds12("1:2:3"));
        Assert.Equal(3723.5, ScormCmi.Seconds2004("PT1H2M3.5S"));
        Assert.Equal(0, ScormCmi.Seconds2004("an hour"));
        Assert.Equal("0001:02:03.50", ScormCmi.Time12(3723.5));
    }

    [Fact]
    public void A_launch_resumes_from_the_bookmark_after_a_suspend_and_never_sends_back_write_only_elements()
    {
        Assert.Equal("ab-initio", ScormCmi.ResumeData(ScormVersion.Scorm12, new Dictionary<string, string>(), Sco, "u", "Ann", 0, false)["cmi.core.entry"]);
        var cmi = new Dictionary<string, string>
        {
            ["cmi.core.lesson_location"] = "3", ["cmi.suspend_data"] = "x", ["cmi.core.exit"] = "suspend", ["cmi.core.session_time"] = "0000:00:10.00",
            ["cmi.core.lesson_status"] = "incomplete",
        };
        var data = ScormCmi.ResumeData(ScormVersion.Scorm12, cmi, Sco with { MasteryScore = 80 }, "u", "Ann", 70, false);
        Assert.Equal(("resume", "3", "x", "0000:01:10.00", "credit", "80"), (data["cmi.core.entry"], data["cmi.core.lesson_location"], data["cmi.suspend_data"],
            data["cmi.core.total_time"], data["cmi.core.credit"], data["cmi.student_data.mastery_score"]));
        Assert.False(data.ContainsKey("cmi.core.session_time"));
        Assert.False(data.ContainsKey("cmi.core.exit"));
        cmi["cmi.core.exit"] = "";
        Assert.Equal("", ScormCmi.ResumeData(ScormVersion.Scorm12, cmi, Sco, "u", "Ann", 0, false)["cmi.core.entry"]);
        var review = ScormCmi.ResumeData(ScormVersion.Scorm2004, new Dictionary<string, string> { ["cmi.location"] = "p2" }, Sco, "u", "Ann", 90, true);
        Assert.Equal(("review", "no-credit", "p2", "PT1M30S"), (review["cmi.mode"], review["cmi.credit"], review["cmi.location"], review["cmi.total_time"]));
    }

    [Fact]
    public void An_attempt_rolls_up_its_activities_and_announces_each_change_once()
    {
        var package = TwoPartPackage();
        var attempt = ScormAttempt.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), package.Id, package, 1, Now);
        Assert.Equal("sco", attempt.DefaultItem(package));

        attempt.Launch(package, "sco", Now);
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.lesson_status"] = "incomplete" }, 1, Now);
        var started = Assert.IsType<ActivityProgressRecorded>(Assert.Single(attempt.TakeDomainEvents()));
        Assert.Equal(("incomplete", false), (started.Completion, started.Satisfied));
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.lesson_status"] = "incomplete", ["cmi.suspend_data"] = "more" }, 2, Now);
        Assert.Empty(attempt.TakeDomainEvents()); // nothing the roll-up shows changed

        // A late commit of the session (an older number) is ignored.
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.lesson_status"] = "passed" }, 1, Now);
        Assert.Empty(attempt.TakeDomainEvents());
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.lesson_status"] = "passed", ["cmi.core.score.raw"] = "90" }, 3, Now);
        var passed = Assert.IsType<ActivityProgressRecorded>(Assert.Single(attempt.TakeDomainEvents()));
        Assert.Equal(("incomplete", false, 0.9), (passed.Completion, passed.Satisfied, passed.Score)); // the asset is still to open
        Assert.Equal("asset", attempt.DefaultItem(package));

        // Opening the asset (no run-time API) completes it, and so the attempt.
        attempt.Launch(package, "asset", Now.AddMinutes(5));
        var done = Assert.IsType<ActivityProgressRecorded>(Assert.Single(attempt.TakeDomainEvents()));
        Assert.Equal(("completed", "passed", true), (done.Completion, done.Success, done.Satisfied));
        Assert.True(attempt.Finished);

        // A finished attempt is reviewed: commits change nothing.
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.lesson_status"] = "failed" }, 9, Now);
        Assert.Empty(attempt.TakeDomainEvents());
        Assert.True(attempt.Satisfied);
        Assert.Throws<DomainRuleException>(() => attempt.Commit(package, "nope", new Dictionary<string, string>(), null, Now));
    }

    [Fact]
    public void Only_the_contents_finish_satisfies_and_closes_an_attempt_so_a_quiz_failed_after_the_last_page_counts()
    {
        var package = ContentPackage.Import(Guid.NewGuid(), "One", "one.zip", PackageInspection.Of(new MemoryStream(File.ReadAllBytes(
            Path.Combine(AppContext.BaseDirectory, "Samples", "scorm", "RuntimeBasicCalls_SCORM12.zip")))), null, "test", Now);
        var attempt = ScormAttempt.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), package.Id, package, 1, Now);
        var item = package.Activities[0].ItemId;
        attempt.Launch(package, item, Now);
        // The last page says "completed" (an autocommit); the quiz after it says "failed"; then the content finishes.
        attempt.Commit(package, item, new Dictionary<string, string> { ["cmi.core.lesson_status"] = "completed" }, 1, Now);
        Assert.False(attempt.Satisfied);
        Assert.False(attempt.Finished);
        Assert.All(attempt.TakeDomainEvents().Cast<ActivityProgressRecorded>(), e => Assert.False(e.Satisfied));
        attempt.Commit(package, item, new Dictionary<string, string> { ["cmi.core.lesson_status"] = "failed", ["cmi.core.score.raw"] = "40" }, 2, Now, final: true);
        Assert.Equal((true, false, Success.Failed), (attempt.Finished, attempt.Satisfied, attempt.Success));
        Assert.False(Assert.IsType<ActivityProgressRecorded>(Assert.Single(attempt.TakeDomainEvents())).Satisfied);
    }

    [Fact]
    public void Session_time_is_replaced_within_a_session_and_added_up_across_sessions()
    {
        var package = TwoPartPackage();
        var attempt = ScormAttempt.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), package.Id, package, 1, Now);
        attempt.Launch(package, "sco", Now);
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.session_time"] = "0000:00:30.00" }, 1, Now);
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.session_time"] = "0000:01:00.00" }, 2, Now);
        Assert.Equal(60, attempt.TotalSeconds);
        var sco = attempt.Launch(package, "sco", Now);
        Assert.Equal((60, 0), (sco.TotalSeconds, sco.SessionSeconds));
        attempt.Commit(package, "sco", new Dictionary<string, string> { ["cmi.core.session_time"] = "0000:00:15.00" }, 1, Now);
        Assert.Equal(75, attempt.TotalSeconds);
    }

    [Fact]
    public void A_launch_token_grants_its_attempt_until_it_expires_and_cannot_be_altered()
    {
        var tokens = new RuntimeTokens(Options.Create(new RuntimeOptions { SigningKey = new string('k', 40), TokenLifetime = TimeSpan.FromHours(1) }),
            NullLogger<RuntimeTokens>.Instance);
        var (attempt, package) = (Guid.NewGuid(), Guid.NewGuid());
        var token = tokens.Issue(attempt, package, review: true, Now);
        Assert.Equal(new RuntimeGrant(attempt, package, Now.AddHours(1), true), tokens.Read(token, Now.AddMinutes(59)));
        Assert.Null(tokens.Read(token, Now.AddHours(1)));
        Assert.Null(tokens.Read((token[0] == 'A' ? "B" : "A") + token[1..], Now));
        Assert.Null(tokens.Read("not-a-token", Now));
        var otherKey = new RuntimeTokens(Options.Create(new RuntimeOptions { SigningKey = new string('x', 40) }), NullLogger<RuntimeTokens>.Instance);
        Assert.Null(otherKey.Read(token, Now));
        Assert.Throws<InvalidOperationException>(() => new RuntimeTokens(Options.Create(new RuntimeOptions { SigningKey = "short" }), NullLogger<RuntimeTokens>.Instance));
    }

    [Fact]
    public void An_expired_grant_holds_while_the_learner_is_still_at_it_within_the_overtime_and_a_review_never_does()
    {
        var tokens = new RuntimeTokens(Options.Create(new RuntimeOptions { SigningKey = new string('k', 40), TokenLifetime = TimeSpan.FromHours(4) }),
            NullLogger<RuntimeTokens>.Instance);
        var grant = tokens.ReadSigned(tokens.Issue(Guid.NewGuid(), Guid.NewGuid(), review: false, Now))!;
        var later = Now.AddHours(5);
        Assert.Null(tokens.Read(tokens.Issue(grant.AttemptId, grant.ContentId, false, Now), later)); // expired, by its own reckoning
        Assert.True(grant.HoldsAt(Now.AddHours(3), null));
        Assert.True(grant.HoldsAt(later, later.AddMinutes(-10))); // committed ten minutes ago: still at it
        Assert.False(grant.HoldsAt(later, later.AddMinutes(-31))); // gone for half an hour
        Assert.False(grant.HoldsAt(later, null)); // the attempt is gone
        Assert.False(grant.HoldsAt(Now.AddHours(12).AddMinutes(1), Now.AddHours(12))); // past the overtime
        Assert.False((grant with { Review = true }).HoldsAt(later, later));
    }

    /// <summary>A package with a SCO and an asset, in that order.</summary>
    private static ContentPackage TwoPartPackage()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "imsmanifest.xml", """
                <manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
                  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
                  <organizations default="o"><organization identifier="o"><title>T</title>
                    <item identifier="sco" identifierref="r1"><title>Lesson</title></item>
                    <item identifier="asset" identifierref="r2"><title>Handout</title></item>
                  </organization></organizations>
                  <resources>
                    <resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="lesson.html"><file href="lesson.html"/></resource>
                    <resource identifier="r2" type="webcontent" adlcp:scormtype="asset" href="handout.html"><file href="handout.html"/></resource>
                  </resources>
                </manifest>
                """);
            Add(zip, "lesson.html", "<html></html>");
            Add(zip, "handout.html", "<html></html>");
        }
        buffer.Position = 0;
        return ContentPackage.Import(Guid.NewGuid(), "Two parts", "two.zip", PackageInspection.Of(buffer), null, "test", Now);
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), Encoding.UTF8);
        writer.Write(content);
    }
}
