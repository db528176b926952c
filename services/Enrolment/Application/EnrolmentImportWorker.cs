using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>A job claimed by <see cref="EnrolmentImportWorker"/>: its id and what it is to do (Planning or Applying).</summary>
public sealed record ClaimedImport(Guid Id, string Status);

/// <summary>
/// Runs enrolment imports in the background: plans queued ones (the dry run) and applies those an administrator asked
/// to apply. Replicas share the work: a job is claimed with FOR UPDATE SKIP LOCKED, and one whose worker went silent
/// (no chunk for <see cref="StaleAfter"/>) is taken up again, carrying on after its last committed chunk.
/// </summary>
public sealed class EnrolmentImportWorker(IServiceProvider services, ILogger<EnrolmentImportWorker> logger) : BackgroundService
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await ClaimAsync(stoppingToken) is { } job) await RunAsync(job, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Enrolment import worker: {Reason}; retrying", ex.GetBaseException().Message);
            }
            await Task.Delay(PollEvery, stoppingToken);
        }
    }

    private async Task<ClaimedImport?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EnrolmentDbContext>();
        var stale = DateTimeOffset.UtcNow - StaleAfter;
        return (await db.Database.SqlQuery<ClaimedImport>($"""
            UPDATE enrolment_imports SET "Status" = CASE WHEN "Status" IN ('Queued', 'Planning') THEN 'Planning' ELSE 'Applying' END, "HeartbeatAt" = now()
            WHERE "Id" = (SELECT "Id" FROM enrolment_imports
                          WHERE "Status" IN ('Queued', 'ApplyRequested') OR ("Status" IN ('Planning', 'Applying') AND "HeartbeatAt" < {stale})
                          ORDER BY "CreatedAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING "Id", "Status"
            """).ToListAsync(ct)).SingleOrDefault();
    }

    private async Task RunAsync(ClaimedImport job, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var imports = scope.ServiceProvider.GetRequiredService<EnrolmentImports>();
        try
        {
            if (job.Status == nameof(EnrolmentImportStatus.Planning)) await imports.PlanAsync(job.Id, ct);
            else await imports.ApplyAsync(job.Id, ct);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex) || ct.IsCancellationRequested)
        {
            // Left as it is: taken up again once its heartbeat is stale, after its last committed chunk.
            logger.LogWarning("Enrolment import {JobId} interrupted ({Reason}); it resumes later", job.Id, ex.GetBaseException().Message);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Enrolment import {JobId} failed", job.Id);
            await using var failing = services.CreateAsyncScope();
            var db = failing.ServiceProvider.GetRequiredService<EnrolmentDbContext>();
            await db.EnrolmentImports.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, EnrolmentImportStatus.Failed).SetProperty(j => j.Message, "The import failed: " + ex.Message)
                .SetProperty(j => j.CompletedAt, DateTimeOffset.UtcNow), ct);
        }
    }
}
