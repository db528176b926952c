using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Supervision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using System.Net.Sockets;
using System.Text;

namespace LmsPlatform.AppHost.Servers;

/// <summary>
/// The operating system's Redis as an Aspire executable resource, bound to 127.0.0.1 with a password; append-only
/// persistence under the data folder for a kept run, none for a throwaway one.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    internal ParameterResource Password { get; set; } = null!;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{Endpoint.Property(EndpointProperty.IPV4Host)}:{Endpoint.Property(EndpointProperty.Port)},password={Password}");
}

public static class RedisServerExtensions
{
    /// <summary>Redis: an existing server when <c>ConnectionStrings:{name}</c> is configured, otherwise ours.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddRedisServer(this IDistributedApplicationBuilder builder, string name, PlatformData data)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 })
            return builder.AddConnectionString(name);
        var command = Processes.Find("redis-server", "/usr/bin/redis-server")
            ?? throw new InvalidOperationException("Redis is not installed (redis-server). Run ./lms, which installs it.");

        var root = data.Folder(name);
        var port = data.Port(name);
        var password = data.Secret($"{name}-password");
        var server = new RedisServerResource(name, command, root)
        {
            Password = builder.AddParameter($"{name}-password", password, secret: true).Resource,
        };
        var healthCheck = $"{name}-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            _ => new RedisHealthCheck(port, password), HealthStatus.Unhealthy, null, TimeSpan.FromSeconds(3)));

        // The password is in a config file only the AppHost's user can read, never on the command line (ps shows that).
        var config = Path.Combine(root, "redis.conf");
        File.WriteAllLines(config,
        [
            // Append-only, even for throwaway data: the portal's sessions and data-protection keys live here, and a
            // restarted server (a crash, the outage tests' kill -9) must come back with them, or replicas disagree on keys.
            "bind 127.0.0.1", $"port {port}", $"dir {root}", "save \"\"", "appendonly yes",
            $"requirepass {password}",
        ]);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return builder.AddResource(server)
            .WithArgs(config)
            .WithEndpoint(RedisServerResource.EndpointName, e => RabbitMQServerExtensions.Unproxied(e, port, "tcp"))
            .WithHealthCheck(healthCheck)
            .WithRestartOnFailure()
            .WithIconName("Memory")
            .ExcludeFromManifest();
    }
}

/// <summary>Healthy when the server answers PING after AUTH (one round trip on a plain socket).</summary>
internal sealed class RedisHealthCheck(int port, string password) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains("PONG") && !reply.ToString().Contains("-ERR"))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            return reply.ToString().Contains("+PONG")
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"Redis answered {reply.ToString().Trim()}");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
