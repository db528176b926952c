using System.Diagnostics;
using LmsPlatform.Contracts.Operations;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LmsPlatform.ServiceDefaults.Operations;

public enum CheckCadence { Daily, Weekly, Monthly }

public enum CheckStatus { Ok, Attention, Failing }

/// <summary>What a check found: how many people, items or messages, and whether that needs someone.</summary>
public sealed record CheckFinding(long Count, CheckStatus Status, string? Detail = null)
{
    /// <summary>Nothing found is ok; anything found is <paramref name="whenFound"/>.</summary>
    public static CheckFinding Of(long count, CheckStatus whenFound, string? detail = null) =>
        new(count, count == 0 ? CheckStatus.Ok : whenFound, detail);
}

/// <summary>
/// One of an administrator's routine checks (the daily, weekly and monthly list), run by the service that holds its
/// data: a question answered from the service's own database or broker, with the portal page that lists what it found.
/// </summary>
public sealed record OperationsCheck(string Key, CheckCadence Cadence, string Title, string? Link,
    Func<IServiceProvider, DateTimeOffset, CancellationToken, Task<CheckFinding>> Run);

public static class OperationsCheckExtensions
{
    public static IServiceCollection AddOperationsCheck(this IServiceCollection services, OperationsCheck check) => services.AddSingleton(check);

    /// <summary>
    /// The checks every service with a bus has, and the worker that takes them: its health (the same checks as its
    /// <c>/health</c>) and the messages waiting in its <c>_error</c> queues.
    /// </summary>
    public static IServiceCollection AddOperationsChecks<TContext>(this IServiceCollection services, string service) where TContext : DbContext, IServiceDbContext
    {
        services.AddOperationsCheck(new OperationsCheck("service.health", CheckCadence.Daily, "Service health", null, async (sp, _, ct) =>
        {
            var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
            var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).ToList();
            return new CheckFinding(failing.Count,
                report.Status == HealthStatus.Healthy ? CheckStatus.Ok : report.Status == HealthStatus.Degraded ? CheckStatus.Attention : CheckStatus.Failing,
                failing.Count == 0 ? null : string.Join("; ", failing.Select(e => $"{e.Key}: {e.Value.Status}" + (e.Value.Description is { } d ? $" ({d})" : ""))));
        }));
        services.AddOperationsCheck(new OperationsCheck("messages.failed", CheckCadence.Daily, "Messages in error queues", null,
            async (sp, _, ct) =>
            {
                var counts = await sp.GetRequiredService<FailedMessages>().CountsAsync(ct);
                var waiting = counts.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal).ToList();
                return CheckFinding.Of(waiting.Sum(c => c.Value), CheckStatus.Failing,
                    waiting.Count == 0 ? null : string.Join(", ", waiting.Select(c => $"{c.Key} {c.Value}")));
            }));
        services.AddSingleton(new OperationsChecksOptions(service));
        services.AddHostedService<OperationsChecksWorker<TContext>>();
        return services;
    }
}

public sealed record OperationsChecksOptions(string Service);

/// <summary>
/// Takes the service's <see cref="OperationsCheck"/>s every <c>Operations:ChecksInterval</c> (five minutes by default)
/// and sends them to analytics as one <see cref="ChecksTaken"/>, through the outbox. One replica takes a round (a
/// transaction advisory lock), and a round is skipped when another replica sent one within the interval. A check that
/// throws is reported failing, with its error, so a broken check is seen rather than silent.
/// </summary>
public sealed class OperationsChecksWorker<TContext>(IServiceScopeFactory scopes, TimeProvider time, IConfiguration configuration,
    OperationsChecksOptions options, ILogger<OperationsChecksWorker<TContext>> log) : RoundWorker(scopes, time, log)
    where TContext : DbContext, IServiceDbContext
{
    /// <summary>The advisory lock's keys: the operations checks' own space.</summary>
    private const int LockSpace = 20_021;

    protected override string Doing => "Taking the operations checks";

    protected override TimeSpan PollInterval => Interval;

    private TimeSpan Interval => configuration.GetValue("Operations:ChecksInterval", TimeSpan.FromMinutes(5));

    protected override async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<TContext>();
        var checks = services.GetServices<OperationsCheck>().ToList();
        var now = Time.GetUtcNow();
        var type = typeof(ChecksTaken).FullName!;
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({LockSpace}, 0) AS \"Value\"").SingleAsync(ct)) return;
            // Sent by another replica within the interval? The outbox keeps its rows, so this is a range of its
            // time-ordered primary key, not a scan of everything the service ever sent.
            var since = SequentialGuid.Floor(now - Interval * 0.9);
            if (await db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT 1 FROM outbox_messages WHERE id > {since} AND type = {type}) AS \"Value\"")
                    .SingleAsync(ct)) return;
            var outcomes = new List<CheckOutcome>(checks.Count);
            foreach (var check in checks) outcomes.Add(await TakeAsync(check, services, now, ct));
            db.AddIntegrationEvent(new ChecksTaken(Guid.CreateVersion7(now), options.Service, now, Interval, outcomes));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
        return 0;
    }

    private async Task<CheckOutcome> TakeAsync(OperationsCheck check, IServiceProvider services, DateTimeOffset now, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        CheckFinding finding;
        try
        {
            finding = await check.Run(services, now, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(ex, "Operations check {Check} failed", check.Key);
            finding = new CheckFinding(0, CheckStatus.Failing, $"The check itself failed: {ex.GetBaseException().Message}");
        }
        log.LogDebug("Operations check {Check}: {Count} ({Status}) in {Ms} ms", check.Key, finding.Count, finding.Status, clock.ElapsedMilliseconds);
        return new CheckOutcome(check.Key, check.Cadence.ToString().ToLowerInvariant(), check.Title, finding.Status.ToString().ToLowerInvariant(),
            finding.Count, check.Link, finding.Detail);
    }
}
