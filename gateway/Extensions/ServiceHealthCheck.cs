using System.Text.Json;
using LmsPlatform.ServiceDefaults.Messaging;
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
            var (failing, failedMessages) = await ReadReportAsync(response, cancellationToken);
            var waiting = failedMessages is null ? "" : "; " + failedMessages;
            if (response.IsSuccessStatusCode) return HealthCheckResult.Healthy($"{service} is healthy" + waiting);
            return new HealthCheckResult(context.Registration.FailureStatus,
                $"{service} answered {(int)response.StatusCode}" + (failing.Length > 0 ? ": " + failing : "") + waiting);
        }
        catch (Exception ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{service} is unreachable: {ex.GetBaseException().Message}");
        }
    }

    /// <summary>
    /// From the service's health report: its checks that are not Healthy, as "name Status (description)", and what its
    /// failed-messages check says when messages wait in its <c>_error</c> queues.
    /// </summary>
    private static async Task<(string Failing, string? FailedMessages)> ReadReportAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var checks = report.RootElement.GetProperty("checks").EnumerateObject().ToList();
            static string? Description(JsonProperty check) =>
                check.Value.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            var failing = string.Join("; ", checks
                .Where(c => c.Value.GetProperty("status").GetString() != nameof(HealthStatus.Healthy))
                .Select(c => $"{c.Name} {c.Value.GetProperty("status").GetString()}" + (Description(c) is { } d ? $" ({d})" : "")));
            var failedMessages = checks.Where(c => c.Name == FailedMessagesHealthCheck.Name).Select(Description)
                .FirstOrDefault(d => d is { Length: > 0 } && char.IsAsciiDigit(d[0]));
            return (failing, failedMessages);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return ("", null);
        }
    }
}
