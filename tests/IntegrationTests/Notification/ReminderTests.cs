using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.IntegrationTests.Catalogue;
using LmsPlatform.IntegrationTests.Content;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Notification;

/// <summary>
/// The notification clock: reminders before due dates by the course's policy, escalations up the manager ladder
/// after them, and quiet hours whose mail waits for one digest in the person's morning. Each is sent once.
/// </summary>
public class ReminderTests(PlatformFixture platform)
{
    private async Task<(Guid Id, string Email)> PersonAsync(string tag, Guid? managerId = null)
    {
        var email = $"{tag}.{Guid.NewGuid():N}@example.org";
        using var created = await platform.Gateway.PostAsJsonAsync("/api/identity/users", new { email, givenName = tag, familyName = "Tester", managerId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Enrolment.EnrolmentClient.LearnerCopyAsync(platform.Gateway, id);
        return (id, email);
    }

    [Fact]
    public async Task Reminders_come_before_the_due_date_by_the_courses_policy_and_lateness_climbs_the_manager_ladder_once()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..6];
        var soon = await CatalogueClient.EnrollableCourseAsync(platform, $"Soon {t}");
        var late = await CatalogueClient.EnrollableCourseAsync(platform, $"Late {t}");
        using (var bad = await admin.PutAsJsonAsync($"/api/notification/reminder-policy/courses/{soon}", new { daysBefore = new[] { -1 }, escalateAfterDays = 5, secondEscalationAfterDays = 2 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty("daysBefore", out _) && errors.TryGetProperty("secondEscalationAfterDays", out _));
        }
        foreach (var course in new[] { soon, late })
            using (var set = await admin.PutAsJsonAsync($"/api/notification/reminder-policy/courses/{course}", new { daysBefore = new[] { 2 }, escalateAfterDays = 1, secondEscalationAfterDays = 5 }))
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.True((await admin.GetFromJsonAsync<JsonElement>("/api/notification/reminder-policy")).GetProperty("daysBefore").GetArrayLength() > 0);

        var (director, directorEmail) = await PersonAsync("director");
        var (boss, bossEmail) = await PersonAsync("boss", director);
        var (learner, learnerEmail) = await PersonAsync("learner", boss);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.NotificationDb,
            $"SELECT count(*) FROM recipients WHERE \"UserId\" IN ('{director}', '{boss}', '{learner}')"), n => n == 3, TimeSpan.FromSeconds(30), "notification's copies of the three");

        // Due in a day: inside the 2-day reminder. Due six days ago: past both rungs (1 and 5 days).
        using (var enrolled = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = learner, courseId = soon, dueAt = DateTimeOffset.UtcNow.AddDays(1) }))
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var lateEnrolment = await RuntimeTests.EnrolAsync(admin, learner, late);
        using (var moved = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{lateEnrolment}/due-date", new { dueAt = DateTimeOffset.UtcNow.AddDays(-6), reason = "backdated for the test" }))
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);

        var reminder = (await Mailbox.WaitForAsync(platform.App, learnerEmail, m => m.Subject.StartsWith("Reminder: ") && m.Subject.Contains($"Soon {t}"))).Single();
        Assert.Equal($"Reminder: Soon {t} is due within a day", reminder.Subject);
        var toBoss = (await Mailbox.WaitForAsync(platform.App, bossEmail, m => m.Subject.Contains($"Late {t}"))).Single();
        Assert.Equal($"Overdue in your team: learner Tester, Late {t}", toBoss.Subject);
        Assert.Contains("6 days ago", toBoss.Text);
        var toDirector = (await Mailbox.WaitForAsync(platform.App, directorEmail, m => m.Subject.Contains($"Late {t}"))).Single();
        Assert.Contains("as boss Tester's manager", toDirector.Text);

        // Several more looks of the clock send nothing again; the late course is not reminded of (it is past due).
        await Task.Delay(TimeSpan.FromSeconds(8));
        Assert.Single(await Mailbox.ToAsync(platform.App, learnerEmail), m => m.Subject.StartsWith("Reminder: "));
        Assert.Single(await Mailbox.ToAsync(platform.App, bossEmail), m => m.Subject.Contains($"Late {t}"));
        Assert.Single(await Mailbox.ToAsync(platform.App, directorEmail), m => m.Subject.Contains($"Late {t}"));
    }

    [Fact]
    public async Task A_certification_about_to_expire_is_reminded_of_as_an_expiry_by_its_renewals_policy_once()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..6];
        var refresher = await CatalogueClient.EnrollableCourseAsync(platform, $"Refresher {t}");
        var course = await CatalogueClient.EnrollableCourseAsync(platform, $"Fire safety {t}", d =>
            d["compliance"] = new { validityMonths = 12, recertificationWindowDays = 30, refresherCourseId = refresher });
        using (var set = await admin.PutAsJsonAsync($"/api/notification/reminder-policy/courses/{refresher}", new { daysBefore = new[] { 10 }, escalateAfterDays = (int?)null, secondEscalationAfterDays = (int?)null }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var (learner, email) = await PersonAsync("certified");

        // Completed a year less five days ago (a migrated record): it expires in five days; the window (30 days) is open
        // and the refresher is assigned, due at the expiry; the renewal's 10-days-before reminder is due at once.
        var enrolment = await RuntimeTests.EnrolAsync(admin, learner, course);
        using (var completed = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{enrolment}/complete",
                   new { completedAt = DateTimeOffset.UtcNow.AddMonths(-12).AddDays(5), reason = "migrated from the old LMS" }))
            Assert.True(completed.StatusCode == HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());

        var window = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject == $"Time to renew: Fire safety {t}")).Single();
        Assert.Contains($"complete Refresher {t}", window.Text);
        var expiring = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject.Contains("certification expires"))).Single();
        Assert.Equal($"Your Fire safety {t} certification expires in 5 days", expiring.Subject);
        Assert.Contains($"finish Refresher {t} before then", expiring.Text);
        Assert.Equal("certification-expiring", expiring.Headers["X-LMS-Notification-Type"]);

        // Not also an ordinary "Reminder: Refresher is due", and not twice.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var all = await Mailbox.ToAsync(platform.App, email);
        Assert.Single(all, m => m.Subject.Contains("certification expires"));
        Assert.DoesNotContain(all, m => m.Subject.StartsWith("Reminder: "));
    }
}

