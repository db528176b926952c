using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Analytics;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LmsPlatform.Analytics.Apis;

/// <summary>One source's part of a rebuild: pages and records folded, and whether its last page and every one before it are in.</summary>
public sealed record RebuildSourceDto(string Source, int Pages, long Records, int? LastPage, bool Complete);

/// <summary>A rebuild's progress: every source (<see cref="LmsPlatform.Contracts.ReplaySources"/>) with what has been folded of it.</summary>
public sealed record RebuildDto(Guid Id, string RequestedBy, DateTimeOffset RequestedAt, int Pages, long Records, IReadOnlyList<RebuildSourceDto> Sources,
    DateTimeOffset? CompletedAt, DateTimeOffset? AbandonedAt, string? AbandonedBy)
{
    public static RebuildDto From(ReadModelRebuild r) => new(r.Id, r.RequestedBy, r.RequestedAt, r.Pages, r.Records,
        [.. LmsPlatform.Contracts.ReplaySources.All.Select(name => r.Sources.FirstOrDefault(s => s.Source == name) is { } s
            ? new RebuildSourceDto(name, s.Pages, s.Records, s.LastPage, s.Complete) : new RebuildSourceDto(name, 0, 0, null, false))],
        r.CompletedAt, r.AbandonedAt, r.AbandonedBy);
}

public sealed record CockpitDto(DateTimeOffset Now, IReadOnlyList<CockpitCheck> Checks);

public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics/operations/rebuilds").WithTags("Operations").RequireAuthorization(Permissions.OperationsManage);
        api.MapPost("/", StartRebuild).WithName("StartReadModelRebuild")
            .WithSummary("Empty the read model's copies and have identity, catalogue, enrolment and notification send their records again (a job; reports fill up as it runs)");
        api.MapPost("/{id:guid}/abandon", AbandonRebuild).WithName("AbandonReadModelRebuild")
            .WithSummary("Give up a rebuild that will not finish (its last page lost), so that another can start; the read model stays as far as it got");
        api.MapGet("/", ListRebuilds).WithName("ListReadModelRebuilds").WithSummary("The last ten rebuilds, the latest first, each with its progress");
        api.MapGet("/{id:guid}", GetRebuild).WithName("GetReadModelRebuild").WithSummary("A rebuild's progress: each source's pages and records folded, and when it finished");
        app.MapGet("/api/analytics/operations/checks", GetChecks).WithTags("Operations").RequireAuthorization(Permissions.OperationsManage)
            .WithName("GetOperationsChecks")
            .WithSummary("The operations cockpit: every service's daily, weekly and monthly checks, latest outcome first, with their history");
        return app;
    }

    public static async Task<Ok<CockpitDto>> GetChecks(AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(new CockpitDto(now, await Cockpit.ReadAsync(db, now, ct)));
    }

    /// <summary>
    /// The tables a rebuild empties and the replay fills again, source by source (<see cref="LmsPlatform.Contracts.ReplaySources"/>).
    /// Not emptied:
    /// <list type="bullet">
    /// <item>the people's copies: identity never deletes a person, so the replay reaches every copy, and the copies must
    /// stay known for their moves to be logged meanwhile;</item>
    /// <item>the org tree: a unit carries no time to order a replayed page against live changes arriving on two queues, so
    /// the replay only adds the units missing;</item>
    /// <item>the sign-ins and the email outcomes: their sources' logs began with this version (before, identity kept each
    /// person's last sign-in, and notification no time of a failure), so only analytics holds the earlier history. The
    /// replay adds the sign-ins missing (each is kept once) and mends each email's outcome (the latest wins).</item>
    /// <item>the moves and status changes: each is kept once per person and moment, so the replay of identity's audit
    /// trail adds those missing, and the statuses of those logged before statuses were.</item>
    /// </list>
    /// </summary>
    public static readonly IReadOnlyList<string> Rebuilt =
        ["ledger_events", "enrolment_states", "certification_facts", "audience_changes", "roles_held", "import_runs", "item_facts"];

    private static readonly string TruncateRebuilt = "TRUNCATE " + string.Join(", ", Rebuilt);

    /// <summary>
    /// One transaction: what analytics copies from other services is emptied (<see cref="Rebuilt"/>), the rebuild recorded
    /// and every service asked (through the outbox) to send its records again. Live events keep arriving meanwhile; they
    /// and the replay are applied by the same rules (ledger entries by number, people and items by time and version), so
    /// their order does not matter. One rebuild at a time.
    /// </summary>
    public static async Task<Results<Accepted<RebuildDto>, ProblemHttpResult>> StartRebuild(HttpContext http, AnalyticsDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        var (rebuild, busy) = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE read_model_rebuilds IN EXCLUSIVE MODE", ct);
            if (await db.Rebuilds.AnyAsync(r => r.CompletedAt == null && r.AbandonedAt == null, ct)) return (null, "A rebuild is running");
            // Emptying waits for readers (a long export) to finish; not for ever, while the next reports queue behind it.
            await db.Database.ExecuteSqlRawAsync("SET LOCAL lock_timeout = '10s'", ct);
            try
            {
                await db.Database.ExecuteSqlRawAsync(TruncateRebuilt, ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return (null, "The read model is being read (a long export, say) and could not be emptied within 10 s");
            }
            var started = new ReadModelRebuild { Id = Guid.CreateVersion7(now), RequestedBy = Caller.NameOf(http.User), RequestedAt = now };
            db.Rebuilds.Add(started);
            db.OutboxMessages.Add(OutboxMessageFactory.Create(new ReplayRequested(started.Id, started.RequestedBy, now), now));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return ((ReadModelRebuild?)started, (string?)null);
        });
        return rebuild is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: busy, detail: "Wait for it to finish, or abandon it, before starting another.")
            : TypedResults.Accepted($"/api/analytics/operations/rebuilds/{rebuild.Id}", RebuildDto.From(rebuild));
    }

    /// <summary>
    /// Gives a rebuild up. Its pages still on the way are folded when they come (they are ledger entries like any other);
    /// the read model is as complete as the pages folded, so the next step is a new rebuild.
    /// </summary>
    public static async Task<Results<Ok<RebuildDto>, NotFound, ProblemHttpResult>> AbandonRebuild(Guid id, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        if (await db.Rebuilds.FirstOrDefaultAsync(r => r.Id == id, ct) is not { } rebuild) return TypedResults.NotFound();
        if (!rebuild.Abandon(Caller.NameOf(http.User), time.GetUtcNow()))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The rebuild has already finished",
                detail: rebuild.CompletedAt is null ? "It was abandoned before." : "It completed; there is nothing to abandon.");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(RebuildDto.From(rebuild));
    }

    public static async Task<Ok<RebuildDto[]>> ListRebuilds(AnalyticsDbContext db, CancellationToken ct) =>
        TypedResults.Ok((await db.Rebuilds.AsNoTracking().OrderByDescending(r => r.RequestedAt).Take(10).ToListAsync(ct)).Select(RebuildDto.From).ToArray());

    public static async Task<Results<Ok<RebuildDto>, NotFound>> GetRebuild(Guid id, AnalyticsDbContext db, CancellationToken ct) =>
        await db.Rebuilds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r ? TypedResults.Ok(RebuildDto.From(r)) : TypedResults.NotFound();
}
