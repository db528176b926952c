using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Supervision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.AppHost.Servers;

/// <summary>
/// The operating system's RabbitMQ as an Aspire executable resource, bound to 127.0.0.1 under a folder of its own, with
/// the management plugin (queue depths and <c>_error</c> queues over HTTP) and its own epmd (a child resource on its
/// own port, so two runs never share one and nothing outlives the AppHost).
/// </summary>
public sealed class RabbitMQServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string AmqpEndpointName = "tcp";
    public const string ManagementEndpointName = "management";
    public const string UserName = "lms";

    internal ParameterResource Password { get; set; } = null!;

    public EndpointReference Endpoint => new(this, AmqpEndpointName);
    public EndpointReference ManagementEndpoint => new(this, ManagementEndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"amqp://{UserName}:{Password}@{Endpoint.Property(EndpointProperty.IPV4Host)}:{Endpoint.Property(EndpointProperty.Port)}");
}

public static class RabbitMQServerExtensions
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    /// <summary>RabbitMQ: an existing broker when <c>ConnectionStrings:{name}</c> is configured, otherwise ours.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRabbitMQServer(this IDistributedApplicationBuilder builder, string name, PlatformData data)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 })
            return builder.AddConnectionString(name);
        if (!File.Exists(ServerScript))
            throw new InvalidOperationException($"RabbitMQ is not installed ({ServerScript}). Run ./lms, which installs it.");

        var root = data.Folder(name);
        int port = data.Port(name), managementPort = data.Port($"{name}-management"), distPort = data.Port($"{name}-dist"), epmdPort = data.Port($"{name}-epmd");
        var password = data.Secret($"{name}-password");
        foreach (var dir in new[] { "home", "mnesia", "log" }) data.Folder(Path.Combine(name, dir));

        // default_user applies when the node's database is first created; a kept run keeps its user and password.
        var config = Path.Combine(root, "rabbitmq.conf");
        File.WriteAllLines(config,
        [
            $"default_user = {RabbitMQServerResource.UserName}",
            $"default_pass = {password}",
            "loopback_users = none",
            "log.console = true",
            "log.console.level = warning",
            "log.file = false",
            $"management.tcp.port = {managementPort}",
            "management.tcp.ip = 127.0.0.1",
        ]);
        var plugins = Path.Combine(root, "enabled_plugins");
        File.WriteAllText(plugins, "[rabbitmq_management].");

        var epmd = builder.AddExecutable($"{name}-epmd", Processes.Find("epmd", "/usr/bin/epmd") ?? "epmd", root,
                "-port", epmdPort.ToString(), "-address", "127.0.0.1")
            .WithIconName("PlugConnected")
            .WithRestartOnFailure()
            .ExcludeFromManifest();

        var server = new RabbitMQServerResource(name, ServerScript, root)
        {
            Password = builder.AddParameter($"{name}-password", password, secret: true).Resource,
        };
        epmd.WithParentRelationship(server);
        var healthCheck = $"{name}-ready";
        builder.Services.AddHttpClient(healthCheck, c => c.Timeout = TimeSpan.FromSeconds(3));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            sp => new RabbitMQHealthCheck(sp.GetRequiredService<IHttpClientFactory>().CreateClient(healthCheck), managementPort, password),
            HealthStatus.Unhealthy, null, TimeSpan.FromSeconds(5)));

        return builder.AddResource(server)
            .WithEnvironment("HOME", Path.Combine(root, "home"))
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(root, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(root, "log"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", config)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", plugins)
            .WithEnvironment("RABBITMQ_NODENAME", "lms@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", port.ToString())
            .WithEnvironment("RABBITMQ_DIST_PORT", distPort.ToString())
            .WithEnvironment("ERL_EPMD_PORT", epmdPort.ToString())
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            // Our epmd is a resource of its own; no Erlang VM of RabbitMQ's (the server, its prelaunch, the CLI it runs
            // when stopping) may start an epmd daemon, which would outlive the AppHost.
            .WithEnvironment("ERL_FLAGS", "-start_epmd false")
            // The script then execs the Erlang VM instead of running it as a child behind a shell that forwards
            // signals: the process the AppHost supervises is the broker itself, so a kill -9 of it cannot leave an
            // orphaned VM holding the ports while the watchdog starts another (the VM stops gracefully on SIGTERM).
            .WithEnvironment("RUNNING_UNDER_SYSTEMD", "true")
            .WithEndpoint(RabbitMQServerResource.AmqpEndpointName, e => Unproxied(e, port, "amqp"))
            .WithEndpoint(RabbitMQServerResource.ManagementEndpointName, e => Unproxied(e, managementPort, "http"))
            .WithHealthCheck(healthCheck)
            .WithRestartOnFailure()
            .OnResourceReady((resource, e, ct) => ApplyPoliciesAsync(managementPort, password,
                e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource), ct))
            .WaitFor(epmd)
            .WithIconName("Mail")
            .ExcludeFromManifest();
    }

    /// <summary>
    /// Classic queues on RabbitMQ's second storage version (a policy, so it also converts queues that already exist):
    /// persistent messages cost the broker much less work than on version 1, which matters when an import fans out
    /// 100,000 events to every consumer.
    /// </summary>
    private static async Task ApplyPoliciesAsync(int managementPort, string password, ILogger logger, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}") };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{RabbitMQServerResource.UserName}:{password}")));
        const string policy = "{\"pattern\": \".*\", \"apply-to\": \"queues\", \"priority\": 0, \"definition\": {\"queue-version\": 2}}";
        using var response = await client.PutAsync("/api/policies/%2F/lms-classic-queues-v2",
            new StringContent(policy, System.Text.Encoding.UTF8, "application/json"), cancellationToken);
        if (!response.IsSuccessStatusCode)
            logger.LogWarning("The classic-queue v2 policy was refused ({Status}): {Body}", (int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    internal static void Unproxied(EndpointAnnotation endpoint, int port, string scheme)
    {
        endpoint.Port = port;
        endpoint.TargetPort = port;
        endpoint.IsProxied = false;
        endpoint.UriScheme = scheme;
        endpoint.TargetHost = "127.0.0.1";
    }
}

/// <summary>Healthy when the broker's own health check over the management API says its virtual hosts run.</summary>
internal sealed class RabbitMQHealthCheck(HttpClient client, int managementPort, string password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{managementPort}/api/health/checks/virtual-hosts");
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{RabbitMQServerResource.UserName}:{password}")));
            using var response = await client.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"management API answered {(int)response.StatusCode}");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