/// <summary>Quiet hours in the person's time zone: mail waits for their morning and comes as one digest.</summary>
public class QuietHoursTests(PlatformFixture platform)
{
    [Fact]
    public async Task Mail_in_a_persons_quiet_hours_in_their_time_zone_waits_and_comes_as_one_digest_when_they_end()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..6];
        var first = await CatalogueClient.EnrollableCourseAsync(platform, $"Night one {t}");
        var second = await CatalogueClient.EnrollableCourseAsync(platform, $"Night two {t}");
        var (id, email, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "sleeper");
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, id);
        using var person = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);

        // In Kathmandu (UTC+5:45) it is night for them from an hour ago. Notification has its copy of the person once a
        // preference is taken; then the night is set to end 40 seconds from now (to the second), long enough for both
        // assignments to arrive inside it.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu");
        var from = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime.AddHours(-1));
        await Eventually.ReachesAsync(async () =>
        {
            using var set = await person.PutAsJsonAsync("/api/notification/preferences", new { timeZone = zone.Id, quietFrom = from, quietUntil = from.AddHours(2) });
            return set.StatusCode;
        }, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "quiet hours set");
        var until = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime.AddSeconds(40));
        using (var set = await person.PutAsJsonAsync("/api/notification/preferences", new { timeZone = zone.Id, quietFrom = from, quietUntil = until }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        await RuntimeTests.EnrolAsync(admin, id, first);
        await RuntimeTests.EnrolAsync(admin, id, second);
        // Both are in the inbox at once; no mail goes in the night.
        await Eventually.ReachesAsync(() => person.GetFromJsonAsync<JsonElement>("/api/notification/inbox"),
            page => page.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("type").GetString() == "enrolment-assigned") == 2,
            TimeSpan.FromSeconds(30), "both assignments in the inbox");
        Assert.Equal(2, await platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM digest_items WHERE \"UserId\" = '{id}' AND \"SentInEmailId\" IS NULL"));
        Assert.DoesNotContain(await Mailbox.ToAsync(platform.App, email), m => m.Subject.Contains($"Night"));

        // Their morning: one digest with both.
        var digest = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject == "2 learning updates", timeout: TimeSpan.FromMinutes(2))).Single();
        Assert.Contains($"New learning: Night one {t}", digest.Text);
        Assert.Contains($"New learning: Night two {t}", digest.Text);
        var arrivedAt = TimeZoneInfo.ConvertTime(digest.ReceivedAt, zone);
        Assert.True(TimeOnly.FromDateTime(arrivedAt.DateTime) >= until, $"the digest came at {arrivedAt:HH:mm:ss} local, before {until}");
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Single(await Mailbox.ToAsync(platform.App, email), m => m.Subject.Contains("learning updates"));
        Assert.DoesNotContain(await Mailbox.ToAsync(platform.App, email), m => m.Subject.StartsWith("New learning: Night"));
    }
}
