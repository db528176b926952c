using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LmsPlatform.AppHost;
using LmsPlatform.AppHost.Services;
using Microsoft.Extensions.Logging.Abstractions;

namespace LmsPlatform.DeployTests;

public enum ReferenceKind { ConnectionString, Service, Parameter, Other }

/// <summary>A resource a service references in the AppHost (a <c>ResourceRelationshipAnnotation</c> of type "Reference").</summary>
public sealed record AppHostReference(string Name, ReferenceKind Kind, bool Secret);

/// <summary>
/// A service as the AppHost defines it: the assembly it runs, what it references, and the environment the AppHost gives
/// it (in publish form, where a value that depends on a resource reads <c>{resource.property}</c>).
/// </summary>
public sealed record AppHostService(
    string Name,
    string AssemblyName,
    IReadOnlyList<AppHostReference> References,
    IReadOnlyDictionary<string, string> Environment,
    bool ExportsTelemetry)
{
    /// <summary>
    /// Variables that only matter to a local run under the AppHost and have no place in a Deployment: console colours
    /// and format for Aspire's log view, DOTNET_ENVIRONMENT (ASP.NET Core reads ASPNETCORE_ENVIRONMENT, which the
    /// service also gets), and the short endpoint form Aspire adds for non-.NET clients next to each
    /// <c>services__{name}__http__0</c> (<c>IDENTITY_API_HTTP</c>; .NET's service discovery reads the long form).
    /// </summary>
    public bool IsLocalOnly(string variable) =>
        variable is "DOTNET_ENVIRONMENT" or "DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION" or "Logging__Console__FormatterName"
        || Regex.IsMatch(variable, "^[A-Z0-9_]+_HTTPS?$")
           && Environment.Any(e => e.Key.StartsWith("services__", StringComparison.Ordinal) && e.Value == Environment[variable]);

    /// <summary>
    /// What a Deployment of this service must give it: the AppHost's variables except the local-only ones, and the
    /// OpenTelemetry pair that the AppHost's OTLP exporter sets at run time (collector address and service name).
    /// </summary>
    public IReadOnlySet<string> DeploymentVariables()
    {
        var names = Environment.Keys.Where(name => !IsLocalOnly(name)).ToHashSet(StringComparer.Ordinal);
        if (ExportsTelemetry) names.UnionWith(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME"]);
        return names;
    }

    /// <summary>The variables whose value carries <paramref name="reference"/> (its connection string, endpoint or value).</summary>
    public IReadOnlyList<string> VariablesCarrying(AppHostReference reference) =>
        [.. Environment.Where(e => e.Value.Contains("{" + reference.Name + ".", StringComparison.Ordinal) && !IsLocalOnly(e.Key)).Select(e => e.Key)];
}

/// <summary>
/// The AppHost's application model, never built nor started (no server, no service runs): the same
/// <c>LmsTopology.AddLmsPlatform</c> that <c>./lms run</c> starts, in a throwaway data folder deleted afterwards.
/// </summary>
public static class AppHostModel
{
    /// <summary>
    /// The testing builders, kept (never disposed) until the test process exits. Aspire.Hosting.Testing 13.6 holds the
    /// AppHost's <c>Main</c> suspended inside <c>builder.Build()</c>; disposing a builder that was never built releases
    /// it, and <c>Main</c> goes on into <c>Build().Run()</c>: the platform would start (the tests saw its PostgreSQL
    /// start-up hook run after disposal). Left suspended, <c>Main</c> waits on a background thread that ends with the
    /// process.
    /// </summary>
    private static readonly List<IDistributedApplicationTestingBuilder> Suspended = [];

    public static async Task<IReadOnlyList<AppHostService>> LoadAsync(CancellationToken cancellationToken = default)
    {
        var data = Path.Combine(Path.GetTempPath(), "lms-deploy-tests-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(
                [$"--{PlatformData.DirectoryKey}={data}", $"--{PlatformData.ThrowawayKey}=true"], cancellationToken);
            lock (Suspended) Suspended.Add(builder);
            var publish = new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish);
            var services = new List<AppHostService>();
            foreach (var service in builder.Resources.OfType<ServiceResource>())
            {
                var configuration = await ExecutionConfigurationBuilder.Create(service)
                    .WithArgumentsConfig()
                    .WithEnvironmentVariablesConfig()
                    .BuildAsync(publish, NullLogger.Instance, cancellationToken);
                if (configuration.Exception is { } exception)
                    throw new InvalidOperationException($"The AppHost's configuration of {service.Name} could not be read.", exception);

                // The service runs as `dotnet <assembly>.dll`: its first argument names its assembly.
                var assembly = configuration.Arguments.Select(a => a.Value).First(a => a.EndsWith(".dll", StringComparison.Ordinal));
                var references = service.Annotations.OfType<ResourceRelationshipAnnotation>()
                    .Where(r => r.Type == "Reference")
                    .Select(r => r.Resource)
                    .DistinctBy(r => r.Name)
                    .Select(r => r switch
                    {
                        ParameterResource parameter => new AppHostReference(r.Name, ReferenceKind.Parameter, parameter.Secret),
                        IResourceWithConnectionString => new AppHostReference(r.Name, ReferenceKind.ConnectionString, true),
                        ServiceResource => new AppHostReference(r.Name, ReferenceKind.Service, false),
                        _ => new AppHostReference(r.Name, ReferenceKind.Other, false),
                    })
                    .ToList();
                services.Add(new AppHostService(
                    service.Name,
                    Path.GetFileNameWithoutExtension(assembly),
                    references,
                    configuration.EnvironmentVariables.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
                    service.Annotations.OfType<OtlpExporterAnnotation>().Any()));
            }
            return services;
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }
}
