using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace LmsPlatform.IntegrationTests;

/// <summary>The shared outbox and inbox, against the real PostgreSQL and RabbitMQ of the fixture.</summary>
public class MessagingTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_trace_of_the_http_request_continues_in_every_consumer()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/identity/users") { Content = JsonContent.Create(Users.NewUser("trace")) };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        using var response = await platform.Gateway.SendAsync(request);
        response.EnsureSuccessStatusCode();

        foreach (var database in new[] { ResourceNames.EnrolmentDb, ResourceNames.NotificationDb, ResourceNames.AnalyticsDb })
            await Eventually.ReachesAsync(
                () => platform.CountAsync(database, $"SELECT count(*) FROM inbox_messages WHERE trace_id = '{traceId}'"),
                n => n == 1, TimeSpan.FromSeconds(30), $"{database} inbox row in trace {traceId}");
    }

    [Fact]
    public async Task A_message_delivered_twice_is_applied_once()
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.App.GetConnectionString(ResourceNames.EventBus)!)));
        await bus.StartAsync();
        try
        {
            var userId = Guid.NewGuid();
            var messageId = NewId.NextGuid();
            var message = new UserCreated(userId, $"twice.{userId:N}@example.org", "Twice", "Delivered", null, DateTimeOffset.UtcNow);
            for (var i = 0; i < 3; i++)
                await bus.Publish(message, ctx => ctx.MessageId = messageId);

            // A fresh message id for the same user afterwards proves the consumers have drained the three copies.
            await Eventually.ReachesAsync(
                () => platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId}'"),
                n => n == 1, TimeSpan.FromSeconds(30), "inbox row");
            await Task.Delay(1000);
            Assert.Equal(1, await platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM notifications WHERE \"UserId\" = '{userId}'"));
            Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"SELECT count(*) FROM user_facts WHERE \"UserId\" = '{userId}'"));
            Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"SELECT count(*) FROM inbox_messages WHERE message_id = '{messageId}'"));
            // Nothing faulted: duplicates are skipped, not failed into the _error queue.
            Assert.Equal(0, await ErrorQueueDepthAsync("analytics-user-created_error"));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task Two_dispatchers_on_one_outbox_publish_every_row_exactly_once()
    {
        await using var db = await OutboxDatabase.CreateAsync(platform);
        const int rows = 600;
        await db.SeedAsync(rows);

        var published = new ConcurrentDictionary<Guid, int>();
        var publisher = new RecordingPublisher(published, delay: TimeSpan.FromMilliseconds(2));
        var first = db.Dispatcher(publisher);
        var second = db.Dispatcher(publisher);

        async Task DrainAsync(OutboxDispatcher<OutboxTestDbContext> dispatcher)
        {
            while (await dispatcher.DispatchBatchAsync(CancellationToken.None) > 0) { }
        }
        await Task.WhenAll(DrainAsync(first), DrainAsync(second), DrainAsync(first), DrainAsync(second));

        Assert.Equal(rows, published.Count);
        Assert.All(published.Values, count => Assert.Equal(1, count));
        Assert.Equal(0, await db.CountAsync("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
    }

    [Fact]
    public async Task A_failed_publish_is_kept_and_retried_after_its_backoff()
    {
        await using var db = await OutboxDatabase.CreateAsync(platform);
        await db.SeedAsync(5);

        var failing = db.Dispatcher(new FailingPublisher());
        Assert.Equal(0, await failing.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(5, await db.CountAsync("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND attempts = 1 AND next_attempt_at > now() AND last_error LIKE '%broker is down%'"));

        // Not before its backoff...
        var published = new ConcurrentDictionary<Guid, int>();
        var working = db.Dispatcher(new RecordingPublisher(published, TimeSpan.Zero));
        Assert.Equal(0, await working.DispatchBatchAsync(CancellationToken.None));
        // ...and then every row.
        await db.ExecuteAsync("UPDATE outbox_messages SET next_attempt_at = now() - interval '1 second'");
        Assert.Equal(5, await working.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(5, published.Count);
    }

    private async Task<long> ErrorQueueDepthAsync(string queue)
    {
        using var client = platform.App.RabbitMQManagement();
        using var response = await client.GetAsync($"/api/queues/%2F/{queue}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return 0; // never created: nothing ever failed
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("messages").GetInt64();
    }
}

public sealed class OutboxTestDbContext(DbContextOptions<OutboxTestDbContext> options) : ServiceDbContext(options);

/// <summary>A throwaway database with just the outbox and inbox tables, on the fixture's PostgreSQL server.</summary>
public sealed class OutboxDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;
    private readonly string _name;
    private readonly ServiceProvider _services;

    private OutboxDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        _name = name;
        ConnectionString = $"{serverConnectionString};Database={name}";
        _services = new ServiceCollection()
            .AddDbContext<OutboxTestDbContext>(o => o.UseNpgsql(ConnectionString, n => n.EnableRetryOnFailure(3)))
            .BuildServiceProvider();
    }

    public string ConnectionString { get; }

    public static async Task<OutboxDatabase> CreateAsync(PlatformFixture platform)
    {
        var db = new OutboxDatabase(platform.App.GetConnectionString(ResourceNames.Postgres)!, $"outbox_{Guid.NewGuid():N}");
        await using var scope = db._services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>().Database.EnsureCreatedAsync();
        return db;
    }

    public async Task SeedAsync(int count)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>();
        for (var i = 0; i < count; i++)
            context.AddIntegrationEvent(new UserCreated(Guid.NewGuid(), $"u{i}@example.org", "U", $"{i}", null, DateTimeOffset.UtcNow));
        await context.SaveChangesAsync();
    }

    public OutboxDispatcher<OutboxTestDbContext> Dispatcher(IOutboxPublisher publisher) => new(
        _services.GetRequiredService<IServiceScopeFactory>(), publisher, new OutboxSignal(),
        new OutboxOptions { BatchSize = 50 }, TimeProvider.System, NullLogger<OutboxDispatcher<OutboxTestDbContext>>.Instance);

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Stands in for the broker where the test is about the dispatcher's claiming, not about RabbitMQ.</summary>
internal sealed class RecordingPublisher(ConcurrentDictionary<Guid, int> published, TimeSpan delay) : IOutboxPublisher
{
    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
        published.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
    }
}

internal sealed class FailingPublisher : IOutboxPublisher
{
    public Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        Task.FromException(new InvalidOperationException("the broker is down"));
}
