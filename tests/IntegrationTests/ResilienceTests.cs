using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests;

public class ServiceRestartTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_killed_service_is_restarted_by_the_watchdog_and_becomes_healthy_again()
    {
        var restartsBefore = platform.App.Restarts(ResourceNames.EnrolmentApi);
        var pidBefore = platform.App.Kill(ResourceNames.EnrolmentApi); // SIGKILL, as the kernel's OOM killer would

        await platform.App.WaitForRestartAsync(ResourceNames.EnrolmentApi, pidBefore, TimeSpan.FromSeconds(90));
        Assert.Equal(restartsBefore + 1, platform.App.Restarts(ResourceNames.EnrolmentApi));
        Assert.NotEqual(pidBefore, platform.App.ProcessId(ResourceNames.EnrolmentApi));

        // It consumes again: a user created now reaches its learner copy.
        var userId = await Users.CreateAsync(platform.Gateway, "restart");
        await Eventually.ReachesAsync(async () => (await platform.Gateway.GetAsync($"/api/enrolment/learners/{userId}")).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "learner copy after restart");
    }
}

/// <summary>A platform of its own for the tests that take the broker or a consumer away.</summary>
public sealed class FaultPlatformFixture : IAsyncLifetime
{
    public TestPlatform App { get; private set; } = null!;

    public async ValueTask InitializeAsync() => App = await PlatformFixture.StartPlatformAsync();

    public async ValueTask DisposeAsync()
    {
        if (App is not null) await App.DisposeAsync();
    }
}

/// <summary>
/// The broker is stopped while users are being created and started again: every event is delivered, none twice.
/// It runs on a platform of its own, since it takes the broker away.
/// </summary>
public class BrokerOutageTests(FaultPlatformFixture fault) : IClassFixture<FaultPlatformFixture>
{
    private TestPlatform _app => fault.App;

