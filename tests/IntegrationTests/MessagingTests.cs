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
            var errorsBefore = await ErrorQueueDepthAsync("analytics-user-created_error");
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
            Assert.Equal(errorsBefore, await ErrorQueueDepthAsync("analytics-user-created_error"));
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

    [Fact]
    public async Task A_batch_redelivered_after_its_commit_applies_nothing_twice()
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.App.GetConnectionString(ResourceNames.EventBus)!)));
        await bus.StartAsync();
        try
        {
            var tag = Guid.NewGuid().ToString("N")[..10];
            var events = Enumerable.Range(0, 200).Select(i => (Id: NewId.NextGuid(), Message: new UserCreated(Guid.NewGuid(), $"{tag}.{i}@example.org", "Batch", $"{i}", null, DateTimeOffset.UtcNow))).ToList();
            async Task PublishAllAsync() => await Task.WhenAll(events.Select(e => bus.Publish(e.Message, ctx => ctx.MessageId = e.Id)));

            await PublishAllAsync();
            await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"Email\" LIKE '{tag}.%'"),
                n => n == 200, TimeSpan.FromSeconds(30), "first delivery applied");
            // The same messages again, as after a crash between the batch's commit and its acknowledgement; then a marker
            // behind them in the same queues: once the marker is applied, the copies before it have been consumed.
            await PublishAllAsync();
            var marker = new UserCreated(Guid.NewGuid(), $"{tag}.marker@example.org", "Batch", "Marker", null, DateTimeOffset.UtcNow);
            await bus.Publish(marker);
            foreach (var (db, sql) in new[]
                     {
                         (ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"Email\" = '{marker.Email}'"),
                         (ResourceNames.NotificationDb, $"SELECT count(*) FROM recipients WHERE \"UserId\" = '{marker.UserId}'"),
                         (ResourceNames.AnalyticsDb, $"SELECT count(*) FROM user_facts WHERE \"UserId\" = '{marker.UserId}'"),
                     })
                await Eventually.ReachesAsync(() => platform.CountAsync(db, sql), n => n == 1, TimeSpan.FromSeconds(30), $"marker in {db}");

            var ids = string.Join(",", events.Select(e => $"'{e.Message.UserId}'"));
            Assert.Equal(200, await platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"UserId\" IN ({ids})"));
            // A welcome message has a fresh id each time it is applied: an effect applied twice would show here.
            Assert.Equal(200, await platform.CountAsync(ResourceNames.NotificationDb, $"SELECT count(*) FROM notifications WHERE \"UserId\" IN ({ids})"));
            Assert.Equal(200, await platform.CountAsync(ResourceNames.AnalyticsDb, $"SELECT count(*) FROM user_facts WHERE \"UserId\" IN ({ids})"));
            var messageIds = string.Join(",", events.Select(e => $"'{e.Id}'"));
            foreach (var db in new[] { ResourceNames.EnrolmentDb, ResourceNames.NotificationDb, ResourceNames.AnalyticsDb })
                Assert.Equal(200, await platform.CountAsync(db, $"SELECT count(*) FROM inbox_messages WHERE message_id IN ({messageIds})"));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    [Fact]
    public async Task A_poison_message_in_a_batch_goes_to_the_error_queue_and_the_rest_of_the_batch_is_applied_once()
    {
        const string errorQueue = "enrolment-user-created_error";
        var errorsBefore = await ErrorQueueDepthAsync(errorQueue);
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.App.GetConnectionString(ResourceNames.EventBus)!)));
        await bus.StartAsync();
        // With enrolment stopped the messages wait in its queue, so they arrive as one batch when it starts again.
        await platform.App.StopResourceAsync(ResourceNames.EnrolmentApi);
        var tag = Guid.NewGuid().ToString("N")[..10];
        var poisonId = NewId.NextGuid();
        try
        {
            for (var i = 0; i < 21; i++)
            {
                // The eleventh cannot be stored: its email is longer than the column allows.
                var email = i == 10 ? $"{new string('x', 300)}@example.org" : $"{tag}.{i}@example.org";
                var message = new UserCreated(Guid.NewGuid(), email, "Poison", $"{i}", null, DateTimeOffset.UtcNow);
                await bus.Publish(message, ctx => { if (i == 10) ctx.MessageId = poisonId; });
            }
        }
        finally
        {
            await platform.App.StartResourceAsync(ResourceNames.EnrolmentApi);
            await bus.StopAsync();
        }
        await platform.App.Notifications.WaitForResourceHealthyAsync(ResourceNames.EnrolmentApi);

        await Eventually.ReachesAsync(() => ErrorQueueDepthAsync(errorQueue), n => n == errorsBefore + 1, TimeSpan.FromSeconds(60), "poison in the error queue");
        var tagged = await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"Email\" LIKE '{tag}.%'"),
            n => n == 20, TimeSpan.FromSeconds(30), "the twenty good messages applied");
        Assert.Equal(20, tagged);
        Assert.Equal(0, await platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM inbox_messages WHERE message_id = '{poisonId}'"));
        var fault = await PeekErrorAsync(errorQueue);
        Assert.Contains("too long", fault.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_failed_message_is_listed_for_operators_and_re_queued_once_after_its_cause_is_fixed()
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.App.GetConnectionString(ResourceNames.EventBus)!)));
        await bus.StartAsync();
        var userId = Guid.NewGuid();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var failingId = NewId.NextGuid();
        // Enrolment's learner table refuses this person for now (a constraint stands in for any cause an operator can
        // fix), so the message fails after its retries and lands in enrolment's error queue, and only there.
        var constraint = $"requeue_{tag}";
        await ExecuteAsync(ResourceNames.EnrolmentDb, $"ALTER TABLE learners ADD CONSTRAINT {constraint} CHECK (\"UserId\" <> '{userId}')");
        try
        {
            await bus.Publish(new UserCreated(userId, $"{tag}.second@example.org", "Requeue", "Second", null, DateTimeOffset.UtcNow), ctx => ctx.MessageId = failingId);
        }
        finally
        {
            await bus.StopAsync();
        }

        const string path = "/api/enrolment/operations/failed-messages";
        var listed = await Eventually.ReachesAsync(() => platform.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>(path),
            queues => queues.EnumerateArray().Any(q => q.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("messageId").GetString() == failingId.ToString())),
            TimeSpan.FromSeconds(90), "the failed message listed");
        var queue = listed.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "enrolment-user-created");
        Assert.Equal("enrolment-user-created_error", queue.GetProperty("errorQueue").GetString());
        var failed = queue.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("messageId").GetString() == failingId.ToString());
        Assert.Contains("UserCreated", failed.GetProperty("messageType").GetString());
        Assert.False(string.IsNullOrEmpty(failed.GetProperty("reason").GetString()));

        // Its count is on enrolment's health report, and through it on the gateway's.
        var gatewayHealth = await Eventually.ReachesAsync(() => platform.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/health"),
            h => h.GetProperty("checks").GetProperty(ResourceNames.EnrolmentApi).GetProperty("description").GetString()!.Contains("enrolment-user-created_error"),
            TimeSpan.FromSeconds(60), "the failed message counted on the gateway's health report");
        Assert.Matches(@"enrolment-api is healthy; \d+ failed messages?: .*enrolment-user-created_error \d+",
            gatewayHealth.GetProperty("checks").GetProperty(ResourceNames.EnrolmentApi).GetProperty("description").GetString());

        // The operator fixes the cause and re-queues the message: it is applied, once.
        await ExecuteAsync(ResourceNames.EnrolmentDb, $"ALTER TABLE learners DROP CONSTRAINT {constraint}");
        using (var requeued = await platform.Gateway.PostAsync($"{path}/{failingId}/requeue", null))
            Assert.Equal(System.Net.HttpStatusCode.NoContent, requeued.StatusCode);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"UserId\" = '{userId}' AND \"Email\" = '{tag}.second@example.org'"),
            n => n == 1, TimeSpan.FromSeconds(30), "the re-queued message applied");
        Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM inbox_messages WHERE message_id = '{failingId}'"));
        var after = await platform.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>(path);
        Assert.DoesNotContain(after.EnumerateArray().SelectMany(q => q.GetProperty("messages").EnumerateArray()), m => m.GetProperty("messageId").GetString() == failingId.ToString());

        // The re-queue is in the platform's audit log, with who did it.
        var audit = await Eventually.ReachesAsync(() => platform.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/identity/audit?entityType=FailedMessage&entityId={failingId}"),
            page => page.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30), "the re-queue audited");
        var entry = Assert.Single(audit.GetProperty("items").EnumerateArray());
        Assert.Equal("failed-message.requeued", entry.GetProperty("action").GetString());
        Assert.Equal("admin@lms.local", entry.GetProperty("actorName").GetString());
        Assert.Contains("enrolment-user-created", entry.GetProperty("after").GetString());

        // It is gone from the error queue: a second re-queue, or a discard, finds nothing.
        using (var again = await platform.Gateway.PostAsync($"{path}/{failingId}/requeue", null))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, again.StatusCode);
        using (var discard = await platform.Gateway.DeleteAsync($"{path}/{failingId}"))
            Assert.Equal(System.Net.HttpStatusCode.NotFound, discard.StatusCode);
    }

    [Fact]
    public async Task The_outbox_publishes_each_aggregates_events_in_order_and_holds_them_back_behind_a_failure()
    {
        await using var db = await OutboxDatabase.CreateAsync(platform);
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        // Interleaved, as concurrent transactions write them; runs of one type travel as one envelope:
        // [a+ b+] [a-] [c+] [b-] [a+]
        await db.SeedAsync(
        [
            new UserReactivated(a, now), new UserReactivated(b, now), new UserDeactivated(a, "x", now),
            new UserReactivated(c, now), new UserDeactivated(b, "x", now), new UserReactivated(a, now),
        ]);
        var ids = await db.IdsInOrderAsync();

        var publisher = new OrderRecordingPublisher(failOnce: ids[2]); // the envelope [a-] fails the first time
        var dispatcher = db.Dispatcher(publisher);
        Assert.Equal(2, await dispatcher.DispatchBatchAsync(CancellationToken.None)); // [a+ b+]; the rest wait
        Assert.Equal(4, await db.CountAsync("SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL AND attempts = 1 AND next_attempt_at > now()"));
        Assert.Equal(3, await db.CountAsync("SELECT count(*) FROM outbox_messages WHERE last_error LIKE 'held back%'"));
        Assert.Equal(0, await dispatcher.DispatchBatchAsync(CancellationToken.None)); // nothing is due

        // A new event of c, written while c's first waits for its retry, waits behind it.
        await db.SeedAsync([new UserDeactivated(c, "x", DateTimeOffset.UtcNow)]);
        Assert.Equal(0, await dispatcher.DispatchBatchAsync(CancellationToken.None));

        await db.ExecuteAsync("UPDATE outbox_messages SET next_attempt_at = now() - interval '1 second' WHERE sent_at IS NULL AND attempts > 0");
        Assert.Equal(5, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        Assert.Equal(7, publisher.Published.Count);
        foreach (var key in new[] { a, b, c })
        {
            var published = publisher.Published.Where(p => p.Key == key).Select(p => p.Id).ToList();
            Assert.Equal(published.Order().ToList(), published); // ids are time-ordered: publish order is write order
        }
        Assert.Equal(6, publisher.Envelopes); // [a+ b+], then [a-] [c+] [b-] [a+] [c-]: the types alternate
    }

    /// <summary>The first message of an error queue (left in place), with the reason MassTransit's fault headers give.</summary>
    private async Task<(string Reason, System.Text.Json.JsonElement Message)> PeekErrorAsync(string queue)
    {
        using var client = platform.App.RabbitMQManagement();
        using var response = await client.PostAsJsonAsync($"/api/queues/%2F/{queue}/get", new { count = 50, ackmode = "ack_requeue_true", encoding = "auto" });
        response.EnsureSuccessStatusCode();
        var messages = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var last = messages.EnumerateArray().Last();
        var headers = last.GetProperty("properties").GetProperty("headers");
        Assert.True(headers.TryGetProperty("MT-Fault-Message", out var reason), $"fault headers on the error message: {last}");
        return (reason.GetString() ?? "", last);
    }

    private async Task<long> ErrorQueueDepthAsync(string queue)
    {
        using var client = platform.App.RabbitMQManagement();
        using var response = await client.GetAsync($"/api/queues/%2F/{queue}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return 0; // never created: nothing ever failed
        response.EnsureSuccessStatusCode();
        // A queue created moments ago has no statistics yet.
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).TryGetProperty("messages", out var depth) ? depth.GetInt64() : 0;
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

    public async Task SeedAsync(IEnumerable<IIntegrationEvent> events)
    {
        await using var scope = _services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>();
        foreach (var e in events)
        {
            context.OutboxMessages.Add(OutboxMessageFactory.Create(e, DateTimeOffset.UtcNow));
            await Task.Delay(2); // distinct, increasing time-ordered ids
        }
        await context.SaveChangesAsync();
    }

    public async Task<List<Guid>> IdsInOrderAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<OutboxTestDbContext>().OutboxMessages.OrderBy(m => m.Id).Select(m => m.Id).ToListAsync();
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
        new OutboxOptions { BatchSize = 50 }, TimeProvider.System, NullLogger<OutboxDispatcher<OutboxTestDbContext>>.Instance,
        new Microsoft.Extensions.Hosting.LoopHeartbeats(TimeProvider.System));

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
    public async Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero) await Task.Delay(delay, cancellationToken);
        foreach (var message in messages) published.AddOrUpdate(message.Id, 1, (_, n) => n + 1);
    }
}

/// <summary>Records the order events are published in, with their aggregate; fails the envelope holding one row, once.</summary>
internal sealed class OrderRecordingPublisher(Guid failOnce) : IOutboxPublisher
{
    private readonly object _gate = new();
    private bool _failed;
    public List<(Guid Key, Guid Id)> Published { get; } = [];
    public int Envelopes { get; private set; }

    public Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (messages.Any(m => m.Id == failOnce) && !_failed)
            {
                _failed = true;
                return Task.FromException(new InvalidOperationException("the broker refused it"));
            }
            Assert.All(messages, m => Assert.Equal(messages[0].Type, m.Type)); // an envelope holds one event type
            Published.AddRange(messages.Select(m => (m.OrderingKey!.Value, m.Id)));
            Envelopes++;
        }
        return Task.CompletedTask;
    }
}

internal sealed class FailingPublisher : IOutboxPublisher
{
    public Task PublishAsync(IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken) =>
        Task.FromException(new InvalidOperationException("the broker is down"));
}
