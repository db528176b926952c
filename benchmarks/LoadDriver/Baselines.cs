using System.Diagnostics;
using System.Text;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

/// <summary>
/// The machine's own limits, measured in the same run as a scenario, on the same servers, so a scenario's figure reads
/// as a share of what this box can do at all: PostgreSQL binary COPY of an import's rows, RabbitMQ persistent
/// publish and consume, and a Kestrel hello-world called directly and through the gateway.
/// </summary>
public static class Baselines
{
    /// <summary>
    /// COPY of <paramref name="count"/> users with an outbox row and an audit entry each (the rows an import writes,
    /// of the same size), in transactions of 2,000 like the import, into copies of the real tables with their indexes.
    /// Rows per second.
    /// </summary>
    public static async Task<double> CopyAsync(TestPlatform app, int count)
    {
        await using var connection = new NpgsqlConnection(app.GetConnectionString(ResourceNames.IdentityDb));
        await connection.OpenAsync();
        await Execute(connection, """
            CREATE TEMP TABLE baseline_users (LIKE users INCLUDING ALL);
            CREATE TEMP TABLE baseline_outbox (LIKE outbox_messages INCLUDING ALL);
            CREATE TEMP TABLE baseline_audit (LIKE audit_log INCLUDING ALL);
            """);
        var now = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        for (var start = 1; start <= count; start += 2000)
        {
            var ids = Enumerable.Range(start, Math.Min(2000, count - start + 1)).ToList();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var users = await connection.BeginBinaryImportAsync("""COPY baseline_users ("Id", "GivenName", "FamilyName", "ExternalId", "JobTitle", "Location", "HireDate", "Status", "CreatedAt", "UpdatedAt", "ScimDeleted", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var i in ids)
                {
                    await users.StartRowAsync();
                    users.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    users.Write($"Given{i}", NpgsqlDbType.Varchar);
                    users.Write($"Family{i}", NpgsqlDbType.Varchar);
                    users.Write($"E{i:D7}", NpgsqlDbType.Varchar);
                    users.Write("Analyst", NpgsqlDbType.Varchar);
                    users.Write("London", NpgsqlDbType.Varchar);
                    users.Write(new DateOnly(2020, 1, 1), NpgsqlDbType.Date);
                    users.Write("Active", NpgsqlDbType.Varchar);
                    users.Write(now, NpgsqlDbType.TimestampTz);
                    users.Write(now, NpgsqlDbType.TimestampTz);
                    users.Write(false, NpgsqlDbType.Boolean);
                    users.Write($"person{i}@example.org", NpgsqlDbType.Varchar);
                    users.Write($"PERSON{i}@EXAMPLE.ORG", NpgsqlDbType.Varchar);
                    users.Write($"person{i}@example.org", NpgsqlDbType.Varchar);
                    users.Write($"PERSON{i}@EXAMPLE.ORG", NpgsqlDbType.Varchar);
                    users.Write(false, NpgsqlDbType.Boolean);
                    users.Write(Guid.NewGuid().ToString("N"), NpgsqlDbType.Text);
                    users.Write(Guid.NewGuid().ToString("N"), NpgsqlDbType.Text);
                    users.Write(false, NpgsqlDbType.Boolean);
                    users.Write(false, NpgsqlDbType.Boolean);
                    users.Write(true, NpgsqlDbType.Boolean);
                    users.Write(0, NpgsqlDbType.Integer);
                }
                await users.CompleteAsync();
            }
            await using (var outbox = await connection.BeginBinaryImportAsync("COPY baseline_outbox (id, type, payload, occurred_at, ordering_key, attempts, next_attempt_at) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var i in ids)
                {
                    await outbox.StartRowAsync();
                    outbox.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    outbox.Write("LmsPlatform.Contracts.Identity.UserCreated", NpgsqlDbType.Varchar);
                    outbox.Write(Profile(i, now), NpgsqlDbType.Jsonb);
                    outbox.Write(now, NpgsqlDbType.TimestampTz);
                    outbox.Write(Guid.NewGuid(), NpgsqlDbType.Uuid);
                    outbox.Write(0, NpgsqlDbType.Integer);
                    outbox.Write(now, NpgsqlDbType.TimestampTz);
                }
                await outbox.CompleteAsync();
            }
            await using (var audit = await connection.BeginBinaryImportAsync("""COPY baseline_audit ("Id", "OccurredAt", "ActorName", "Action", "EntityType", "EntityId", "After") FROM STDIN (FORMAT BINARY)"""))
            {
                foreach (var i in ids)
                {
                    await audit.StartRowAsync();
                    audit.Write(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                    audit.Write(now, NpgsqlDbType.TimestampTz);
                    audit.Write("Load driver (import hr.csv)", NpgsqlDbType.Varchar);
                    audit.Write("user.created", NpgsqlDbType.Varchar);
                    audit.Write("user", NpgsqlDbType.Varchar);
                    audit.Write(Guid.NewGuid().ToString(), NpgsqlDbType.Varchar);
                    audit.Write(Profile(i, now), NpgsqlDbType.Jsonb);
                }
                await audit.CompleteAsync();
            }
            await transaction.CommitAsync();
        }
        return count / clock.Elapsed.TotalSeconds;
    }

    private static string Profile(int i, DateTimeOffset now) => System.Text.Json.JsonSerializer.Serialize(new
    {
        userId = Guid.NewGuid(), email = $"person{i}@example.org", givenName = $"Given{i}", familyName = $"Family{i}", externalId = $"E{i:D7}", occurredAt = now,
        profile = new
        {
            email = $"person{i}@example.org", givenName = $"Given{i}", familyName = $"Family{i}", externalId = $"E{i:D7}", jobTitle = "Analyst",
            location = "London", hireDate = "2020-01-01", managerId = (Guid?)null, orgUnitId = (Guid?)null, status = "Active",
        },
    });

    /// <summary>
    /// <paramref name="count"/> persistent messages of an envelope's size published with confirms to a durable queue
    /// while one consumer takes them with manual acknowledgements (prefetch 1,000), as the platform's consumers do.
    /// Messages per second, first published to last consumed.
    /// </summary>
    public static async Task<double> RabbitMqAsync(TestPlatform app, int count, int bodyBytes)
    {
        var factory = new ConnectionFactory { Uri = new Uri(app.GetConnectionString(ResourceNames.EventBus)) };
        await using var connection = await factory.CreateConnectionAsync("load-driver-baseline");
        await using var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await using var consumer = await connection.CreateChannelAsync();
        var queue = $"load-driver-baseline-{Guid.NewGuid():N}";
        await publisher.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        try
        {
            await consumer.BasicQosAsync(0, 1000, false);
            var received = 0;
            var all = new TaskCompletionSource();
            var subscriber = new AsyncEventingBasicConsumer(consumer);
            subscriber.ReceivedAsync += async (_, delivery) =>
            {
                var n = ++received;
                if (n % 100 == 0 || n == count) await consumer.BasicAckAsync(delivery.DeliveryTag, multiple: true);
                if (n == count) all.TrySetResult();
            };
            await consumer.BasicConsumeAsync(queue, autoAck: false, subscriber);

            var body = Encoding.UTF8.GetBytes(new string('x', bodyBytes));
            var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
            var clock = Stopwatch.StartNew();
            for (var sent = 0; sent < count; sent += 500)
                await Task.WhenAll(Enumerable.Range(0, Math.Min(500, count - sent))
                    .Select(_ => publisher.BasicPublishAsync("", queue, mandatory: false, properties, body).AsTask()));
            await all.Task.WaitAsync(TimeSpan.FromMinutes(5));
            return count / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await publisher.QueueDeleteAsync(queue);
        }
    }

    /// <summary>
    /// A Kestrel hello-world in this process, called directly and then through the gateway (a route added to the
    /// gateway's configuration, which it reads at start): the gateway's share of the direct throughput.
    /// </summary>
    public static async Task<GatewayFigures> GatewayAsync(TestPlatform app, int seconds, int concurrency)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var hello = builder.Build();
        hello.MapGet("/baseline/hello", () => "Hello, world!");
        await hello.StartAsync();
        var address = hello.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        using var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = new Uri(address) };
        var directRate = await ClosedLoop.MeasureAsync("  hello-world, direct", () => HelloAsync(direct), seconds, concurrency);

        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["ReverseProxy__Routes__baseline__ClusterId"] = "baseline",
            ["ReverseProxy__Routes__baseline__Match__Path"] = "/baseline/{**rest}",
            ["ReverseProxy__Clusters__baseline__Destinations__hello__Address"] = address,
        })
            app.SetEnvironment(ResourceNames.Gateway, key, value);
        if (Environment.GetEnvironmentVariable("LMS_PERF_MAP") == "1") app.SetEnvironment(ResourceNames.Gateway, "DOTNET_PerfMapEnabled", "1");
        // Experiments with the gateway's runtime settings: LMS_GATEWAY_ENV="NAME=value;NAME=value".
        foreach (var setting in (Environment.GetEnvironmentVariable("LMS_GATEWAY_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
            app.SetEnvironment(ResourceNames.Gateway, setting[..setting.IndexOf('=')], setting[(setting.IndexOf('=') + 1)..]);
        await app.StopResourceAsync(ResourceNames.Gateway);
        await app.StartResourceAsync(ResourceNames.Gateway);
        await app.Notifications.WaitForResourceHealthyAsync(ResourceNames.Gateway);
        using var gateway = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = app.GatewayUrl };
        for (var ready = false; !ready;)
        {
            try { ready = (await gateway.GetAsync("/baseline/hello")).IsSuccessStatusCode; }
            catch (HttpRequestException) { }
            if (!ready) await Task.Delay(500);
        }
        await ClosedLoop.MeasureAsync("  hello-world through the gateway, warming its JIT (not counted)", () => HelloAsync(gateway), seconds, concurrency);
        var cpu = new CpuUse(app, [ResourceNames.Gateway]);
        cpu.Sample();
        var gatewayRate = await ClosedLoop.MeasureAsync("  hello-world through the gateway", () => HelloAsync(gateway), seconds, concurrency);
        Console.WriteLine($"  (CPU while through the gateway: {cpu.Sample()}; the rest is this process: the clients and the hello-world)");

        // Again with the gateway on a core of its own, as it runs in its own pods on a cluster: the callers and the
        // hello-world (this process) on core 0, the gateway on core 1, the rest of the platform idle meanwhile.
        var gatewayPid = app.ProcessId(ResourceNames.Gateway);
        try
        {
            await Affinity.PinAsync(Environment.ProcessId, "0");
            var directOwn = await ClosedLoop.MeasureAsync("  hello-world, direct, callers and hello-world on core 0", () => HelloAsync(direct), seconds, concurrency);
            await Affinity.PinAsync(gatewayPid, "1");
            var gatewayOwn = await ClosedLoop.MeasureAsync("  hello-world through the gateway on core 1", () => HelloAsync(gateway), seconds, concurrency);
            return new GatewayFigures(directRate, gatewayRate, directOwn, gatewayOwn);
        }
        finally
        {
            var all = $"0-{Environment.ProcessorCount - 1}";
            await Affinity.PinAsync(Environment.ProcessId, all);
            await Affinity.PinAsync(gatewayPid, all);
        }
    }

    /// <summary>Hello-world rates: sharing the two cores with the gateway, and with the gateway on a core of its own.</summary>
    public sealed record GatewayFigures(double Direct, double Gateway, double DirectOwnCore, double GatewayOwnCore);

    private static async Task HelloAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/baseline/hello");
        response.EnsureSuccessStatusCode();
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
