using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LmsPlatform.Gateway.Extensions;

/// <summary>Asks one service's <c>/health</c> through service discovery.</summary>
public sealed class ServiceHealthCheck(IHttpClientFactory clients, string service) : IHealthCheck
{
    public const string HttpClientName = "service-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            using var response = await client.GetAsync($"http://{service}/health", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy($"{service} is healthy")
                : new HealthCheckResult(context.Registration.FailureStatus, $"{service} answered {(int)response.StatusCode}");
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{service} is unreachable: {ex.GetBaseException().Message}");
        }
    }
}
