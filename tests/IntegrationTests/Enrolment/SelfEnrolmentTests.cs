using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// Prerequisites (from the catalogue's events) hold back a person's enrolment and a self-enrolment, an administrator
/// may override them on the record; self-enrolment follows the course's policy; a request waits for the person's
/// manager, whom nobody else stands in for but an administrator; a new version moves open enrolments only when asked.
/// </summary>
public class SelfEnrolmentTests(PlatformFixture platform)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Prerequisites_hold_people_back_until_done_or_overridden_on_the_record()
    {
        var admin = platform.Gateway;
        var basics = await EnrollableCourseAsync(platform, "Electrical basics");
        var advanced = await EnrollableCourseAsync(platform, "High voltage", d => d["selfEnrolment"] = "open");
        var basicsCode = (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{basics}")).GetProperty("code").GetString()!;
        using (var set = await admin.PutAsJsonAsync($"/api/catalogue/courses/{advanced}/prerequisites", new { items = new[] { basics } }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{advanced}' AND \"Prerequisites\" = ARRAY['{basics}']::uuid[]"), n => n == 1, Soon, "enrolment's copy of the prerequisites");

        var (learnerId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "volt");
        await EnrolmentClient.LearnerCopyAsync(admin, learnerId);
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);

        // The learner is told what to do first, and cannot enrol themselves yet; nor can an administrator enrol them without saying why.
        var offer = await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{advanced}");
        Assert.Equal("prerequisites", offer.GetProperty("state").GetString());
        Assert.Equal([basicsCode], offer.GetProperty("missingPrerequisites").EnumerateArray().Select(c => c.GetString()));
        using (var refused = await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{advanced}/enrol", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Contains(basicsCode, await refused.Content.ReadAsStringAsync());
        }
        using (var refused = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = learnerId, courseId = advanced }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains($"has not completed the prerequisites: {basicsCode}", await refused.Content.ReadAsStringAsync());
        }

        // An override enrols someone else, and the ledger says who overrode what and why.
        var other = await Users.CreateAsync(admin, "override");
        await EnrolmentClient.LearnerCopyAsync(admin, other);
        using (var overridden = await admin.PostAsJsonAsync("/api/enrolment/enrolments",
                   new { userId = other, courseId = advanced, overridePrerequisites = "qualified electrician, certificate seen" }))
        {
            Assert.Equal(HttpStatusCode.Created, overridden.StatusCode);
            var id = (await overridden.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var assigned = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{id}/ledger"))[0];
            Assert.Equal($"Prerequisites overridden ({basicsCode}): qualified electrician, certificate seen", assigned.GetProperty("reason").GetString());
            var adminId = (await admin.GetFromJsonAsync<JsonElement>("/api/identity/me")).GetProperty("user").GetProperty("id").GetGuid();
            Assert.Equal(adminId, assigned.GetProperty("actorId").GetGuid());
        }

        // Once the basics are done (recorded by hand here), the learner enrols themselves on the open course at once.
        using (var enrolled = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = learnerId, courseId = basics }))
        {
            var id = (await enrolled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var done = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete", new { reason = "attended the classroom session" });
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
        Assert.Equal("available", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{advanced}")).GetProperty("state").GetString());
        Guid selfEnrolment;
        using (var joined = await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{advanced}/enrol", new { note = "for the substation project" }))
        {
            Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
            var body = await joined.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("enrolled", body.GetProperty("state").GetString());
            selfEnrolment = body.GetProperty("enrolmentId").GetGuid();
            var enrolment = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{selfEnrolment}");
            Assert.Equal("SelfEnrolment", enrolment.GetProperty("source").GetString());
            Assert.Equal(learnerId.ToString(), enrolment.GetProperty("sourceReference").GetString());
        }
        Assert.Equal("enrolled", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{advanced}")).GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{advanced}/enrol", new { })).StatusCode);

        // A course that is assigned, not taken, refuses self-enrolment; an unknown one is not found.
        using (var closed = await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{basics}/enrol", new { }))
            Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode); // enrolled already
        var assignedOnly = await EnrollableCourseAsync(platform, "Assigned only");
        Assert.Equal("closed", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{assignedOnly}")).GetProperty("state").GetString());
        using (var closed = await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{assignedOnly}/enrol", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
            Assert.Contains("not open to self-enrolment", await closed.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await learner.GetAsync($"/api/enrolment/me/courses/{Guid.NewGuid()}")).StatusCode);

        // Version 2: new enrolments get it; the open ones move only when an administrator says so, finished ones never.
        using (var draft = await admin.PostAsync($"/api/catalogue/courses/{advanced}/draft", null))
            Assert.Equal(HttpStatusCode.Created, draft.StatusCode);
        await PublishAsync(admin, "courses", advanced);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM courses WHERE \"CourseId\" = '{advanced}' AND \"Version\" = 2"), n => n == 1, Soon, "version 2 in enrolment");
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{selfEnrolment}")).GetProperty("version").GetInt32());
        using (var noReason = await admin.PostAsJsonAsync($"/api/enrolment/courses/{advanced}/migrations", new { dryRun = false }))
            Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        var preview = await (await admin.PostAsJsonAsync($"/api/enrolment/courses/{advanced}/migrations", new { dryRun = true })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, preview.GetProperty("migrated").GetInt32());
        Assert.Equal(2, preview.GetProperty("byVersion").GetProperty("1").GetInt32());
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{selfEnrolment}")).GetProperty("version").GetInt32());
        using (var migrated = await admin.PostAsJsonAsync($"/api/enrolment/courses/{advanced}/migrations", new { reason = "new arc-flash module", dryRun = false }))
        {
            Assert.Equal(HttpStatusCode.OK, migrated.StatusCode);
            Assert.Equal(2, (await migrated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("migrated").GetInt32());
        }
        var moved = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{selfEnrolment}");
        Assert.Equal(2, moved.GetProperty("version").GetInt32());
        Assert.Equal("Enrolled", moved.GetProperty("status").GetString());
        var entries = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{selfEnrolment}/ledger");
        Assert.Equal(["Assigned", "Migrated"], entries.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(0, (await (await admin.PostAsJsonAsync($"/api/enrolment/courses/{advanced}/migrations", new { dryRun = true }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("migrated").GetInt32());
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.EnrolmentMigrated' AND payload->>'enrolmentId' = '{selfEnrolment}' AND payload->>'version' = '2'"),
            n => n == 1, Soon, "announced the move");
        // A learner may not move anyone.
        Assert.Equal(HttpStatusCode.Forbidden, (await learner.PostAsJsonAsync($"/api/enrolment/courses/{advanced}/migrations", new { dryRun = true })).StatusCode);
    }

    [Fact]
    public async Task A_request_waits_for_the_persons_manager_and_nobody_else_but_an_administrator_may_decide_it()
    {
        var admin = platform.Gateway;
        var course = await EnrollableCourseAsync(platform, "Negotiation skills", d => d["selfEnrolment"] = "manager-approval");
        var (bossId, _, bossTokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "boss", Roles.Manager);
        var (_, _, otherTokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "otherboss", Roles.Manager);
        var email = $"asker.{Guid.NewGuid():N}@example.org";
        Guid learnerId;
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Asker", familyName = "Tester", managerId = bossId }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            learnerId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await Identity.People.SetPasswordAsync(platform.App, email, password);
        await Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/learners/{learnerId}")).GetProperty("managerId").ToString(),
            m => m == bossId.ToString(), Soon, "enrolment knows the manager");
        var learnerTokens = await Identity.Oidc.SignInAsync(platform.App, email, password);
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), learnerTokens.AccessToken);
        using var boss = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), bossTokens.AccessToken);
        using var otherBoss = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), otherTokens.AccessToken);

        Guid requestId;
        using (var asked = await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{course}/enrol", new { note = "new client accounts" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
            var body = await asked.Content.ReadFromJsonAsync<JsonElement>();
            requestId = body.GetProperty("id").GetGuid();
            Assert.Equal("Pending", body.GetProperty("status").GetString());
            Assert.Equal("Manager", body.GetProperty("approval").GetString());
        }
        Assert.Equal(HttpStatusCode.Conflict, (await learner.PostAsJsonAsync($"/api/enrolment/me/courses/{course}/enrol", new { })).StatusCode);
        Assert.Equal("requested", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{course}")).GetProperty("state").GetString());
        Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.EnrolmentRequested' AND payload->>'requestId' = '{requestId}' AND payload->>'approverId' = '{bossId}'"));

        // Not the other manager's, nor the learner's own, to see or decide.
        Assert.Equal(0, (await otherBoss.GetFromJsonAsync<JsonElement>("/api/enrolment/approvals")).GetProperty("totalCount").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await otherBoss.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/approve", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await learner.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/approve", new { })).StatusCode);

        // The manager has it in their queue; a decline needs a reason; the approval enrols, with the request as the reason why.
        var queue = await boss.GetFromJsonAsync<JsonElement>("/api/enrolment/approvals");
        Assert.Equal([requestId], queue.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        Assert.Equal("new client accounts", queue.GetProperty("items")[0].GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await boss.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/decline", new { reason = " " })).StatusCode);
        using (var approved = await boss.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/approve", new { reason = "good timing" }))
        {
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            var body = await approved.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("Approved", body.GetProperty("status").GetString());
            var enrolment = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{body.GetProperty("enrolmentId").GetGuid()}");
            Assert.Equal(learnerId, enrolment.GetProperty("userId").GetGuid());
            Assert.Equal("SelfEnrolment", enrolment.GetProperty("source").GetString());
            Assert.Equal(requestId.ToString(), enrolment.GetProperty("sourceReference").GetString());
        }
        Assert.Equal(HttpStatusCode.Conflict, (await boss.PostAsJsonAsync($"/api/enrolment/approvals/{requestId}/decline", new { reason = "changed my mind" })).StatusCode);
        Assert.Equal(0, (await boss.GetFromJsonAsync<JsonElement>("/api/enrolment/approvals")).GetProperty("totalCount").GetInt32());
        Assert.Equal(1, (await boss.GetFromJsonAsync<JsonElement>("/api/enrolment/approvals?status=decided")).GetProperty("totalCount").GetInt32());
        Assert.Equal("enrolled", (await learner.GetFromJsonAsync<JsonElement>($"/api/enrolment/me/courses/{course}")).GetProperty("state").GetString());
        var mine = await learner.GetFromJsonAsync<JsonElement>("/api/enrolment/me/requests");
        Assert.Equal("Approved", mine.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.EnrolmentRequestDecided' AND payload->>'requestId' = '{requestId}' AND payload->>'decision' = 'Approved'"));
    }
}
