using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using LmsPlatform.IntegrationTests.Enrolment;
using LmsPlatform.IntegrationTests.Identity;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Analytics;

/// <summary>
/// Scheduled reports: a manager schedules their team's compliance report to themselves and one of their people; it
/// runs as the manager (their people only), is emailed through notification, refuses recipients beyond the manager's
/// reach, is hidden from another manager, and sends nothing once the manager no longer holds a role that reads reports.
/// </summary>
public class ScheduledReportTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_manager_schedules_their_teams_report_it_is_mailed_as_they_would_see_it_and_stops_when_their_role_goes()
    {
        var admin = platform.Gateway;
        var tag = "Sched" + Guid.NewGuid().ToString("N")[..6];
        var unit = await OrgUnits.CreateAsync(admin, $"{tag} Depot");
        var (managerId, managerEmail, _) = await People.CreateWithPasswordAsync(platform.App, admin, $"{tag}boss", null, [], unit);
        Guid assignment;
        using (var granted = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = managerId, role = Roles.Manager }))
        {
            Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
            assignment = (await granted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        await People.SetPasswordAsync(platform.App, managerEmail, "Pw-" + tag + "-secret");
        var tokens = await Oidc.SignInAsync(platform.App, managerEmail, "Pw-" + tag + "-secret");
        using var manager = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        async Task<(Guid Id, string Email)> PersonAsync(string name, Guid? managedBy)
        {
            var email = $"{name}.{tag}.{Guid.NewGuid():N}@example.org";
            using var created = await admin.PostAsJsonAsync("/api/identity/users",
                new { email, givenName = name, familyName = tag, managerId = managedBy, orgUnitId = unit, hireDate = today.AddDays(-90) });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            return (id, email);
        }
        var ada = await PersonAsync("Ada", managerId);
        var ben = await PersonAsync("Ben", managerId);
        var outsider = await PersonAsync("Cy", null); // same department, not the manager's
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"{tag} fire safety", d => d["compliance"] = new { dueWithinDays = 30, dueFrom = "hire" });
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { ada.Id, ben.Id, outsider.Id }, courseId = course }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        await Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/compliance?orgUnitId={unit}"))
            .GetProperty("total").GetProperty("overdue").GetInt64(), n => n == 3, TimeSpan.FromSeconds(60), "the three overdue assignments in analytics");

        // Recipients beyond the manager's people are refused, row by row; nothing is saved.
        object Request(params string[] emails) => new { name = $"{tag} weekly", report = "compliance", frequency = "weekly", recipientEmails = emails };
        using (var refused = await manager.PostAsJsonAsync("/api/analytics/report-schedules", Request(managerEmail, outsider.Email, "nobody@example.org")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.Contains(outsider.Email, errors.GetProperty("recipientEmails[1]")[0].GetString());
            Assert.False(errors.TryGetProperty("recipientEmails[0]", out _));
            Assert.True(errors.TryGetProperty("recipientEmails[2]", out _));
        }
        Guid scheduleId;
        using (var created = await manager.PostAsJsonAsync("/api/analytics/report-schedules", Request(managerEmail, ada.Email)))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var schedule = await created.Content.ReadFromJsonAsync<JsonElement>();
            scheduleId = schedule.GetProperty("id").GetGuid();
            Assert.Equal(2, schedule.GetProperty("recipients").GetArrayLength());
            var next = schedule.GetProperty("nextRunAt").GetDateTimeOffset();
            Assert.Equal((DayOfWeek.Monday, 6, 0), (next.UtcDateTime.DayOfWeek, next.UtcDateTime.Hour, next.UtcDateTime.Minute));
        }

        // Sent now, as the manager: their two people, not the department's three (analytics learns the manager's role from identity's event).
        var run = await Eventually.ReachesAsync(async () =>
        {
            using var sent = await manager.PostAsync($"/api/analytics/report-schedules/{scheduleId}/send", null);
            return await sent.Content.ReadFromJsonAsync<JsonElement>();
        }, r => r.GetProperty("sent").GetBoolean(), TimeSpan.FromSeconds(60), "the schedule sent as its owner");
        Assert.Equal("Sent to 2 people.", run.GetProperty("outcome").GetString());
        var mail = (await Mailbox.WaitForAsync(platform.App, managerEmail, m => m.Subject.StartsWith($"{tag} weekly: compliance as of", StringComparison.Ordinal),
            timeout: TimeSpan.FromSeconds(60))).First();
        Assert.Contains($"{tag} fire safety: 2 assigned", mail.Text);
        Assert.Contains("2 overdue", mail.Text);
        Assert.DoesNotContain("3 assigned", mail.Text);
        Assert.Contains("/reports/compliance?", mail.Text);
        await Mailbox.WaitForAsync(platform.App, ada.Email, m => m.Subject.StartsWith($"{tag} weekly:", StringComparison.Ordinal), timeout: TimeSpan.FromSeconds(60));

        // Another manager does not see it and cannot stop it; an administrator (reports.manage) sees everyone's.
        var (_, _, otherTokens) = await People.CreateSignedInAsync(platform.App, admin, $"{tag}other", null, [Roles.Manager], unit);
        using (var other = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), otherTokens.AccessToken))
        {
            Assert.DoesNotContain((await other.GetFromJsonAsync<JsonElement>("/api/analytics/report-schedules")).EnumerateArray(), s => s.GetProperty("id").GetGuid() == scheduleId);
            using var deleted = await other.DeleteAsync($"/api/analytics/report-schedules/{scheduleId}");
            Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        }
        var listed = Assert.Single((await admin.GetFromJsonAsync<JsonElement>("/api/analytics/report-schedules")).EnumerateArray(), s => s.GetProperty("id").GetGuid() == scheduleId);
        Assert.Equal("Sent to 2 people.", listed.GetProperty("lastOutcome").GetString());

        // The manager's role revoked: the schedule runs as them, so it sends nothing, and says why.
        using (var revoked = await admin.DeleteAsync($"/api/identity/role-assignments/{assignment}"))
            Assert.True(revoked.IsSuccessStatusCode, $"{(int)revoked.StatusCode}");
        var refusedRun = await Eventually.ReachesAsync(async () =>
        {
            using var sent = await admin.PostAsync($"/api/analytics/report-schedules/{scheduleId}/send", null);
            return await sent.Content.ReadFromJsonAsync<JsonElement>();
        }, r => !r.GetProperty("sent").GetBoolean(), TimeSpan.FromSeconds(60), "the schedule refused once its owner's role is gone");
        Assert.Equal("Not sent: its owner may no longer read reports.", refusedRun.GetProperty("outcome").GetString());
    }
}
