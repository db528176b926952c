using System.Net.Http.Json;
using System.Net;

namespace LmsPlatform.IntegrationTests.Enrolment;

public static class EnrolmentClient
{
    /// <summary>Waits until enrolment has its copy of the person (from identity's events), so they can be enrolled.</summary>
    public static Task LearnerCopyAsync(HttpClient client, Guid userId) =>
        Eventually.ReachesAsync(async () => (await client.GetAsync($"/api/enrolment/learners/{userId}")).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "learner copy");

    /// <summary>Waits until the enrolment has the status (through events from other services, say).</summary>
    public static Task StatusAsync(HttpClient admin, Guid enrolmentId, string status) =>
        Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/enrolment/enrolments/{enrolmentId}")).GetProperty("status").GetString(),
            s => s == status, TimeSpan.FromSeconds(30), $"the enrolment {status}");
}
