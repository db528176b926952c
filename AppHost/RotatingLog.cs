using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;

namespace LmsPlatform.AppHost;

public static class RotatingLog
{
    public const long FileBytes = 20 * 1024 * 1024;
    public const int Files = 10;

    /// <summary>
    /// Everything the AppHost logs, each resource's console output included, goes to <c>.lms/logs/lms-*.log</c>: a new
    /// file each day or at 20 MB, the newest 10 kept, so a long outage cannot fill the disk. When the AppHost's output
    /// is not a terminal (<c>./lms run &gt; file</c>, a service manager), the console carries only the AppHost's own
    /// lines (the ready notice, the watchdog, errors) and the resources' output is read in the log files and the
    /// dashboard; otherwise the redirected file would grow without a bound.
    /// </summary>
    public static void AddRotatingLog(this IDistributedApplicationBuilder builder, PlatformData data)
    {
        var directory = Path.Combine(data.Root, "logs");
        Directory.CreateDirectory(directory);
        var file = new LoggerConfiguration()
            .MinimumLevel.Verbose() // the levels are the logging builder's filters
            .WriteTo.File(Path.Combine(directory, "lms-.log"), rollingInterval: RollingInterval.Day, fileSizeLimitBytes: FileBytes,
                rollOnFileSizeLimit: true, retainedFileCountLimit: Files, shared: false,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}")
            .CreateLogger();
        builder.Services.AddLogging(logging =>
        {
            logging.AddSerilog(file, dispose: true);
            if (Console.IsOutputRedirected)
                logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>("AppHost.Resources", LogLevel.None);
        });
    }
}
