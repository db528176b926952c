using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests;

/// <summary>
/// Enrolment, notification and analytics keep their copies of a person true to identity: every change an administrator
/// makes arrives in each copy, and an erasure leaves no name or email anywhere.
/// </summary>
public class PeopleCopiesTests(PlatformFixture platform)
{
    private static readonly (string Db, string Table)[] Copies =
    [
        (ResourceNames.EnrolmentDb, "learners"), (ResourceNames.NotificationDb, "recipients"), (ResourceNames.AnalyticsDb, "user_facts"),
    ];

    /// <summary>Waits until every copy of the user has a row that the condition (SQL over the copy's columns) holds for.</summary>
    private async Task EveryCopyAsync(Guid userId, string condition, string what)
    {
        foreach (var (db, table) in Copies)
            await Eventually.ReachesAsync(() => platform.CountAsync(db, $"SELECT count(*) FROM {table} WHERE \"UserId\" = '{userId}' AND {condition}"),
                n => n == 1, TimeSpan.FromSeconds(60), $"{table}: {what}");
    }

    private async Task<Guid> UnitAsync(string name)
    {
        using var created = await platform.Gateway.PostAsJsonAsync("/api/identity/org-units", new { name = $"{name} {Guid.NewGuid():N}" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<(Guid Id, string? ETag)> PersonAsync(object body)
    {
        using var created = await platform.Gateway.PostAsJsonAsync("/api/identity/users", body);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return ((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid(), created.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task A_move_a_new_manager_a_deactivation_and_a_reactivation_reach_every_copy()
    {
        var admin = platform.Gateway;
        var (sales, support) = (await UnitAsync("Sales"), await UnitAsync("Support"));
        var (managerId, _) = await PersonAsync(new { email = $"boss.{Guid.NewGuid():N}@example.org", givenName = "Bea", familyName = "Boss" });
        var email = $"mover.{Guid.NewGuid():N}@example.org";
        var (id, etag) = await PersonAsync(new { email, givenName = "Mo", familyName = "Ver", orgUnitId = sales });
        await EveryCopyAsync(id, $"\"OrgUnitId\" = '{sales}' AND \"Status\" = 'Active' AND \"Email\" = '{email}'", "created in Sales");

        using (var move = new HttpRequestMessage(HttpMethod.Put, $"/api/identity/users/{id}")
               {
                   Content = JsonContent.Create(new { email, givenName = "Mo", familyName = "Vernon", orgUnitId = support, managerId, jobTitle = "Agent", location = "Leeds", hireDate = "2025-03-01" }),
               })
        {
            move.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(etag!));
            using var moved = await admin.SendAsync(move);
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }
        await EveryCopyAsync(id, $"\"OrgUnitId\" = '{support}' AND \"ManagerId\" = '{managerId}' AND \"JobTitle\" = 'Agent' AND \"Location\" = 'Leeds'" +
                                 " AND \"HireDate\" = '2025-03-01' AND \"DisplayName\" = 'Mo Vernon'", "moved to Support under Bea");

        using (var deactivated = await admin.PostAsync($"/api/identity/users/{id}/deactivate", null))
            Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        await EveryCopyAsync(id, "\"Status\" = 'Deactivated'", "deactivated");
        // A deactivated person is not enrolled.
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Copies");
        using (var refused = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = id, courseId }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("deactivated", await refused.Content.ReadAsStringAsync());
        }

        using (var reactivated = await admin.PostAsync($"/api/identity/users/{id}/reactivate", null))
            Assert.Equal(HttpStatusCode.OK, reactivated.StatusCode);
        await EveryCopyAsync(id, "\"Status\" = 'Active' AND \"OrgUnitId\" IS NOT NULL", "active again");
    }

    [Fact]
    public async Task After_an_erasure_no_service_holds_or_returns_the_persons_name_or_email()
    {
        var admin = platform.Gateway;
        var token = $"Zed{Guid.NewGuid():N}"[..16];
        var email = $"{token.ToLowerInvariant()}@example.org";
        var (id, _) = await PersonAsync(new { email, givenName = token, familyName = "Forgotten", jobTitle = "Analyst" });
        await EveryCopyAsync(id, $"\"GivenName\" = '{token}'", "copied");
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM notifications WHERE \"UserId\" = '{id}'"),
            n => n == 1, TimeSpan.FromSeconds(60), "the welcome, which greets them by name");

        using (var erased = await admin.PostAsync($"/api/identity/users/{id}/erase", null))
            Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        await EveryCopyAsync(id, "\"Erased\" AND \"Email\" = '' AND \"JobTitle\" IS NULL", "erased");

        // Not in any row of any copy (the whole row as text), nor in the notifications that were addressed to them.
        foreach (var (db, table) in Copies.Append((ResourceNames.NotificationDb, "notifications")))
            Assert.Equal(0, await platform.CountAsync(db, $"SELECT count(*) FROM {table} t WHERE t::text ILIKE '%{token}%'"));
        // Nor in what the services answer.
        foreach (var path in new[] { $"/api/enrolment/learners/{id}", $"/api/notification/notifications?userId={id}", $"/api/identity/users/{id}" })
        {
            var body = await admin.GetStringAsync(path);
            Assert.DoesNotContain(token, body, StringComparison.OrdinalIgnoreCase);
        }
        // And an erased person is nobody to enrol.
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Erased");
        using var refused = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = id, courseId });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("is not a known user", await refused.Content.ReadAsStringAsync());
    }
}
