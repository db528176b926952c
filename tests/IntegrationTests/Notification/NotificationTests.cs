using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.IntegrationTests.Catalogue;
using LmsPlatform.IntegrationTests.Content;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Notification;

/// <summary>
/// What people are sent, end to end: enrolment's events become mail (through the platform's SMTP server, the mail
/// catcher) and inbox messages, as each person's preferences allow, in their language's template.
/// </summary>
public class NotificationTests(PlatformFixture platform)
{
    private static async Task<JsonElement> InboxAsync(HttpClient person) => await person.GetFromJsonAsync<JsonElement>("/api/notification/inbox?pageSize=50");

    private static async Task<JsonElement> WaitInInboxAsync(HttpClient person, string type) =>
        (await Eventually.ReachesAsync(() => InboxAsync(person),
            page => page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("type").GetString() == type),
            TimeSpan.FromSeconds(30), $"a {type} message in the inbox"))
        .GetProperty("items").EnumerateArray().First(i => i.GetProperty("type").GetString() == type);

    private async Task<(Guid Id, string Email, HttpClient Client)> PersonAsync(string tag, Guid? orgUnitId = null)
    {
        var (id, email, tokens) = await Identity.People.CreateSignedInAsync(platform.App, platform.Gateway, tag, null, [], orgUnitId);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(platform.Gateway, id);
        // Notification knows them once their welcome is in their inbox.
        var client = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        await WaitInInboxAsync(client, "account-welcome");
        return (id, email, client);
    }

    [Fact]
    public async Task An_assignment_is_mailed_and_put_in_the_inbox_which_counts_and_marks_what_is_read()
    {
        var t = Guid.NewGuid().ToString("N")[..6];
        var course = await CatalogueClient.EnrollableCourseAsync(platform, $"Fire safety {t}");
        var (id, email, learner) = await PersonAsync("assigned");
        using var _ = learner;
        await RuntimeTests.EnrolAsync(platform.Gateway, id, course);

        var mail = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject == $"New learning: Fire safety {t}")).Single();
        Assert.Contains($"/catalogue/courses/{course}", mail.Text);
        Assert.Contains("Choose which messages you get", mail.Text);
        Assert.Contains($"href=\"", mail.Html);
        Assert.StartsWith("<", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);

        var message = await WaitInInboxAsync(learner, "enrolment-assigned");
        Assert.Equal($"New learning: Fire safety {t}", message.GetProperty("subject").GetString());
        Assert.EndsWith($"/catalogue/courses/{course}", message.GetProperty("link").GetString());
        var unread = (await learner.GetFromJsonAsync<JsonElement>("/api/notification/inbox/unread")).GetProperty("unread").GetInt32();
        Assert.True(unread >= 2, $"{unread} unread"); // the welcome and the assignment

        // Nobody else marks it; its owner does; then everything.
        var (_, _, other) = await PersonAsync("other");
        using (other)
        using (var refused = await other.PostAsync($"/api/notification/inbox/{message.GetProperty("id").GetGuid()}/read", null))
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        using (var read = await learner.PostAsync($"/api/notification/inbox/{message.GetProperty("id").GetGuid()}/read", null))
            Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
        Assert.Equal(unread - 1, (await learner.GetFromJsonAsync<JsonElement>("/api/notification/inbox/unread")).GetProperty("unread").GetInt32());
        Assert.DoesNotContain((await learner.GetFromJsonAsync<JsonElement>("/api/notification/inbox?unread=true")).GetProperty("items").EnumerateArray(),
            i => i.GetProperty("id").GetGuid() == message.GetProperty("id").GetGuid());
        using (var all = await learner.PostAsync("/api/notification/inbox/read-all", null))
            Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        Assert.Equal(0, (await learner.GetFromJsonAsync<JsonElement>("/api/notification/inbox/unread")).GetProperty("unread").GetInt32());
    }

    [Fact]
    public async Task Preferences_turn_a_types_email_off_refuse_turning_off_a_mandatory_type_and_one_click_unsubscribes()
    {
        var t = Guid.NewGuid().ToString("N")[..6];
        var first = await CatalogueClient.EnrollableCourseAsync(platform, $"Ladders {t}");
        var second = await CatalogueClient.EnrollableCourseAsync(platform, $"Scaffolds {t}");
        var (id, email, learner) = await PersonAsync("prefs");
        using var _ = learner;

        var prefs = await learner.GetFromJsonAsync<JsonElement>("/api/notification/preferences");
        var window = prefs.GetProperty("types").EnumerateArray().Single(x => x.GetProperty("type").GetString() == "certification-window-opened");
        Assert.True(window.GetProperty("mandatory").GetBoolean());

        using (var off = await learner.PutAsJsonAsync("/api/notification/preferences", new
               { timeZone = "Asia/Tokyo", types = new[] { new { type = "enrolment-assigned", inApp = true, email = false } } }))
            Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        using (var mandatory = await learner.PutAsJsonAsync("/api/notification/preferences", new { types = new[] { new { type = "certification-window-opened", inApp = true, email = false } } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, mandatory.StatusCode);
            Assert.Contains("cannot be turned off", await mandatory.Content.ReadAsStringAsync());
        }
        using (var zone = await learner.PutAsJsonAsync("/api/notification/preferences", new { timeZone = "Mars/Olympus" }))
            Assert.Equal(HttpStatusCode.BadRequest, zone.StatusCode);
        prefs = await learner.GetFromJsonAsync<JsonElement>("/api/notification/preferences");
        Assert.Equal("Asia/Tokyo", prefs.GetProperty("timeZone").GetString());

        // Email off: the assignment is in the inbox (written in the same transaction as any mail), and no mail went.
        await RuntimeTests.EnrolAsync(platform.Gateway, id, first);
        await WaitInInboxAsync(learner, "enrolment-assigned");
        Assert.DoesNotContain(await Mailbox.ToAsync(platform.App, email), m => m.Subject.Contains($"Ladders {t}"));

        // On again, and the mail's one-click unsubscribe (RFC 8058) turns it off without a sign-in.
        using (var on = await learner.PutAsJsonAsync("/api/notification/preferences", new { types = new[] { new { type = "enrolment-assigned", inApp = true, email = true } } }))
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        await RuntimeTests.EnrolAsync(platform.Gateway, id, second);
        var mail = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject.Contains($"Scaffolds {t}"))).Single();
        var unsubscribe = new Uri(mail.Headers["List-Unsubscribe"].Trim('<', '>'));
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" });
        using (var forged = await platform.Anonymous.PostAsync(unsubscribe.PathAndQuery.Replace("type=enrolment-assigned", "type=enrolment-overdue"), form))
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        using (var oneClick = await platform.Anonymous.PostAsync(unsubscribe.PathAndQuery, form))
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        prefs = await learner.GetFromJsonAsync<JsonElement>("/api/notification/preferences");
        var assigned = prefs.GetProperty("types").EnumerateArray().Single(x => x.GetProperty("type").GetString() == "enrolment-assigned");
        Assert.Equal((true, false), (assigned.GetProperty("inApp").GetBoolean(), assigned.GetProperty("email").GetBoolean()));
    }

    [Fact]
    public async Task A_template_is_refused_broken_versioned_previewed_test_sent_and_used_in_its_language()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..6];
        using (var broken = await admin.PutAsJsonAsync("/api/notification/templates/enrolment-assigned",
                   new { language = "nl", subject = "Nieuw: {{ cours.title }}", text = "Hallo {{ person.given_name }" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
            var errors = (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Contains("does not render", errors.GetProperty("subject")[0].GetString());
            Assert.Contains("not valid Liquid", errors.GetProperty("text")[0].GetString());
        }
        var current = await admin.GetFromJsonAsync<JsonElement>("/api/notification/templates/enrolment-assigned?language=nl");
        var baseVersion = current.GetProperty("version").GetInt32();
        var template = new
        {
            language = "nl", subject = "Nieuw " + t + ": {{ course.title }}", baseVersion,
            text = "Hallo {{ person.given_name }}, je moet {{ course.title }} volgen.{% if due_date %} Uiterlijk {{ due_date }}.{% endif %} {{ course.link }}",
        };
        using (var preview = await admin.PostAsJsonAsync("/api/notification/templates/enrolment-assigned/preview", template))
        {
            Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
            var body = await preview.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal($"Nieuw {t}: Fire safety 2027", body.GetProperty("subject").GetString());
            Assert.Contains("Hallo Ada", body.GetProperty("html").GetString());
        }
        using (var saved = await admin.PutAsJsonAsync("/api/notification/templates/enrolment-assigned", template))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Equal(baseVersion + 1, (await saved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt32());
        }
        using (var stale = await admin.PutAsJsonAsync("/api/notification/templates/enrolment-assigned", template))
            Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        using (var test = await admin.PostAsJsonAsync("/api/notification/templates/enrolment-assigned/test", template))
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        await Mailbox.WaitForAsync(platform.App, "admin@lms.local", m => m.Subject == $"[Test] Nieuw {t}: Fire safety 2027");

        // A person who reads Dutch gets the Dutch version; the English one is untouched.
        var course = await CatalogueClient.EnrollableCourseAsync(platform, $"Hoogwerker {t}");
        var (id, email, learner) = await PersonAsync("dutch");
        using var _ = learner;
        using (var dutch = await learner.PutAsJsonAsync("/api/notification/preferences", new { language = "nl" }))
            Assert.Equal(HttpStatusCode.OK, dutch.StatusCode);
        await RuntimeTests.EnrolAsync(platform.Gateway, id, course);
        var mail = (await Mailbox.WaitForAsync(platform.App, email, m => m.Subject.Contains($"Hoogwerker {t}"))).Single();
        Assert.Equal($"Nieuw {t}: Hoogwerker {t}", mail.Subject);
        Assert.Contains("je moet", mail.Text);
    }

    [Fact]
    public async Task A_refused_address_bounces_with_the_relays_reason_and_an_operator_sends_it_again()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..6];
        var course = await CatalogueClient.EnrollableCourseAsync(platform, $"Bounce {t}");
        var unit = await Identity.OrgUnits.CreateAsync(admin, $"Bounces {t}");
        var (id, _, learner) = await PersonAsync("bounce", unit); // the catcher refuses any bounce.* mailbox with 550
        using var _ = learner;
        await RuntimeTests.EnrolAsync(admin, id, course);

        var bounced = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/notification/deliveries?userId={id}&type=enrolment-assigned"),
            page => page.GetProperty("items").EnumerateArray().Any(d => d.GetProperty("status").GetString() == "Bounced"),
            TimeSpan.FromSeconds(30), "the assignment bounced");
        var delivery = bounced.GetProperty("items")[0];
        Assert.StartsWith("550", delivery.GetProperty("lastError").GetString());
        Assert.Equal(1, delivery.GetProperty("attempts").GetInt32());

        using (var retry = await admin.PostAsync($"/api/notification/deliveries/{delivery.GetProperty("id").GetGuid()}/retry", null))
            Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/notification/deliveries/{delivery.GetProperty("id").GetGuid()}"),
            d => d.GetProperty("delivery").GetProperty("attempts").GetInt32() == 2 && d.GetProperty("delivery").GetProperty("status").GetString() == "Bounced",
            TimeSpan.FromSeconds(30), "the retried mail bounced again");

        // The delivery report counts the email once, at its latest outcome: bounced, after a retry.
        var report = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/notifications?orgUnitId={unit}"),
            r => r.GetProperty("rows").EnumerateArray().Any(x => x.GetProperty("type").GetString() == "enrolment-assigned" && x.GetProperty("retried").GetInt64() == 1),
            TimeSpan.FromSeconds(30), "the delivery report counting the retried bounce");
        var assigned = Assert.Single(report.GetProperty("rows").EnumerateArray(), x => x.GetProperty("type").GetString() == "enrolment-assigned");
        Assert.Equal((0L, 1L, 0L, 1L), (assigned.GetProperty("sent").GetInt64(), assigned.GetProperty("bounced").GetInt64(), assigned.GetProperty("gaveUp").GetInt64(),
            assigned.GetProperty("emails").GetInt64()));
        Assert.Equal(0.0, assigned.GetProperty("deliveryRate").GetDouble());
        Assert.Equal(report.GetProperty("rows").EnumerateArray().Sum(x => x.GetProperty("bounced").GetInt64()), report.GetProperty("total").GetProperty("bounced").GetInt64());
        Assert.Equal(report.GetProperty("total").GetProperty("emails").GetInt64(),
            report.GetProperty("periods").EnumerateArray().Sum(p => p.GetProperty("sent").GetInt64() + p.GetProperty("failed").GetInt64()));

        // A sent mail is never sent twice; filters are checked.
        var built = await admin.GetFromJsonAsync<JsonElement>("/api/notification/templates/enrolment-overdue");
        using (var test = await admin.PostAsJsonAsync("/api/notification/templates/enrolment-overdue/test",
                   new { language = "en", subject = built.GetProperty("subject").GetString(), text = built.GetProperty("text").GetString() }))
            Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var sent = (await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/notification/deliveries?status=Sent&pageSize=1"),
            page => page.GetProperty("items").GetArrayLength() == 1, TimeSpan.FromSeconds(30), "a sent mail")).GetProperty("items")[0];
        using (var again = await admin.PostAsync($"/api/notification/deliveries/{sent.GetProperty("id").GetGuid()}/retry", null))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var bad = await admin.GetAsync("/api/notification/deliveries?status=Lost"))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var summary = await admin.GetFromJsonAsync<JsonElement>("/api/notification/deliveries/summary");
        Assert.True(summary.GetProperty("byStatus").GetProperty("Bounced").GetInt32() >= 1);
    }
}
