using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Analytics;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Apis;

public sealed record RebuildDto(Guid Id, string RequestedBy, DateTimeOffset RequestedAt, int Pages, long Entries, DateTimeOffset? CompletedAt)
{
    public static RebuildDto From(ReadModelRebuild r) => new(r.Id, r.RequestedBy, r.RequestedAt, r.Pages, r.Entries, r.CompletedAt);
}

public static class OperationsApi
{
    public static IEndpointRouteBuilder MapOperationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics/operations/rebuilds").WithTags("Operations").RequireAuthorization(Permissions.OperationsManage);
        api.MapPost("/", StartRebuild).WithName("StartReadModelRebuild")
            .WithSummary("Empty the enrolment read model and fold enrolment's whole ledger again (a job; reports fill up as it runs)");
        api.MapGet("/{id:guid}", GetRebuild).WithName("GetReadModelRebuild").WithSummary("A rebuild's progress: pages and entries folded, and when it finished");
        return app;
    }

    /// <summary>
    /// One transaction: the ledger copy and its ranges are emptied, the rebuild recorded and enrolment asked (through the
    /// outbox) to send its ledger again. Live events keep arriving meanwhile; they and the replay are folded by entry
    /// number, so their order does not matter. One rebuild at a time.
    /// </summary>
    public static async Task<Results<Accepted<RebuildDto>, ProblemHttpResult>> StartRebuild(HttpContext http, AnalyticsDbContext db, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var strategy = db.Database.CreateExecutionStrategy();
        var rebuild = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("LOCK TABLE read_model_rebuilds IN EXCLUSIVE MODE", ct);
            if (await db.Rebuilds.AnyAsync(r => r.CompletedAt == null, ct)) return null;
            await db.Database.ExecuteSqlRawAsync("TRUNCATE ledger_events, enrolment_states", ct);
            var started = new ReadModelRebuild { Id = Guid.CreateVersion7(now), RequestedBy = Caller.NameOf(http.User), RequestedAt = now };
            db.Rebuilds.Add(started);
            db.OutboxMessages.Add(OutboxMessageFactory.Create(new LedgerReplayRequested(started.Id, started.RequestedBy, now), now));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return started;
        });
        return rebuild is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A rebuild is running", detail: "Wait for it to finish before starting another.")
            : TypedResults.Accepted($"/api/analytics/operations/rebuilds/{rebuild.Id}", RebuildDto.From(rebuild));
    }

    public static async Task<Results<Ok<RebuildDto>, NotFound>> GetRebuild(Guid id, AnalyticsDbContext db, CancellationToken ct) =>
        await db.Rebuilds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r ? TypedResults.Ok(RebuildDto.From(r)) : TypedResults.NotFound();
}
