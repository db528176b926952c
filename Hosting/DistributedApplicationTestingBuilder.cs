using Microsoft.Extensions.Configuration;

namespace LmsPlatform.Hosting;

/// <summary>
/// The test fixture's entry (Aspire's testing name): a builder whose data lives in a throwaway folder that is deleted
/// on disposal, with non-durable servers and free ports, so that two test runs never collide.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static DistributedApplicationBuilder Create(params string[] args)
    {
        var data = Path.Combine(Path.GetTempPath(), "lms-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(data);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(data, (UnixFileMode)0b111_101_101); // 0755: PostgreSQL's own user must reach its folder
        var options = new DistributedApplicationOptions
        {
            DataDirectory = data,
            Persistent = false,
            // LMS_KEEP_TEST_DATA=1 keeps the servers' data and the services' logs for a look after a failure.
            DeleteDataOnDispose = Environment.GetEnvironmentVariable("LMS_KEEP_TEST_DATA") != "1",
        };
        var builder = new DistributedApplicationBuilder(options, args);
        // Servers given by connection string in the environment would be shared; tests always start their own.
        foreach (var connectionString in builder.Configuration.GetSection("ConnectionStrings").GetChildren().ToList())
            builder.Configuration[connectionString.Path] = "";
        builder.Configuration["Gateway:Port"] = "0";
        return builder;
    }
}
