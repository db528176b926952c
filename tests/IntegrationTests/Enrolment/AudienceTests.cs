using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// Audience rules through the gateway, on identity's real events: a published rule assigns its course to the people it
/// matches, an HR change moves someone in or out within seconds (the leave policy suspending their assignment), the
/// why-trace explains each answer, a publication that removes too many is held for confirmation, cycles and malformed
/// rules are refused, the grace period holds a leaver, and the reconciliation finds no drift.
/// </summary>
public class AudienceTests(PlatformFixture platform)
{
    private HttpClient Admin => platform.Gateway;

    [Fact]
    public async Task A_published_rule_assigns_its_course_follows_HR_changes_in_seconds_and_explains_itself()
    {
        var ops = await OrgUnitAsync("Aud Operations");
        var north = await OrgUnitAsync("Aud North", ops);
        var elsewhere = await OrgUnitAsync("Aud Elsewhere");
        var nurse = await PersonAsync("nurse", north, "Nurse");
        var porter = await PersonAsync("porter", ops, "Porter");
        var outsider = await PersonAsync("outsider", elsewhere, "Nurse");
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Audience induction");
        var rule = new
        {
            type = "all",
            rules = new object[] { new { type = "orgUnit", orgUnitId = ops }, new { type = "not", rule = new { type = "jobTitle", values = new[] { "porter" } } } },
        };

        // The live preview: one person joins and gets one assignment; nothing is saved.
        var preview = await PostOkAsync("/api/enrolment/audiences/preview", new { rule, courseIds = new[] { courseId } });
        Assert.Equal(1, preview.GetProperty("joining").GetInt32());
        Assert.Equal(1, preview.GetProperty("newAssignments").GetInt32());
        Assert.Equal(nurse.Id, preview.GetProperty("joiningSample")[0].GetProperty("userId").GetGuid());

        var audience = await CreateAsync("Operations staff except porters", rule, [courseId], leavePolicy: "Suspend");
        var published = await PostOkAsync($"/api/enrolment/audiences/{audience}/publish", new { });
        Assert.Equal(1, published.GetProperty("version").GetInt32());

        var enrolment = await EnrolmentOfAsync(nurse.Id, courseId);
        Assert.Equal("AudienceRule", enrolment.GetProperty("source").GetString());
        Assert.Equal($"{audience}:v1", enrolment.GetProperty("sourceReference").GetString());
        Assert.Equal([nurse.Id], await MemberIdsAsync(audience));

        // Why not the porter: the NOT node's job title matched.
        var why = await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/people/{porter.Id}");
        Assert.False(why.GetProperty("member").GetBoolean());
        Assert.False(why.GetProperty("matchesPublished").GetBoolean());
        var lines = why.GetProperty("published").EnumerateArray().Select(l => (l.GetProperty("question").GetString(), l.GetProperty("result").GetBoolean(), l.GetProperty("detail").GetString())).ToList();
        Assert.Contains(lines, l => l.Item1!.StartsWith("In Aud Operations") && l.Item1.EndsWith("or below") && l.Item2 && l.Item3!.StartsWith("is in Aud Operations"));
        Assert.Contains(("Job title is “porter”", true, "job title is “Porter”"), lines);
        Assert.Contains(("Not (NOT)", false, "the condition below is met"), lines);

        // HR makes the porter a nurse: they join and are assigned within seconds, from the UserUpdated event alone.
        var clock = Stopwatch.StartNew();
        await UpdateAsync(porter, ops, "Nurse");
        await EnrolmentOfAsync(porter.Id, courseId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"joined after {clock.Elapsed}");

        // The nurse moves out of Operations: they leave, and the leave policy suspends the assignment (kept, not deleted).
        await UpdateAsync(nurse, elsewhere, "Nurse");
        var suspended = await Eventually.ReachesAsync(() => EnrolmentOfAsync(nurse.Id, courseId), e => e.GetProperty("status").GetString() == "Suspended",
            TimeSpan.FromSeconds(20), "the leaver's assignment suspended");
        var ledger = await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{suspended.GetProperty("id").GetGuid()}/ledger");
        Assert.Equal("Left the audience Operations staff except porters", ledger.EnumerateArray().Last().GetProperty("reason").GetString());
        Assert.Equal([porter.Id], await MemberIdsAsync(audience));
        var history = await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/history?userId={nurse.Id}");
        Assert.Equal(["Left", "Joined"], history.GetProperty("items").EnumerateArray().Select(h => h.GetProperty("change").GetString()));
        var whileAway = DateTimeOffset.UtcNow;

        // She comes back: the suspended assignment resumes.
        await UpdateAsync(nurse, north, "Nurse");
        await Eventually.ReachesAsync(() => EnrolmentOfAsync(nurse.Id, courseId), e => e.GetProperty("status").GetString() == "Enrolled",
            TimeSpan.FromSeconds(20), "the returner's assignment resumed");
        Assert.DoesNotContain(outsider.Id, await MemberIdsAsync(audience));

        // Analytics reports by audience from the same membership events: as of while the nurse was away, the porter alone
        // (her suspended assignment was not a member's then; counting her would show it paused), and now both, with
        // their course. Analytics follows the events, so the answer as of then is waited for too.
        var byAudience = $"/api/analytics/reports/completion?audienceId={audience}";
        await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"{byAudience}&asOf={Uri.EscapeDataString(whileAway.ToString("O"))}"))
            .GetProperty("total") is var t ? (t.GetProperty("assigned").GetInt64(), t.GetProperty("paused").GetInt64()) : default,
            n => n == (1, 0), TimeSpan.FromSeconds(30), "the porter alone in the report by audience as of while the nurse was away");
        await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>(byAudience)).GetProperty("total").GetProperty("assigned").GetInt64(),
            n => n == 2, TimeSpan.FromSeconds(30), "both members' assignments in the report by audience now");

        // A scheduled report by the audience counts its members when it runs (both, now), and links to the page so filtered.
        var (_, ownerEmail, ownerTokens) = await Identity.People.CreateSignedInAsync(platform.App, Admin, "audowner", null, [Roles.Administrator]);
        using var owner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), ownerTokens.AccessToken);
        var name = "Induction by audience " + Guid.NewGuid().ToString("N")[..6];
        Guid scheduleId;
        using (var created = await owner.PostAsJsonAsync("/api/analytics/report-schedules",
                   new { name, report = "completion", frequency = "weekly", audienceId = audience, recipientEmails = new[] { ownerEmail } }))
        {
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(audience, body.GetProperty("query").GetProperty("audienceId").GetGuid());
            scheduleId = body.GetProperty("id").GetGuid();
        }
        await Eventually.ReachesAsync(async () =>
        {
            using var sent = await owner.PostAsync($"/api/analytics/report-schedules/{scheduleId}/send", null);
            return await sent.Content.ReadFromJsonAsync<JsonElement>();
        }, r => r.GetProperty("sent").GetBoolean(), TimeSpan.FromSeconds(60), "the schedule sent as its owner");
        var mail = (await LmsPlatform.Testing.Mailbox.WaitForAsync(platform.App, ownerEmail, m => m.Subject.StartsWith($"{name}:", StringComparison.Ordinal),
            timeout: TimeSpan.FromSeconds(60))).First();
        Assert.Contains("Audience induction", mail.Text);
        Assert.Contains(": 2 assigned", mail.Text);
        Assert.Contains($"audience={audience}", mail.Text);

        // Everyone evaluated again finds nothing the events missed.
        var run = await PostOkAsync("/api/enrolment/audiences/reconciliations", new { });
        Assert.Equal(0, run.GetProperty("drift").GetInt32());
    }

    [Fact]
    public async Task A_publication_removing_many_members_waits_for_confirmation_and_the_grace_period_holds_leavers()
    {
        var unit = await OrgUnitAsync("Aud Threshold");
        var first = await PersonAsync("first", unit, "Clerk");
        var second = await PersonAsync("second", unit, "Clerk");
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Audience threshold");
        var audience = await CreateAsync("Threshold clerks", new { type = "orgUnit", orgUnitId = unit }, [courseId], leavePolicy: "WithdrawIfNotStarted");
        await PostOkAsync($"/api/enrolment/audiences/{audience}/publish", new { });
        await EnrolmentOfAsync(second.Id, courseId);
        await Eventually.ReachesAsync(() => MemberIdsAsync(audience), m => m.Count == 2, TimeSpan.FromSeconds(20), "two members");

        // A version that matches only the first clerk removes half the members: held until confirmed, with the effect in words.
        await EditAsync(audience, "Threshold clerks",
            new { type = "all", rules = new object[] { new { type = "orgUnit", orgUnitId = unit }, new { type = "not", rule = new { type = "location", values = new[] { "Leeds" } } } } },
            [courseId], leavePolicy: "WithdrawIfNotStarted");
        await UpdateAsync(second, unit, "Clerk", location: "Leeds");
        await Eventually.ReachesAsync(async () => (await PostOkAsync("/api/enrolment/audiences/preview",
                new { audienceId = audience, rule = new { type = "all", rules = new object[] { new { type = "orgUnit", orgUnitId = unit }, new { type = "not", rule = new { type = "location", values = new[] { "Leeds" } } } } }, courseIds = new[] { courseId }, leavePolicy = "WithdrawIfNotStarted" }))
            .GetProperty("leaving").GetInt32(), n => n == 1, TimeSpan.FromSeconds(20), "the preview counting the Leeds clerk out");
        using (var held = await Admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/publish", new { }))
        {
            Assert.Equal(HttpStatusCode.Conflict, held.StatusCode);
            var problem = await held.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("removes 1 of 2 members (50%)", problem.GetProperty("detail").GetString());
            Assert.Contains("1 assignment not started withdrawn", problem.GetProperty("detail").GetString());
            Assert.True(problem.GetProperty("errors").TryGetProperty("confirm", out _));
        }
        Assert.Equal(2, (await PostOkAsync($"/api/enrolment/audiences/{audience}/publish", new { confirm = true })).GetProperty("version").GetInt32());
        var withdrawn = await Eventually.ReachesAsync(() => EnrolmentOfAsync(second.Id, courseId), e => e.GetProperty("status").GetString() == "Withdrawn",
            TimeSpan.FromSeconds(20), "the not-started assignment withdrawn");
        Assert.Equal("AudienceRule", withdrawn.GetProperty("source").GetString());

        // With a grace period, someone who stops matching is held as leaving, and stays if they match again in time.
        await EditAsync(audience, "Threshold clerks", new { type = "orgUnit", orgUnitId = unit }, [courseId], leavePolicy: "Suspend", graceDays: 3);
        await PostOkAsync($"/api/enrolment/audiences/{audience}/publish", new { });
        await Eventually.ReachesAsync(() => MemberIdsAsync(audience), m => m.Count == 2, TimeSpan.FromSeconds(20), "both clerks back");
        var elsewhere = await OrgUnitAsync("Aud Threshold elsewhere");
        await UpdateAsync(first, elsewhere, "Clerk");
        await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/members?leaving=true")).GetProperty("totalCount").GetInt32(),
            n => n == 1, TimeSpan.FromSeconds(20), "the first clerk leaving");
        Assert.Equal("Enrolled", (await EnrolmentOfAsync(first.Id, courseId)).GetProperty("status").GetString());
        await UpdateAsync(first, unit, "Clerk");
        await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/history?userId={first.Id}"))
            .GetProperty("items")[0].GetProperty("change").GetString(), c => c == "Stayed", TimeSpan.FromSeconds(20), "the first clerk staying");
    }

    [Fact]
    public async Task An_audience_assigns_a_learning_path_with_its_courses_and_its_leave_policy_suspends_resumes_and_withdraws_the_path()
    {
        var unit = await OrgUnitAsync("Aud Paths");
        var elsewhere = await OrgUnitAsync("Aud Paths elsewhere");
        var first = await PersonAsync("pathfirst", unit, "Engineer");
        var second = await PersonAsync("pathsecond", unit, "Engineer");
        var safety = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Audience path: safety");
        var tools = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Audience path: tools");
        var pathId = await Catalogue.CatalogueClient.CreatePathAsync(Admin, Catalogue.CatalogueClient.NewCode("APT"), new Dictionary<string, object?>
        {
            ["title"] = "Engineering starter path", ["categoryId"] = await Catalogue.CatalogueClient.CreateCategoryAsync(Admin, "Audience paths"), ["language"] = "en",
            ["courses"] = new object[] { new { courseId = safety, required = true }, new { courseId = tools, required = true } }, ["optionalToComplete"] = 0,
        });
        await Catalogue.CatalogueClient.PublishAsync(Admin, "paths", pathId);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learning_paths WHERE \"PathId\" = '{pathId}' AND \"Version\" = 1"),
            n => n == 1, TimeSpan.FromSeconds(30), "enrolment's copy of the path");
        var rule = new { type = "orgUnit", orgUnitId = unit };

        // An unpublished or unknown path is refused by name; the preview counts the path as one assignment a person.
        await AssertRefusedAsync(new { name = "Bad paths", rule, pathIds = new[] { Guid.NewGuid() } }, "pathIds", "not a published learning path");
        Assert.Equal(2, (await PostOkAsync("/api/enrolment/audiences/preview", new { rule, pathIds = new[] { pathId } })).GetProperty("newAssignments").GetInt32());

        using (var created = await Admin.PostAsJsonAsync("/api/enrolment/audiences", new { name = "Engineers' path", rule, pathIds = new[] { pathId }, leavePolicy = "Suspend" }))
        {
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal("Engineering starter path", body.GetProperty("draftPaths")[0].GetProperty("title").GetString());
            var audience = body.GetProperty("id").GetGuid();
            await PostOkAsync($"/api/enrolment/audiences/{audience}/publish", new { });

            // Both are on the path (the audience and version its reason) and on its two courses (the path theirs).
            var onPath = await PathEnrolmentsAsync(pathId, 2);
            Assert.All(onPath, p => Assert.Equal(("AudienceRule", $"{audience}:v1"), (p.GetProperty("source").GetString(), p.GetProperty("sourceReference").GetString())));
            var courses = await CourseEnrolmentsAsync(first.Id, 2);
            Assert.All(courses, c => Assert.Equal(("LearningPath", pathId.ToString()), (c.GetProperty("source").GetString(), c.GetProperty("sourceReference").GetString())));

            // The first leaves: the path and its open courses are suspended; back again, they resume.
            await UpdateAsync(first, elsewhere, "Engineer");
            await Eventually.ReachesAsync(() => PathStatusAsync(pathId, first.Id), s => s == "Suspended", TimeSpan.FromSeconds(20), "the path suspended");
            Assert.All(await CourseEnrolmentsAsync(first.Id, 2), c => Assert.Equal("Suspended", c.GetProperty("status").GetString()));
            await UpdateAsync(first, unit, "Engineer");
            await Eventually.ReachesAsync(() => PathStatusAsync(pathId, first.Id), s => s == "Enrolled", TimeSpan.FromSeconds(20), "the path resumed");
            Assert.All(await CourseEnrolmentsAsync(first.Id, 2), c => Assert.Equal("Enrolled", c.GetProperty("status").GetString()));

            // Withdraw-if-not-started: the second, who started nothing, leaves and the path goes with its courses; nothing is deleted.
            using (var edited = await Admin.PutAsJsonAsync($"/api/enrolment/audiences/{audience}",
                       new { name = "Engineers' path", rule, pathIds = new[] { pathId }, leavePolicy = "WithdrawIfNotStarted" }))
                Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
            await UpdateAsync(second, elsewhere, "Engineer");
            await Eventually.ReachesAsync(() => PathStatusAsync(pathId, second.Id), s => s == "Withdrawn", TimeSpan.FromSeconds(20), "the path withdrawn");
            Assert.All(await CourseEnrolmentsAsync(second.Id, 2), c => Assert.Equal("Withdrawn", c.GetProperty("status").GetString()));
            // Announced for analytics and notification: suspended, resumed, withdrawn.
            foreach (var (status, userId) in new[] { ("Suspended", first.Id), ("Enrolled", first.Id), ("Withdrawn", second.Id) })
                Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb,
                    $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.LearningPathEnrolmentChanged' AND payload->>'learningPathId' = '{pathId}' AND payload->>'status' = '{status}' AND payload->>'userId' = '{userId}'"));
        }
    }

    private async Task<List<JsonElement>> PathEnrolmentsAsync(Guid pathId, int expected) =>
        [.. (await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/paths/{pathId}/enrolments")).GetProperty("items"),
            items => items.GetArrayLength() == expected, TimeSpan.FromSeconds(20), "the path's enrolments")).EnumerateArray()];

    private async Task<string?> PathStatusAsync(Guid pathId, Guid userId) =>
        (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/paths/{pathId}/enrolments")).GetProperty("items").EnumerateArray()
            .Single(p => p.GetProperty("userId").GetGuid() == userId).GetProperty("status").GetString();

    private async Task<List<JsonElement>> CourseEnrolmentsAsync(Guid userId, int expected) =>
        [.. (await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}")).GetProperty("items"),
            items => items.GetArrayLength() == expected, TimeSpan.FromSeconds(20), "the person's course enrolments")).EnumerateArray()];

    [Fact]
    public async Task Malformed_rules_unknown_references_and_cycles_are_refused_naming_the_field()
    {
        var unit = await OrgUnitAsync("Aud Refusals");
        await AssertRefusedAsync(new { name = "Bad", rule = new { type = "everyone" } }, "rule", "known 'type'");
        await AssertRefusedAsync(new { name = "Bad", rule = new { type = "jobTitle", values = new[] { "a" }, colour = "red" } }, "rule", "is not a rule");
        await AssertRefusedAsync(new { name = "Bad", rule = new { type = "all", rules = new object[] { new { type = "jobTitle", values = Array.Empty<string>() } } } },
            "rule.rules[0].values", "at least one value");
        await AssertRefusedAsync(new { name = "Bad", rule = new { type = "orgUnit", orgUnitId = Guid.NewGuid() } }, "rule", "org unit");
        await AssertRefusedAsync(new { name = "", rule = new { type = "orgUnit", orgUnitId = unit } }, "name", "required");
        await AssertRefusedAsync(new { name = "Bad", rule = new { type = "orgUnit", orgUnitId = unit }, leavePolicy = "Delete" }, "leavePolicy", "Keep");

        var a = await CreateAsync("Cycle A", new { type = "orgUnit", orgUnitId = unit }, []);
        var b = await CreateAsync("Cycle B", new { type = "audience", audienceId = a }, []);
        using var cycle = await Admin.PutAsJsonAsync($"/api/enrolment/audiences/{a}", new { name = "Cycle A", rule = new { type = "audience", audienceId = b } });
        Assert.Equal(HttpStatusCode.BadRequest, cycle.StatusCode);
        Assert.Contains("cannot contain itself", await cycle.Content.ReadAsStringAsync());
        using var stale = new HttpRequestMessage(HttpMethod.Put, $"/api/enrolment/audiences/{a}")
        { Content = JsonContent.Create(new { name = "Cycle A", rule = new { type = "orgUnit", orgUnitId = unit } }) };
        stale.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"1\""));
        Assert.Equal(HttpStatusCode.Conflict, (await Admin.SendAsync(stale)).StatusCode);
    }

    private async Task AssertRefusedAsync(object body, string field, string reason)
    {
        using var response = await Admin.PostAsJsonAsync("/api/enrolment/audiences", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), text);
        Assert.Contains(reason, messages[0].GetString());
    }

    private sealed record Person(Guid Id, string Email);

    private async Task<Guid> OrgUnitAsync(string name, Guid? parentId = null)
    {
        var id = await Identity.OrgUnits.CreateAsync(Admin, $"{name} {Guid.NewGuid().ToString()[..6]}", parentId);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM org_units WHERE id = '{id}'"),
            n => n == 1, TimeSpan.FromSeconds(30), "enrolment's copy of the org unit");
        return id;
    }

    private async Task<Person> PersonAsync(string tag, Guid orgUnitId, string jobTitle)
    {
        var email = $"{tag}-{Guid.NewGuid():N}@example.org";
        using var created = await Admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Aud", familyName = tag, jobTitle, orgUnitId });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await EnrolmentClient.LearnerCopyAsync(Admin, id);
        return new Person(id, email);
    }

    private async Task UpdateAsync(Person person, Guid orgUnitId, string jobTitle, string? location = null)
    {
        var familyName = (await Admin.GetFromJsonAsync<JsonElement>($"/api/identity/users/{person.Id}")).GetProperty("familyName").GetString();
        using var updated = await Admin.PutAsJsonAsync($"/api/identity/users/{person.Id}",
            new { email = person.Email, givenName = "Aud", familyName, jobTitle, orgUnitId, location });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
    }

    private async Task<Guid> CreateAsync(string name, object rule, Guid[] courseIds, string leavePolicy = "Keep", int graceDays = 0)
    {
        using var created = await Admin.PostAsJsonAsync("/api/enrolment/audiences", new { name, rule, courseIds, leavePolicy, graceDays });
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    private async Task EditAsync(Guid id, string name, object rule, Guid[] courseIds, string leavePolicy = "Keep", int graceDays = 0)
    {
        using var edited = await Admin.PutAsJsonAsync($"/api/enrolment/audiences/{id}", new { name, rule, courseIds, leavePolicy, graceDays });
        var text = await edited.Content.ReadAsStringAsync();
        Assert.True(edited.StatusCode == HttpStatusCode.OK, $"{(int)edited.StatusCode} {text}");
    }

    private async Task<JsonElement> PostOkAsync(string path, object body)
    {
        using var response = await Admin.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private async Task<List<Guid>> MemberIdsAsync(Guid audience) =>
        [.. (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/members")).GetProperty("items").EnumerateArray()
            .Where(m => m.GetProperty("leavingSince").ValueKind == JsonValueKind.Null).Select(m => m.GetProperty("userId").GetGuid())];

    /// <summary>The person's enrolment on the course, once there is one.</summary>
    private async Task<JsonElement> EnrolmentOfAsync(Guid userId, Guid courseId) =>
        (await Eventually.ReachesAsync(async () => (await Admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={userId}&courseId={courseId}")).GetProperty("items"),
            items => items.GetArrayLength() == 1, TimeSpan.FromSeconds(20), "the enrolment"))[0];
}
