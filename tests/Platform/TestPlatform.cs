using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using LmsPlatform.AppHost;
using LmsPlatform.AppHost.Servers;
using LmsPlatform.AppHost.Services;
using LmsPlatform.AppHost.Supervision;
using LmsPlatform.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace LmsPlatform.Testing;

/// <summary>
/// The whole platform for tests and measurements: the real AppHost started through Aspire.Hosting.Testing with
/// throwaway data (deleted on disposal unless <c>LMS_KEEP_TEST_DATA=1</c>), free ports and no dashboard, so two runs
/// side by side never collide. Real PostgreSQL, RabbitMQ, Redis, the six services and the gateway.
/// </summary>
public sealed class TestPlatform : IAsyncDisposable
{
    // Generous: the integration tests run two platforms side by side on two cores (the load driver one alone).
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly DistributedApplication _app;
    private readonly Dictionary<string, string> _connectionStrings;
    private readonly ConcurrentDictionary<(string Service, string Key), string> _overrides;

    private TestPlatform(DistributedApplication app, string dataDirectory, Dictionary<string, string> connectionStrings,
        ConcurrentDictionary<(string, string), string> overrides)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _connectionStrings = connectionStrings;
        _overrides = overrides;
        GatewayUrl = app.GetEndpoint(ResourceNames.Gateway, "http");
    }

    public string DataDirectory { get; }
    public Uri GatewayUrl { get; }
    public IServiceProvider Services => _app.Services;
    public ResourceNotificationService Notifications => _app.ResourceNotifications;

    /// <summary>The first administrator's password (a secret of this run's data folder).</summary>
    public string AdminPassword => Services.GetRequiredService<PlatformData>().Secret(LmsTopology.AdminPasswordSecret);

    /// <param name="durable">PostgreSQL with fsync and synchronous commit, as <c>./lms run</c> has it (the load driver); tests go without.</param>
    /// <param name="settings">Environment variables for services from their first start: (service, variable) to value.</param>
    public static async Task<TestPlatform> StartAsync(CancellationToken cancellationToken = default, bool durable = false,
        IReadOnlyDictionary<(string Service, string Key), string>? settings = null)
    {
        var data = Path.Combine(Path.GetTempPath(), "lms-test-" + Guid.NewGuid().ToString("N")[..12]);
        var overrides = new ConcurrentDictionary<(string, string), string>(settings ?? new Dictionary<(string, string), string>());
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Program>(
        [
            $"--{PlatformData.DirectoryKey}={data}",
            $"--{PlatformData.ThrowawayKey}=true",
            // Servers given by connection string in the environment would be shared; tests always start their own.
            "--ConnectionStrings:postgres=", "--ConnectionStrings:eventbus=", "--ConnectionStrings:redis=", "--ConnectionStrings:mail=",
            "--Gateway:Port=0",
            $"--{PlatformData.DurableKey}={durable}",
        ], cancellationToken);
        // Settings a test changes between restarts of a service (read each time the service starts).
        foreach (var service in builder.Resources.OfType<ServiceResource>())
            builder.CreateResourceBuilder(service).WithEnvironment(context =>
            {
                foreach (var ((name, key), value) in overrides)
                    if (name == service.Name) context.EnvironmentVariables[key] = value;
            });

        var app = await builder.BuildAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            await app.StartAsync(timeout.Token);
            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            foreach (var resource in model.Resources.Where(r => r is ExecutableResource or PostgresDatabaseResource))
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource.Name, timeout.Token);
            var connectionStrings = new Dictionary<string, string>();
            foreach (var resource in model.Resources.OfType<IResourceWithConnectionString>().Where(r => r is not ParameterResource))
                connectionStrings[resource.Name] = (await resource.GetConnectionStringAsync(timeout.Token))!;
            return new TestPlatform(app, data, connectionStrings, overrides);
        }
        catch
        {
            await app.DisposeAsync();
            DeleteData(data);
            throw;
        }
    }

    public HttpClient CreateHttpClient(string resource) => _app.CreateHttpClient(resource, "http");

    /// <summary>A service's own address (not the gateway's): for measuring what the gateway costs.</summary>
    public Uri EndpointOf(string resource) => _app.GetEndpoint(resource, "http");

    public string GetConnectionString(string resource) => _connectionStrings[resource];

    /// <summary>RabbitMQ's management API (queue depths, <c>_error</c> queues) with the broker's credentials.</summary>
    public HttpClient RabbitMQManagement()
    {
        var broker = (RabbitMQServerResource)Resource(ResourceNames.EventBus);
        var amqp = new Uri(GetConnectionString(ResourceNames.EventBus));
        var client = new HttpClient { BaseAddress = new Uri(broker.ManagementEndpoint.Url) };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(amqp.UserInfo))));
        return client;
    }

    public IResource Resource(string name) =>
        Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    /// <summary>Sets an environment variable of a service for its next start (e.g. to restart it with a feature off).</summary>
    public void SetEnvironment(string service, string key, string value) => _overrides[(service, key)] = value;

    public async Task StopResourceAsync(string name)
    {
        var result = await _app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StopCommand);
        if (!result.Success) throw new InvalidOperationException($"Stopping {name} failed: {result.Message}");
    }

    public async Task StartResourceAsync(string name)
    {
        var result = await _app.ResourceCommands.ExecuteCommandAsync(name, KnownResourceCommands.StartCommand);
        if (!result.Success) throw new InvalidOperationException($"Starting {name} failed: {result.Message}");
    }

    /// <summary>The process id of a running executable resource, as Aspire reports it.</summary>
    public int ProcessId(string name) =>
        Notifications.TryGetCurrentState(name, out var state)
        && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
        && Convert.ToInt32(pid) is var id and > 0
            ? id
            : throw new InvalidOperationException($"{name} has no process.");

    /// <summary>
    /// Kills a resource's process and its children with SIGKILL (a server started by a script, as RabbitMQ is, runs in
    /// a child: the Erlang VM), as the kernel's OOM killer or a crash would.
    /// </summary>
    public int Kill(string name)
    {
        var pid = ProcessId(name);
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        return pid;
    }

    public int Restarts(string name) => Services.GetRequiredService<Watchdog>().Restarts(name);

    /// <summary>Waits until the resource runs again in a process other than <paramref name="pidBefore"/>, and is healthy.</summary>
    public async Task WaitForRestartAsync(string name, int pidBefore, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await Notifications.WaitForResourceAsync(name,
            e => e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                 && e.Snapshot.Properties.Any(p => p.Name == "executable.pid" && Convert.ToInt32(p.Value) is var pid && pid > 0 && pid != pidBefore),
            cancellation.Token);
    }

    public async Task<long> CountAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(GetConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The ids a query returns (its first column), for comparing copies id by id.</summary>
    public async Task<HashSet<Guid>> IdsAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(GetConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new HashSet<Guid>();
        while (await reader.ReadAsync()) ids.Add(reader.GetGuid(0));
        return ids;
    }

    /// <summary>The first column of every row a query returns, as text, in the query's order: for comparing tables row by row.</summary>
    public async Task<List<string>> RowsAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(GetConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        return rows;
    }

    /// <summary>Messages in every <c>_error</c> queue of the broker, by queue (empty queues left out).</summary>
    public async Task<Dictionary<string, long>> FailedMessagesAsync()
    {
        using var client = RabbitMQManagement();
        var queues = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(client, "/api/queues/%2F?columns=name,messages");
        return queues.EnumerateArray()
            .Select(q => (Name: q.GetProperty("name").GetString()!, Messages: q.TryGetProperty("messages", out var m) && m.ValueKind == System.Text.Json.JsonValueKind.Number ? m.GetInt64() : 0))
            .Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal) && q.Messages > 0)
            .ToDictionary(q => q.Name, q => q.Messages);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await _app.DisposeAsync();
        DeleteData(DataDirectory);
    }

    private static void DeleteData(string data)
    {
        if (Environment.GetEnvironmentVariable("LMS_KEEP_TEST_DATA") == "1") return;
        try { Directory.Delete(data, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
