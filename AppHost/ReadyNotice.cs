using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Servers;
using LmsPlatform.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LmsPlatform.AppHost;

/// <summary>
/// Once every resource is healthy, tells the person who ran <c>./lms run</c> where everything is: the gateway, the API
/// reference, the dashboard with its login link, and on the very first start the first administrator's password.
/// </summary>
internal sealed class ReadyNotice(IServiceProvider services, PlatformData data, bool firstStart)
{
    /// <summary>Starts watching from before the first resource starts (BeforeStartEvent), so the times are right.</summary>
    public Task RunAsync(CancellationToken stoppingToken) => Task.Run(() => WatchAsync(stoppingToken), stoppingToken);

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var model = services.GetRequiredService<DistributedApplicationModel>();
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var configuration = services.GetRequiredService<IConfiguration>();
        var resources = model.Resources.Where(r => r is ExecutableResource or ProjectResource or PostgresDatabaseResource).ToList();
        var started = LmsTopology.ModelBuiltAt;
        (string Name, double Running, double Seconds)[] healthy;
        try
        {
            healthy = await Task.WhenAll(resources.Select(async r =>
            {
                await notifications.WaitForResourceAsync(r.Name, KnownResourceStates.Running, stoppingToken);
                var running = (DateTime.Now - started).TotalSeconds;
                await notifications.WaitForResourceHealthyAsync(r.Name, stoppingToken);
                return (r.Name, running, (DateTime.Now - started).TotalSeconds);
            }));
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var seconds = healthy.Max(h => h.Seconds);
        var gateway = (IResourceWithEndpoints)model.Resources.Single(r => r.Name == ResourceNames.Gateway);
        var gatewayUrl = gateway.GetEndpoint("http").Url;
        var lines = new List<string>
        {
            "",
            $"LmsPlatform is ready: {resources.Count} resources healthy {seconds:0.0} s after start.",
            $"  Gateway     {gatewayUrl}",
            $"  API docs    {gatewayUrl}/docs",
        };
        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboard && !data.Throwaway)
            lines.Add($"  Dashboard   {dashboard.Split(';')[0]}/login?t={data.Secret(LmsTopology.DashboardTokenSecret)}");
        lines.Add($"  Data        {data.Root}");
        lines.Add($"  Started→healthy (s)  {string.Join(", ", healthy.OrderBy(h => h.Seconds).Select(h => $"{h.Name} {h.Running:0.0}→{h.Seconds:0.0}"))}");
        if (firstStart)
            lines.Add($"  Sign in as {LmsTopology.AdminEmail} with password {data.Secret(LmsTopology.AdminPasswordSecret)} " +
                      $"(shown once; kept in {Path.Combine(data.Root, "secrets", LmsTopology.AdminPasswordSecret)})");
        lines.Add("Ctrl+C stops everything.");
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
