using LmsPlatform.Hosting;
using Spectre.Console;

namespace LmsPlatform.AppHost;

/// <summary>
/// The live status table of <c>./lms run</c>: resource, state, health, URL, restarts. Without a terminal (CI, a pipe)
/// it prints one line per change instead.
/// </summary>
internal static class StatusView
{
    public static async Task ShowAsync(DistributedApplication app, Resource gateway, Task run, CancellationToken stopping, Func<string?>? notice = null)
    {
        var started = DateTimeOffset.UtcNow;
        var announced = false;
        void AnnounceWhenReady()
        {
            if (announced || !app.Resources.All(r => r.Health == ResourceHealth.Healthy)) return;
            announced = true;
            var seconds = (DateTimeOffset.UtcNow - started).TotalSeconds;
            AnsiConsole.MarkupLine($"[green]All {app.Resources.Count} resources healthy in {seconds:0.0} s.[/] Gateway: [link]{gateway.Url}[/]  (logs: {app.Context.LogDirectory}; Ctrl+C stops everything)");
            if (notice?.Invoke() is { } text) Console.WriteLine(text);
        }

        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
        {
            foreach (var resource in app.Resources)
                resource.Changed += r =>
                {
                    var s = r.Snapshot();
                    Console.WriteLine($"{DateTimeOffset.Now:HH:mm:ss} {s.Name,-18} {s.State,-13} {s.Health,-9} {s.Url} restarts={s.Restarts}");
                    AnnounceWhenReady();
                };
            try { await run.WaitAsync(stopping); } catch (OperationCanceledException) { }
            return;
        }

        await AnsiConsole.Live(Render(app, gateway)).AutoClear(false).StartAsync(async context =>
        {
            while (!stopping.IsCancellationRequested && !run.IsCompleted)
            {
                context.UpdateTarget(Render(app, gateway));
                if (!announced && app.Resources.All(r => r.Health == ResourceHealth.Healthy))
                {
                    announced = true;
                    gatewayReadyAfter = DateTimeOffset.UtcNow - started;
                    readyNotice = notice?.Invoke();
                }
                try { await Task.Delay(500, stopping); } catch (OperationCanceledException) { }
            }
            context.UpdateTarget(Render(app, gateway));
        });
    }

    private static TimeSpan? gatewayReadyAfter;
    private static string? readyNotice;

    private static Table Render(DistributedApplication app, Resource gateway)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Resource", "Kind", "State", "Health", "URL", "Restarts");
        foreach (var s in app.Snapshot())
        {
            var health = s.Health switch
            {
                ResourceHealth.Healthy => "[green]Healthy[/]",
                ResourceHealth.Unhealthy => "[red]Unhealthy[/]",
                _ => "[grey]Unknown[/]",
            };
            table.AddRow(s.Name, s.Kind, s.State.ToString(), health, Markup.Escape(s.Url ?? ""), s.Restarts.ToString());
        }
        var ready = gatewayReadyAfter is { } after ? $"[green]all healthy after {after.TotalSeconds:0.0} s[/]" : "[yellow]starting[/]";
        var notice = readyNotice is null ? "" : $"\n{Markup.Escape(readyNotice)}";
        table.Caption($"Gateway: {gateway.Url ?? "(starting)"}  ·  {ready}  ·  logs: {Markup.Escape(app.Context.LogDirectory)}  ·  Ctrl+C stops everything{notice}");
        return table;
    }
}
