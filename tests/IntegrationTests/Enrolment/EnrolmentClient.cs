using System.Net;

namespace LmsPlatform.IntegrationTests.Enrolment;

public static class EnrolmentClient
{
    /// <summary>Waits until enrolment has its copy of the person (from identity's events), so they can be enrolled.</summary>
    public static Task LearnerCopyAsync(HttpClient client, Guid userId) =>
        Eventually.ReachesAsync(async () => (await client.GetAsync($"/api/enrolment/learners/{userId}")).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "learner copy");
}
