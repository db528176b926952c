using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LmsPlatform.Gateway.Extensions;

/// <summary>
/// Asks one service's <c>/health</c> through service discovery and reports its real state: a service that answers 503
/// (its database or broker away) is reported with the checks that failed, by name, so the gateway's <c>/health</c> says
/// which service is down and why.
/// </summary>
public sealed class ServiceHealthCheck(IHttpClientFactory clients, string service) : IHealthCheck
{
    public const string HttpClientName = "service-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = clients.CreateClient(HttpClientName);
            using var response = await client.GetAsync($"http://{service}/health", cancellationToken);
            if (response.IsSuccessStatusCode) return HealthCheckResult.Healthy($"{service} is healthy");
            var failing = await FailingChecksAsync(response, cancellationToken);
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"{service} answered {(int)response.StatusCode}" + (failing.Length > 0 ? ": " + failing : ""));
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{service} is unreachable: {ex.GetBaseException().Message}");
        }
    }

    /// <summary>The service's checks that are not Healthy, as "name Status (description)", from its health report.</summary>
    private static async Task<string> FailingChecksAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return string.Join("; ", report.RootElement.GetProperty("checks").EnumerateObject()
                .Where(c => c.Value.GetProperty("status").GetString() != nameof(HealthStatus.Healthy))
                .Select(c => $"{c.Name} {c.Value.GetProperty("status").GetString()}" +
                             (c.Value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? $" ({d.GetString()})" : "")));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "";
        }
    }
}