    [Fact]
    public async Task Stopping_the_broker_while_users_are_created_loses_no_event_and_applies_none_twice()
    {
        const int total = 240;
        var usersBefore = await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM users");
        using var gateway = Identity.Oidc.WithToken(_app.CreateHttpClient(ResourceNames.Gateway), await PlatformFixture.AdminTokenAsync(_app));
        var created = 0;
        var brokerStopped = new TaskCompletionSource();

        async Task WriterAsync(int writer)
        {
            for (var i = writer; i < total; i += 4)
            {
                using var response = await gateway.PostAsJsonAsync("/api/identity/users", Users.NewUser($"outage{i}"));
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
                if (Interlocked.Increment(ref created) == total / 3) _ = StopBrokerAsync();
                if (created > total / 3) await brokerStopped.Task; // most users are created while the broker is down
            }
        }

        async Task StopBrokerAsync()
        {
            await _app.StopResourceAsync(ResourceNames.EventBus);
            brokerStopped.SetResult();
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(WriterAsync));
        Assert.Equal(total, created);
        Assert.True(_app.Notifications.TryGetCurrentState(ResourceNames.EventBus, out var broker));
        Assert.Equal("Finished", broker.Snapshot.State?.Text); // stopped, and not restarted by the watchdog
        Assert.Equal(0, _app.Restarts(ResourceNames.EventBus));
        var pendingWhileDown = await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL");
        Assert.True(pendingWhileDown > 0, "events wait in the outbox while the broker is down");

        await Task.Delay(TimeSpan.FromSeconds(3));
        await _app.StartResourceAsync(ResourceNames.EventBus);

        var users = await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM users");
        Assert.Equal(total + usersBefore, users);
        var timeout = TimeSpan.FromSeconds(150);
        await Eventually.ReachesAsync(() => Sql.CountAsync(_app, ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"), n => n >= users, timeout, "analytics users");
        await Eventually.ReachesAsync(() => Sql.CountAsync(_app, ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"), n => n >= users, timeout, "enrolment learners");
        await Eventually.ReachesAsync(() => Sql.CountAsync(_app, ResourceNames.NotificationDb, "SELECT count(*) FROM recipients"), n => n >= users, timeout, "notification recipients");
        await Task.Delay(TimeSpan.FromSeconds(2)); // let any late duplicate arrive before counting exactly

        Assert.Equal(0, await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(users, await Sql.CountAsync(_app, ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"));
        Assert.Equal(users, await Sql.CountAsync(_app, ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"));
        // A welcome message has a fresh id each time it is applied: applying an event twice would show here.
        Assert.Equal(users, await Sql.CountAsync(_app, ResourceNames.NotificationDb, "SELECT count(*) FROM notifications"));
        foreach (var db in new[] { ResourceNames.AnalyticsDb, ResourceNames.EnrolmentDb, ResourceNames.NotificationDb })
            Assert.Equal(users, await Sql.CountAsync(_app, db, "SELECT count(*) FROM inbox_messages"));

        using var summary = await gateway.GetAsync("/api/analytics/summary");
        Assert.Contains($"\"users\":{users}", await summary.Content.ReadAsStringAsync());
    }
}

public class ServerRestartTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_killed_server_is_restarted_by_the_watchdog_and_the_service_using_it_recovers()
    {
        var restartsBefore = platform.App.Restarts(ResourceNames.Redis);
        var pidBefore = platform.App.Kill(ResourceNames.Redis);

        await platform.App.WaitForRestartAsync(ResourceNames.Redis, pidBefore, TimeSpan.FromSeconds(90));
        Assert.Equal(restartsBefore + 1, platform.App.Restarts(ResourceNames.Redis));

        // The catalogue's cache reconnects on its own: its health is back and search answers.
        using var catalogue = platform.Client(ResourceNames.CatalogueApi);
        await Eventually.ReachesAsync(async () => (await catalogue.GetAsync("/health")).StatusCode,
            s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "catalogue health after Redis came back");
        using var search = await platform.Gateway.GetAsync("/api/catalogue/search?q=safety");
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
    }
}

/// <summary>
/// At scale: 20,000 users imported while a consumer is killed mid-batch and the broker is restarted. Every service ends
/// with every user exactly once.
/// </summary>
public class ImportUnderFaultsTests(FaultPlatformFixture fault) : IClassFixture<FaultPlatformFixture>
{
    [Fact]
    public async Task Twenty_thousand_users_imported_through_a_consumer_kill_and_a_broker_restart_arrive_exactly_once_everywhere()
    {
        const int count = 20_000;
        var app = fault.App;
        using var admin = Identity.Oidc.WithToken(app.CreateHttpClient(ResourceNames.Gateway), await PlatformFixture.AdminTokenAsync(app));
        var before = await app.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var csv = new System.Text.StringBuilder("external_id,email,given_name,family_name\n");
        for (var i = 0; i < count; i++) csv.Append($"{tag}-{i},{tag}.{i}@example.org,Scale,{i}\n");
        var plan = await Identity.Imports.UploadAsync(admin, csv.ToString());
        Assert.Equal(count, plan.GetProperty("toCreate").GetInt32());
        using (var apply = await admin.PostAsync($"/api/identity/imports/{plan.GetProperty("id").GetGuid()}/apply", null))
            Assert.Equal(HttpStatusCode.Accepted, apply.StatusCode);

        // Once the consumers are busy: kill enrolment mid-batch, then take the broker away and bring it back.
        await Eventually.ReachesAsync(() => app.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM learners WHERE \"Email\" LIKE '{tag}.%'"),
            n => n > 0, TimeSpan.FromSeconds(120), "enrolment started consuming");
        var killed = app.Kill(ResourceNames.EnrolmentApi);
        await app.StopResourceAsync(ResourceNames.EventBus);
        await Task.Delay(TimeSpan.FromSeconds(2));
        await app.StartResourceAsync(ResourceNames.EventBus);
        await app.WaitForRestartAsync(ResourceNames.EnrolmentApi, killed, TimeSpan.FromSeconds(120));

        var expected = before + count;
        var timeout = TimeSpan.FromMinutes(4);
        await Eventually.ReachesAsync(() => app.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM users"), n => n == expected, timeout, "identity users");
        await Eventually.ReachesAsync(() => app.CountAsync(ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"), n => n >= expected, timeout, "enrolment learners");
        await Eventually.ReachesAsync(() => app.CountAsync(ResourceNames.NotificationDb, "SELECT count(*) FROM recipients"), n => n >= expected, timeout, "notification recipients");
        await Eventually.ReachesAsync(() => app.CountAsync(ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"), n => n >= expected, timeout, "analytics users");
        await Task.Delay(TimeSpan.FromSeconds(3)); // any late duplicate would land now

        Assert.Equal(0, await app.CountAsync(ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE sent_at IS NULL"));
        Assert.Equal(expected, await app.CountAsync(ResourceNames.EnrolmentDb, "SELECT count(*) FROM learners"));
        Assert.Equal(expected, await app.CountAsync(ResourceNames.NotificationDb, "SELECT count(*) FROM recipients"));
        Assert.Equal(expected, await app.CountAsync(ResourceNames.AnalyticsDb, "SELECT count(*) FROM user_facts"));
        // A welcome message has a fresh id each time it is applied: applying an event twice would show here.
        Assert.Equal(expected, await app.CountAsync(ResourceNames.NotificationDb, "SELECT count(*) FROM notifications"));
        foreach (var db in new[] { ResourceNames.EnrolmentDb, ResourceNames.NotificationDb, ResourceNames.AnalyticsDb })
            Assert.Equal(expected, await app.CountAsync(db, "SELECT count(*) FROM inbox_messages WHERE message_type LIKE '%UserCreated'"));
    }
}
