using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace LmsPlatform.AppHost;

public static partial class RotatingLog
{
    public const long FileBytes = 20 * 1024 * 1024;
    public const int Files = 10;

    /// <summary>
    /// Everything the AppHost logs, and every resource's console output, goes to <c>.lms/logs/lms-*.log</c>: a new file
    /// each day or at 20 MB, the newest 10 kept, so a long outage cannot fill the disk. The AppHost's own lines pass the
    /// logging builder's filters (Information and up, minus the per-probe health-check noise); each resource line is
    /// written under the resource's name. When the AppHost's output is not a terminal (<c>./lms run &gt; file</c>, a
    /// service manager), the console carries only the AppHost's own lines (the ready notice, the watchdog, errors), so
    /// the redirected file cannot grow without a bound either.
    /// </summary>
    public static void AddRotatingLog(this IDistributedApplicationBuilder builder, PlatformData data)
    {
        var directory = Path.Combine(data.Root, "logs");
        Directory.CreateDirectory(directory);
        var file = new LoggerConfiguration()
            .MinimumLevel.Verbose() // the logging builder's filters decide for the AppHost's lines
            .WriteTo.File(Path.Combine(directory, "lms-.log"), rollingInterval: RollingInterval.Day, fileSizeLimitBytes: FileBytes,
                rollOnFileSizeLimit: true, retainedFileCountLimit: Files, shared: false,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        builder.Services.AddLogging(logging =>
        {
            // AddProvider rather than AddSerilog, which adds a rule letting every level through to Serilog's provider
            // whatever the filters say (Aspire's verbose orchestration and health-probe lines, several a second).
            logging.AddProvider(new SerilogLoggerProvider(file, dispose: true));
            if (Console.IsOutputRedirected)
                logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("AppHost.Resources", LogLevel.None);
        });
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var copier = new ResourceOutput(e.Services.GetRequiredService<ResourceNotificationService>(),
                e.Services.GetRequiredService<ResourceLoggerService>(), file);
            _ = copier.RunAsync(e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            return Task.CompletedTask;
        });
    }

    /// <summary>
    /// Copies each resource's console output (what the dashboard's console view shows) into the file, a line an entry,
    /// under the resource's name. A restarted process's output continues in the same stream; lines already written are
    /// skipped when a watch has to be taken up again.
    /// </summary>
    private sealed class ResourceOutput(ResourceNotificationService notifications, ResourceLoggerService loggers, Serilog.ILogger file)
    {
        public Task RunAsync(CancellationToken stopping) => Task.Run(() => WatchAsync(stopping), stopping);

        private async Task WatchAsync(CancellationToken stopping)
        {
            var watching = new HashSet<string>();
            try
            {
                await foreach (var update in notifications.WatchAsync(stopping))
                    if (watching.Add(update.ResourceId)) _ = CopyAsync(update.ResourceId, update.Resource.Name, stopping);
            }
            catch (OperationCanceledException) { }
        }

        private async Task CopyAsync(string resourceId, string name, CancellationToken stopping)
        {
            var log = file.ForContext(Serilog.Core.Constants.SourceContextPropertyName, name);
            var written = 0;
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await foreach (var lines in loggers.WatchAsync(resourceId).WithCancellation(stopping))
                        foreach (var line in lines.Where(l => l.LineNumber > written))
                        {
                            written = line.LineNumber;
                            // DCP stamps each line with its time (the file's entry has it already); the services'
                            // console colours are for a terminal.
                            var text = AnsiEscape().Replace(LeadingTimestamp().Replace(line.Content, ""), "");
                            if (line.IsErrorMessage) log.Information("{Line:l} (stderr)", text);
                            else log.Information("{Line:l}", text);
                        }
                    await Task.Delay(TimeSpan.FromSeconds(5), stopping);
                }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z ")]
    private static partial Regex LeadingTimestamp();
}
