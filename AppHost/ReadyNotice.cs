using System.Diagnostics;
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
internal sealed class ReadyNotice(IServiceProvider services, PlatformData data, bool firstStart) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var model = services.GetRequiredService<DistributedApplicationModel>();
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var configuration = services.GetRequiredService<IConfiguration>();
        var resources = model.Resources.Where(r => r is ExecutableResource or ProjectResource or PostgresDatabaseResource).ToList();
        try
        {
            foreach (var resource in resources)
                await notifications.WaitForResourceHealthyAsync(resource.Name, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var seconds = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
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
        if (firstStart)
            lines.Add($"  Sign in as {LmsTopology.AdminEmail} with password {data.Secret(LmsTopology.AdminPasswordSecret)} " +
                      $"(shown once; kept in {Path.Combine(data.Root, "secrets", LmsTopology.AdminPasswordSecret)})");
        lines.Add("Ctrl+C stops everything.");
        Console.WriteLine(string.Join(Environment.NewLine, lines));
    }
}
