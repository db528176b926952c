using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// The completion ledger through the gateway: an administrator enrols, an instructor records the completion by hand
/// (with a reason), every change is a ledger row with who and why, and the status on an earlier date is read back
/// from the ledger, agreeing with the current state when asked for now.
/// </summary>
public class EnrolmentLedgerTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_instructor_records_a_completion_with_a_reason_and_the_ledger_answers_what_the_status_was_on_a_date()
    {
        var admin = platform.Gateway;
        var userId = await Users.CreateAsync(admin, "ledger");
        await EnrolmentClient.LearnerCopyAsync(admin, userId);
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Ledger basics");
        using var created = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId, dueAt = DateTimeOffset.UtcNow.AddDays(30), note = "new starter" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var enrolment = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = enrolment.GetProperty("id").GetGuid();
        Assert.Equal("Manual", enrolment.GetProperty("source").GetString());
        Assert.Equal(1, enrolment.GetProperty("version").GetInt32());

        await Task.Delay(1100);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(1100);

        var (_, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "instructor", [Roles.Instructor]);
        using var instructor = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        // By hand, a completion must say why; the refusal names the field.
        using (var noReason = await instructor.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
            Assert.Contains("reason", await noReason.Content.ReadAsStringAsync());
        }
        using (var future = await instructor.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { completedAt = DateTimeOffset.UtcNow.AddDays(1), reason = "attended" }))
            Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        using (var completed = await instructor.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { reason = "attended the classroom session" }))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
            Assert.Equal("Completed", (await completed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        // Completed already: a conflict, not a second row. An instructor records completions but does not withdraw.
        using (var again = await instructor.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { reason = "twice" }))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var withdraw = await instructor.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/withdraw", new { reason = "no" }))
            Assert.Equal(HttpStatusCode.Forbidden, withdraw.StatusCode);
        // Nor may anyone withdraw a completion: it is a record.
        using (var withdraw = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/withdraw", new { reason = "left" }))
            Assert.Equal(HttpStatusCode.Conflict, withdraw.StatusCode);

        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}/ledger");
        Assert.Equal(["Assigned", "Completed"], ledger.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        Assert.Equal([1, 2], ledger.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt32()));
        Assert.Equal("new starter", ledger[0].GetProperty("reason").GetString());
        Assert.Equal("attended the classroom session", ledger[1].GetProperty("reason").GetString());
        Assert.Equal("instructor Tester", ledger[1].GetProperty("actorName").GetString());

        // What was the status then? From the ledger.
        var then = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}?asOf={Uri.EscapeDataString(between.ToString("O"))}");
        Assert.Equal("Enrolled", then.GetProperty("status").GetString());
        await Task.Delay(1100);
        var replayed = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMilliseconds(-500).ToString("O"))}");
        var current = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}");
        foreach (var field in new[] { "status", "version", "enrolledAt", "startedAt", "completedAt", "dueAt", "source", "sourceReference" })
            Assert.Equal(current.GetProperty(field).ToString(), replayed.GetProperty(field).ToString());

        // Not overdue (completed), and listed by status.
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}&overdue=true")).GetProperty("totalCount").GetInt32());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}&status=completed")).GetProperty("totalCount").GetInt32());
        using var badStatus = await admin.GetAsync($"/api/enrolment/enrolments?status=finished");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
    }

    [Fact]
    public async Task Many_people_are_enrolled_at_once_and_each_is_told_apart_enrolled_already_or_refused_with_the_reason()
    {
        var admin = platform.Gateway;
        var (first, second) = (await Users.CreateAsync(admin, "batch"), await Users.CreateAsync(admin, "batch"));
        foreach (var person in new[] { first, second })
            await EnrolmentClient.LearnerCopyAsync(admin, person);
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Batch basics");
        using (var one = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = first, courseId }))
            Assert.Equal(HttpStatusCode.Created, one.StatusCode);

        var stranger = Guid.NewGuid();
        using var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { first, second, stranger, second }, courseId, note = "team day" });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        var answer = await batch.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 1, 1), (answer.GetProperty("enrolled").GetInt32(), answer.GetProperty("alreadyEnrolled").GetInt32(), answer.GetProperty("refused").GetInt32()));
        var outcomes = answer.GetProperty("outcomes").EnumerateArray().ToDictionary(o => o.GetProperty("userId").GetGuid());
        Assert.Equal("AlreadyEnrolled", outcomes[first].GetProperty("result").GetString());
        Assert.Equal("Enrolled", outcomes[second].GetProperty("result").GetString());
        Assert.Equal("is not a known user", outcomes[stranger].GetProperty("reason").GetString());
        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{outcomes[second].GetProperty("enrolmentId").GetGuid()}/ledger");
        Assert.Equal("team day", Assert.Single(ledger.EnumerateArray()).GetProperty("reason").GetString());

        // The course is checked once for all: an unpublished one refuses the whole request.
        using var noCourse = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { first }, courseId = Guid.NewGuid() });
        Assert.Equal(HttpStatusCode.BadRequest, noCourse.StatusCode);
        Assert.Contains("is not a published course", await noCourse.Content.ReadAsStringAsync());
        using var none = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = Array.Empty<Guid>(), courseId });
        Assert.Equal(HttpStatusCode.BadRequest, none.StatusCode);
    }

    [Fact]
    public async Task A_compliance_rule_sets_the_due_date_from_the_hire_date_and_overdue_follows_the_clock()
    {
        var admin = platform.Gateway;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        async Task<Guid> PersonAsync(DateOnly? hireDate)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users",
                new { email = $"hire.{Guid.NewGuid():N}@example.org", givenName = "Hire", familyName = "Date", hireDate });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var (veteran, starter, unknownStart) = (await PersonAsync(today.AddDays(-60)), await PersonAsync(today), await PersonAsync(null));
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Fire safety for new starters",
            draft => draft["compliance"] = new { dueWithinDays = 30, dueFrom = "hire" });

        using var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { veteran, starter, unknownStart }, courseId });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        async Task<JsonElement> EnrolmentOf(Guid person) =>
            Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={person}&courseId={courseId}")).GetProperty("items").EnumerateArray());

        // Hired 60 days ago with 30 days to do it: due 30 days ago, overdue at once.
        var late = await EnrolmentOf(veteran);
        Assert.Equal(today.AddDays(-30), DateOnly.FromDateTime(late.GetProperty("dueAt").GetDateTimeOffset().UtcDateTime));
        Assert.True(late.GetProperty("overdue").GetBoolean());
        var fresh = await EnrolmentOf(starter);
        Assert.Equal(today.AddDays(30), DateOnly.FromDateTime(fresh.GetProperty("dueAt").GetDateTimeOffset().UtcDateTime));
        Assert.False(fresh.GetProperty("overdue").GetBoolean());
        // No hire date: counted from the assignment.
        Assert.Equal(today.AddDays(30), DateOnly.FromDateTime((await EnrolmentOf(unknownStart)).GetProperty("dueAt").GetDateTimeOffset().UtcDateTime));

        var overdue = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?courseId={courseId}&overdue=true");
        Assert.Equal([veteran], overdue.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("userId").GetGuid()));

        // An extension with its reason moves the due date; the person is no longer overdue.
        var lateId = late.GetProperty("id").GetGuid();
        using (var extended = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{lateId}/due-date", new { dueAt = DateTimeOffset.UtcNow.AddDays(14), reason = "joined from another site" }))
        {
            Assert.Equal(HttpStatusCode.OK, extended.StatusCode);
            Assert.False((await extended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("overdue").GetBoolean());
        }
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?courseId={courseId}&overdue=true")).GetProperty("totalCount").GetInt32());
    }
}
