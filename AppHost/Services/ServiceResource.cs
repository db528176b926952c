using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace LmsPlatform.AppHost.Services;

/// <summary>
/// A .NET service of the repository, run as its built assembly (<c>dotnet Identity.Api.dll</c>) rather than through
/// a <c>dotnet run</c> wrapper: the wrapper costs about 75 MB and seconds of stopping per service (ADR 0004). It is
/// discoverable like an Aspire project (<c>services__{name}__http__0</c>) and gets Aspire's telemetry variables.
/// </summary>
public sealed class ServiceResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery;

public static class ServiceResourceExtensions
{
    /// <summary>The build configuration of the AppHost, which is the services' too: one <c>dotnet build</c> builds both.</summary>
    private static readonly string Configuration =
        (typeof(ServiceResourceExtensions).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug").ToLowerInvariant();

    /// <summary>Which outputs the services run from: the build's (default) or the ReadyToRun publish of <c>./lms run</c>.</summary>
    public const string BinariesKey = "Lms:Services";

    /// <summary>
    /// Adds the service built from <typeparamref name="TProject"/>, with an HTTP endpoint on a loopback port of its own
    /// (kept across restarts of the process), readiness from <c>/health</c> and OpenTelemetry to the dashboard. It runs
    /// from <c>artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/</c>, or with <c>Lms:Services=published</c> from the
    /// ReadyToRun publish at <c>artifacts/publish/&lt;project&gt;/release_&lt;rid&gt;/</c> (half the start-up CPU).
    /// </summary>
    public static IResourceBuilder<ServiceResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddService<TProject, ServiceResource>(name, (n, command, directory) => new ServiceResource(n, command, directory));

    /// <summary>The same, as a resource type of the caller's (one that also offers a connection string, say).</summary>
    public static IResourceBuilder<TResource> AddService<TProject, TResource>(this IDistributedApplicationBuilder builder, string name,
        Func<string, string, string, TResource> create)
        where TProject : IProjectMetadata, new()
        where TResource : ExecutableResource, IResourceWithServiceDiscovery
    {
        var projectPath = new TProject().ProjectPath;
        var project = Path.GetFileNameWithoutExtension(projectPath);
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var output = builder.Configuration[BinariesKey] == "published"
            ? Path.Combine(repository, "artifacts", "publish", project, $"release_{System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}")
            : Path.Combine(repository, "artifacts", "bin", project, Configuration);
        var assembly = Path.Combine(output, project + ".dll");

        return builder.AddResource(create(name, "dotnet", output))
            .OnBeforeResourceStarted((resource, e, _) => File.Exists(assembly)
                ? Task.CompletedTask
                : throw new InvalidOperationException($"{name}: {assembly} is not there. Build the solution first, or for {BinariesKey}=published publish build/services.slnf (./lms run does)."))
            .WithArgs(assembly)
            // Its own loopback port, not behind Aspire's proxy: every call to a service (the gateway's to the services,
            // a client's to the gateway) would otherwise cross one more TCP relay, which on two cores costs a fifth
            // of the gateway's throughput. The port is chosen once per AppHost run, so a restarted process gets the
            // same address again.
            .WithEndpoint("http", endpoint =>
            {
                var port = PlatformData.FreePort();
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "http";
            }, createIfNotExists: true)
            .WithEnvironment(context =>
            {
                var http = ((TResource)context.Resource).GetEndpoint("http");
                context.EnvironmentVariables["ASPNETCORE_URLS"] = ReferenceExpression.Create($"http://localhost:{http.Property(EndpointProperty.TargetPort)}");
            })
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("DOTNET_ENVIRONMENT", builder.Environment.EnvironmentName)
            .WithEnvironment("DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION", "true")
            .WithEnvironment("Logging__Console__FormatterName", "simple")
            .WithEnvironment(context =>
            {
                // Lms:Runtime:* passes runtime knobs (DOTNET_gcServer, DOTNET_TieredPGO, ...) to every service.
                foreach (var knob in builder.Configuration.GetSection("Lms:Runtime").GetChildren())
                    context.EnvironmentVariables[knob.Key] = knob.Value ?? "";
            })
            .WithOtlpExporter()
            .WithHttpHealthCheck("/health")
            .WithIconName("Globe")
            .ExcludeFromManifest();
    }
}
