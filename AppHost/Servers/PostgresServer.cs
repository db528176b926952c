using Aspire.Hosting.ApplicationModel;
using LmsPlatform.AppHost.Supervision;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LmsPlatform.AppHost.Servers;

/// <summary>
/// The operating system's PostgreSQL as an Aspire executable resource: its data under the platform's data folder,
/// bound to 127.0.0.1 on a port of its own (not behind DCP's proxy, which would add a hop to every statement), run as
/// the <c>postgres</c> user when the AppHost runs as root (PostgreSQL refuses root).
/// </summary>
public sealed class PostgresServerResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string EndpointName = "tcp";

    internal ParameterResource Password { get; set; } = null!;

    public EndpointReference Endpoint => new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={Endpoint.Property(EndpointProperty.IPV4Host)};Port={Endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={Password}");
}

/// <summary>
/// One service's database on a PostgreSQL server (ours or an existing one given by connection string), created when
/// the server is healthy, as Aspire's <c>AddDatabase</c> does; its state is published by us, so that
/// <c>WaitFor(database)</c> waits for the database and not only for the server.
/// </summary>
public sealed class PostgresDatabaseResource(string name, IResourceWithConnectionString server)
    : Resource(name), IResourceWithParent<IResourceWithConnectionString>, IResourceWithConnectionString
{
    public IResourceWithConnectionString Parent { get; } = server;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={Name}");
}

public static class PostgresServerExtensions
{
    /// <summary>
    /// PostgreSQL: an existing server when <c>ConnectionStrings:{name}</c> is configured, otherwise the operating
    /// system's server as a resource of ours (initialised on first use, kept under the data folder).
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresServer(this IDistributedApplicationBuilder builder, string name, PlatformData data)
    {
        if (builder.Configuration.GetConnectionString(name) is { Length: > 0 })
            return builder.AddConnectionString(name);

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Run ./lms, which installs it.");
        var root = data.Folder(name);
        var pgdata = Path.Combine(root, "data");
        var port = data.Port(name);
        var runAs = Environment.UserName == "root" ? "postgres" : null;

        List<string> args = runAs is null ? [] : ["--reuid=postgres", "--regid=postgres", "--init-groups"];
        args.AddRange([Path.Combine(bin, "postgres"), "-D", pgdata, "-p", port.ToString(),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=500",
            // PostgreSQL logs to stderr, which Aspire shows as errors: only warnings and worse, and no checkpoint chatter.
            "-c", "log_min_messages=warning", "-c", "log_checkpoints=off",
            // Bulk work (an HR import, a backlog of events) writes gigabytes of WAL: checkpoints every 1 GB (the
            // default) would write every page in full again after each one.
            "-c", "max_wal_size=4GB", "-c", "checkpoint_timeout=15min", "-c", "shared_buffers=256MB"]);
        if (!data.Durable)
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);

        var server = new PostgresServerResource(name, runAs is null ? Path.Combine(bin, "postgres") : "setpriv", root)
        {
            Password = builder.AddParameter($"{name}-password", data.Secret($"{name}-password"), secret: true).Resource,
        };
        if (runAs is null) args.RemoveAt(0); // the postgres binary is the command itself
        var healthCheck = $"{name}-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            _ => new NpgsqlHealthCheck(server), HealthStatus.Unhealthy, null, TimeSpan.FromSeconds(3)));

        // initdb once, before the server's first start (PG_VERSION marks an initialised cluster).
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            if (File.Exists(Path.Combine(pgdata, "PG_VERSION"))) return;
            var password = data.Secret($"{name}-password");
            var pwfile = Path.Combine(root, "pwfile");
            await File.WriteAllTextAsync(pwfile, password, ct);
            if (runAs is not null) await Processes.RunAsync("chown", ["-R", $"{runAs}:{runAs}", root], ct);
            List<string> initdb = ["-D", pgdata, "-U", "postgres", "--auth-host=scram-sha-256", "--auth-local=trust",
                $"--pwfile={pwfile}", "-E", "UTF8", "--no-locale"];
            if (runAs is null) await Processes.RunAsync(Path.Combine(bin, "initdb"), initdb, ct);
            else await Processes.RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", Path.Combine(bin, "initdb"), .. initdb], ct);
            File.Delete(pwfile);
        });

        return builder.AddResource(server)
            .WithArgs([.. args])
            .WithEndpoint(PostgresServerResource.EndpointName, endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.IsProxied = false;
                endpoint.UriScheme = "tcp";
                endpoint.TargetHost = "127.0.0.1";
            })
            .WithHealthCheck(healthCheck)
            .WithRestartOnFailure()
            .WithIconName("Database")
            .ExcludeFromManifest();
    }

    /// <summary>A database of the server, created when the server is healthy.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<IResourceWithConnectionString> server, string name)
    {
        var database = new PostgresDatabaseResource(name, server.Resource);
        var builder = server.ApplicationBuilder;
        builder.Eventing.Subscribe<BeforeStartEvent>((e, ct) =>
        {
            var notifications = e.Services.GetRequiredService<ResourceNotificationService>();
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(database);
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => CreateWhenServerIsReadyAsync(database, notifications, logger, stopping), stopping);
            return Task.CompletedTask;
        });
        return builder.AddResource(database)
            .WithParentRelationship(server)
            .WithIconName("DatabaseStack")
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgresDatabase",
                State = KnownResourceStates.Waiting,
                Properties = [],
            })
            .ExcludeFromManifest();
    }

    private static async Task CreateWhenServerIsReadyAsync(PostgresDatabaseResource database, ResourceNotificationService notifications,
        ILogger logger, CancellationToken stopping)
    {
        try
        {
            await notifications.WaitForResourceHealthyAsync(database.Parent.Name, stopping);
            await notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Starting });
            var delay = TimeSpan.FromMilliseconds(200);
            while (true)
            {
                try
                {
                    var serverConnectionString = await database.Parent.GetConnectionStringAsync(stopping);
                    await using var connection = new NpgsqlConnection(serverConnectionString + ";Pooling=false");
                    await connection.OpenAsync(stopping);
                    await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                    exists.Parameters.AddWithValue("name", database.Name);
                    if (await exists.ExecuteScalarAsync(stopping) is null)
                    {
                        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", connection);
                        await create.ExecuteNonQueryAsync(stopping);
                        logger.LogInformation("Created database {Database}", database.Name);
                    }
                    break;
                }
                catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stopping.IsCancellationRequested)
                {
                    logger.LogWarning("Database {Database} not created yet: {Error}", database.Name, ex.Message);
                    await Task.Delay(delay, stopping);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 3000));
                }
            }
            await notifications.PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
                Properties = [.. s.Properties, new(CustomResourceKnownProperties.Source, database.Parent.Name)],
            });
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static string? FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
}

/// <summary>Healthy when the server accepts a connection and answers a query.</summary>
internal sealed class NpgsqlHealthCheck(IResourceWithConnectionString server) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await server.GetConnectionStringAsync(cancellationToken);
            await using var connection = new NpgsqlConnection(connectionString + ";Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy(ex.Message);
        }
    }
}
