using LmsPlatform.ServiceDefaults.Csv;
using System.Text.Json;
using System.Threading.Channels;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Identity.Imports;

public sealed class ImportOptions
{
    /// <summary>An import that would deactivate more than this share of active HR-managed users is refused unless confirmed.</summary>
    public double MaxDeactivationPercent { get; set; } = 10;
    public int BatchSize { get; set; } = 2000;
    public long MaxFileBytes { get; set; } = 100 * 1024 * 1024;
}

/// <summary>Wakes the worker when a job is queued, so it does not wait for its next poll.</summary>
public sealed class ImportSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    public void Notify() => _channel.Writer.TryWrite(true);
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try { await _channel.Reader.ReadAsync(cts.Token); } catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
    }
}

/// <summary>
/// Runs import jobs in the background: plans queued jobs (the dry run) and applies the ones an administrator asked to
/// apply. Jobs are claimed with FOR UPDATE SKIP LOCKED, so replicas share the work. The worker running a job writes a
/// heartbeat every <see cref="HeartbeatEvery"/>; a job whose worker died (no heartbeat for <see cref="StaleAfter"/>)
/// is taken up again by the next poll of any replica, the restarted one included, and because apply re-plans against
/// the database, rows already applied are simply unchanged the second time.
/// </summary>
public sealed class ImportWorker(IServiceProvider services, ImportSignal signal, OutboxSignal outboxSignal, IOptions<ImportOptions> options, TimeProvider time,
    LoopHeartbeats heartbeats, ILogger<ImportWorker> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollEvery = TimeSpan.FromSeconds(5);

    private sealed record Claimed(Guid Id, string Status);

    private const string Loop = "import-worker";
    /// <summary>The worker polls every few seconds and beats while a job runs, so this much silence means it is wedged.</summary>
    private static readonly TimeSpan MaxSilence = TimeSpan.FromMinutes(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopped = stoppingToken.Register(() => heartbeats.Stopped(Loop));
        while (!stoppingToken.IsCancellationRequested)
        {
            heartbeats.Beat(Loop, MaxSilence);
            try
            {
                while (await ClaimAsync(stoppingToken) is { } job)
                {
                    using var beating = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    var heartbeat = HeartbeatAsync(job.Id, beating.Token);
                    try
                    {
                        await PlanAsync(job.Id, apply: job.Status == nameof(ImportStatus.Applying), stoppingToken);
                    }
                    catch (Exception ex) when (TransientFailures.IsTransient(ex) && !stoppingToken.IsCancellationRequested)
                    {
                        // The database went away mid-job: the job is not failed but left to be taken up again (by
                        // any worker, this one included) once its heartbeat is stale and the database answers.
                        logger.LogWarning("Import {JobId} interrupted ({Reason}); it resumes once the database answers", job.Id, ex.GetBaseException().Message);
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogError(ex, "Import {JobId} failed", job.Id);
                        await FinishAsync(job.Id, ImportStatus.Failed, "The import failed: " + ex.Message, stoppingToken);
                    }
                    finally
                    {
                        await beating.CancelAsync();
                        await heartbeat;
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (TransientFailures.IsTransient(ex)) logger.LogWarning("Import worker could not claim a job ({Reason}); retrying", ex.GetBaseException().Message);
                else logger.LogWarning(ex, "Import worker could not claim a job; retrying");
            }
            await signal.WaitAsync(PollEvery, stoppingToken);
        }
    }

    /// <summary>Marks the job as alive while this worker runs it, so no other worker takes it up.</summary>
    private async Task HeartbeatAsync(Guid jobId, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HeartbeatEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await using var scope = services.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
                    var now = time.GetUtcNow();
                    heartbeats.Beat(Loop, MaxSilence);
                    await db.ImportJobs.Where(j => j.Id == jobId && (j.Status == ImportStatus.Planning || j.Status == ImportStatus.Applying))
                        .ExecuteUpdateAsync(s => s.SetProperty(j => j.HeartbeatAt, now), ct);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    logger.LogDebug(ex, "Import {JobId}: heartbeat not written", jobId);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task<Claimed?> ClaimAsync(CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = time.GetUtcNow();
        var stale = now - StaleAfter;
        var claimed = await db.Database.SqlQuery<Claimed>($"""
            WITH next AS (
                SELECT "Id", "Status" FROM import_jobs
                WHERE "Status" IN ('Queued', 'ApplyRequested') OR ("Status" IN ('Planning', 'Applying') AND "HeartbeatAt" < {stale})
                ORDER BY "CreatedAt" LIMIT 1 FOR UPDATE SKIP LOCKED)
            UPDATE import_jobs j
            SET "Status" = CASE WHEN next."Status" IN ('Queued', 'Planning') THEN 'Planning' ELSE 'Applying' END, "HeartbeatAt" = {now}
            FROM next WHERE j."Id" = next."Id"
            RETURNING j."Id" AS "Id", j."Status" AS "Status"
            """).ToListAsync(ct);
        return claimed.FirstOrDefault();
    }

    private async Task PlanAsync(Guid jobId, bool apply, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var job = await db.ImportJobs.FirstAsync(j => j.Id == jobId, ct);
        var now = time.GetUtcNow();
        var (aliases, required) = job.Kind == ImportKind.Users
            ? (UserImportPlanner.Aliases, UserImportPlanner.Required)
            : (OrgUnitImportPlanner.Aliases, OrgUnitImportPlanner.Required);
        var csv = CsvFile.Read(job.Content, aliases, required);
        if (csv.FileError is not null)
        {
            await FinishAsync(jobId, ImportStatus.Failed, csv.FileError, ct);
            return;
        }

        IReadOnlyList<PlannedChange> changes;
        IReadOnlyList<RowError> errors;
        double deactivationPercent;
        ImportPlan? userPlan = null;
        OrgUnitPlan? unitPlan = null;
        if (job.Kind == ImportKind.Users)
        {
            var existing = await db.Users.AsNoTracking().Select(u => new ExistingUser(u.Id, u.ExternalId, u.NormalizedEmail, u.Email, u.GivenName,
                u.FamilyName, u.JobTitle, u.Location, u.HireDate, u.ManagerId, u.OrgUnitId, u.Status)).ToListAsync(ct);
            var units = await db.OrgUnits.AsNoTracking().Where(o => o.Active && o.ExternalId != null).ToDictionaryAsync(o => o.ExternalId!, o => o.Id, ct);
            userPlan = UserImportPlanner.Plan(csv, existing, units, job.DeactivateMissing, now);
            (changes, errors, deactivationPercent) = (userPlan.Changes, userPlan.Errors, userPlan.DeactivationPercent);
        }
        else
        {
            var existing = await db.OrgUnits.AsNoTracking().Select(o => new ExistingOrgUnit(o.Id, o.ExternalId, o.Name, o.ParentId, o.Active)).ToListAsync(ct);
            var withActiveMembers = (await db.Users.Where(u => u.Status == UserStatus.Active && u.OrgUnitId != null)
                .Select(u => u.OrgUnitId!.Value).Distinct().ToListAsync(ct)).ToHashSet();
            unitPlan = OrgUnitImportPlanner.Plan(csv, existing, withActiveMembers, job.DeactivateMissing, now);
            (changes, errors, deactivationPercent) = (unitPlan.Changes, unitPlan.Errors, unitPlan.DeactivationPercent);
        }

        var plannedIn = clock.Elapsed.TotalSeconds;
        job.TotalRows = csv.Rows.Count + csv.Errors.Select(e => e.Row).Distinct().Count();
        job.ErrorRows = errors.Select(e => e.Row).Distinct().Count();
        job.ToCreate = changes.Count(c => c.Kind == ChangeKind.Create);
        job.ToUpdate = changes.Count(c => c.Kind is ChangeKind.Update or ChangeKind.Reactivate);
        job.ToMove = changes.Count(c => c.Kind == ChangeKind.Move);
        job.ToDeactivate = changes.Count(c => c.Kind == ChangeKind.Deactivate);
        job.Unchanged = changes.Count(c => c.Kind == ChangeKind.Unchanged);
        job.DeactivationPercent = Math.Round(deactivationPercent, 2);
        job.Preview = JsonSerializer.Serialize(changes.Where(c => c.Kind != ChangeKind.Unchanged).Take(200), Json);
        job.PlannedAt = now;
        job.HeartbeatAt = now;
        await db.ImportRowErrors.Where(e => e.JobId == jobId).ExecuteDeleteAsync(ct);
        db.ImportRowErrors.AddRange(errors.Select(e => new ImportRowError { JobId = jobId, Row = e.Row, Column = e.Column, Reason = e.Reason }));

        var max = options.Value.MaxDeactivationPercent;
        if (!apply || deactivationPercent > max && !job.ConfirmDeactivations)
        {
            job.Status = ImportStatus.Planned;
            job.Message = apply
                ? $"Not applied: it would deactivate {deactivationPercent:0.#}% of active HR-managed records, above the {max:0.#}% safety threshold. Apply again with confirmDeactivations=true if that is intended."
                : $"Dry run: {job.ToCreate} to create, {job.ToUpdate} to update, {job.ToMove} to move, {job.ToDeactivate} to deactivate, {job.Unchanged} unchanged, {job.ErrorRows} rows with errors.";
            if (apply)
            {
                job.RefusedAt = now;
                db.AddIntegrationEvent(Finished(job, "refused", now));
            }
            await db.SaveChangesAsync(ct);
            return;
        }

        job.StartedAt = now;
        job.ProcessedRows = 0;
        await db.SaveChangesAsync(ct);
        var actor = new Actor(job.CreatedById, job.CreatedByName + " (import " + job.FileName + ")", job.CreatedFromIp);
        if (userPlan is not null) await ApplyUsersAsync(jobId, userPlan, actor, ct);
        else await ApplyOrgUnitsAsync(jobId, unitPlan!, actor, ct);
        logger.LogInformation("Import {JobId}: {Rows} rows planned in {Planned:0.00} s and applied in {Applied:0.00} s",
            jobId, job.TotalRows, plannedIn, clock.Elapsed.TotalSeconds - plannedIn);
        await FinishAsync(jobId, ImportStatus.Completed,
            $"Applied: {job.ToCreate} created, {job.ToUpdate} updated, {job.ToMove} moved, {job.ToDeactivate} deactivated, {job.Unchanged} unchanged, {job.ErrorRows} rows with errors left out.", ct);
    }

    private async Task ApplyUsersAsync(Guid jobId, ImportPlan plan, Actor actor, CancellationToken ct)
    {
        var batchSize = options.Value.BatchSize;
        var work = plan.Changes.Where(c => c.Kind != ChangeKind.Unchanged).ToList();
        var done = plan.Changes.Count - work.Count;
        foreach (var batch in work.Chunk(batchSize))
        {
            // A user changed by someone else between this batch's read and its write fails the batch's stamp check;
            // the batch is then read and built again, so the other change is neither lost nor overwritten blindly.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ApplyUserBatchAsync(jobId, batch, plan, actor, ct);
                    break;
                }
                catch (DbUpdateConcurrencyException) when (attempt < 5)
                {
                    logger.LogInformation("Import {JobId}: a user in the batch changed meanwhile; the batch is applied again", jobId);
                }
            }
            done += batch.Length;
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var now = time.GetUtcNow();
            await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.ProcessedRows, done).SetProperty(j => j.HeartbeatAt, now), ct);
        }
    }

    /// <summary>
    /// One batch: new users, changed users, their events and audit entries, built in memory by the same User methods
    /// every other door uses and written by <see cref="BulkWriter"/> in one transaction.
    /// </summary>
    private async Task ApplyUserBatchAsync(Guid jobId, PlannedChange[] batch, ImportPlan plan, Actor actor, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = time.GetUtcNow();
        var ids = batch.Where(c => c.Kind != ChangeKind.Create).Select(c => c.Id).ToList();
        var current = ids.Count == 0 ? [] : await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        var write = new UserBatch();
        foreach (var change in batch)
        {
            if (change.Kind == ChangeKind.Create)
            {
                var row = plan.Rows[change.Id];
                var user = User.Register(InputOf(row, plan.References[change.Id]), actor, now, change.Id, row.Status ?? UserStatus.Active);
                write.Created.Add(user);
                write.Take(user, now);
                continue;
            }
            if (!current.TryGetValue(change.Id, out var existing)) continue;
            var expectedStamp = existing.ConcurrencyStamp;
            var changed = plan.Rows.TryGetValue(change.Id, out var r)
                ? existing.Change(InputOf(r, plan.References[change.Id]), actor, now, r.Status, "HR import")
                : existing.SetStatus(UserStatus.Deactivated, "missing from HR import", actor, now); // missing from a full extract
            if (!changed) continue;
            write.Changed.Add((existing, expectedStamp));
            write.Take(existing, now);
        }
        var built = clock.ElapsedMilliseconds;
        await BulkWriter.SaveAsync(db, write, ct);
        outboxSignal.Notify();
        logger.LogDebug("Import {JobId}: batch of {Count} built in {Built} ms, saved in {Saved} ms", jobId, batch.Length, built, clock.ElapsedMilliseconds - built);
    }

    private static UserInput InputOf(UserRow row, (Guid? ManagerId, Guid? OrgUnitId) references) =>
        new(row.Email, row.GivenName, row.FamilyName, row.ExternalId, row.JobTitle, row.Location, row.HireDate, references.ManagerId, references.OrgUnitId);

    /// <summary>
    /// Applies an org-unit plan through <see cref="OrgUnitService"/>, the same rules and events as the admin API and SCIM,
    /// in one transaction: parents before children (so a move never meets a half-moved tree), deactivations from the
    /// leaves up, each change saved before the next so that its checks see the ones before it. Org units are few
    /// (thousands at most). A rule broken here (the planner checks them first) fails the job and changes nothing.
    /// </summary>
    private async Task ApplyOrgUnitsAsync(Guid jobId, OrgUnitPlan plan, Actor actor, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var units = scope.ServiceProvider.GetRequiredService<OrgUnitService>();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var parents = await db.OrgUnits.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.ParentId, ct);
            foreach (var (id, target) in plan.Targets) parents[id] = target.ParentId;
            int Depth(Guid id) => parents.GetValueOrDefault(id) is { } parent && parent != id ? 1 + Depth(parent) : 0;
            var work = plan.Changes.Where(c => c.Kind != ChangeKind.Unchanged).Select(c => c.Id).Distinct()
                .Select(id => (Id: id, Target: plan.Targets[id], Depth: Depth(id))).ToList();

            foreach (var (id, (name, externalId, parentId, active), _) in work.OrderBy(w => w.Depth))
            {
                if (await db.OrgUnits.FirstOrDefaultAsync(o => o.Id == id, ct) is not { } unit)
                    await units.CreateAsync(name, externalId, parentId, actor, ct, id);
                else
                {
                    await units.UpdateAsync(unit, name, externalId, parentId, actor, ct);
                    if (active) await units.ReactivateAsync(unit, actor, ct);
                }
                await units.SaveAsync(ct);
            }
            foreach (var (id, _, _) in work.Where(w => !w.Target.Active).OrderByDescending(w => w.Depth))
            {
                await units.DeactivateAsync(await db.OrgUnits.FirstAsync(o => o.Id == id, ct), actor, ct);
                await units.SaveAsync(ct);
            }
            await transaction.CommitAsync(ct);
        });
        await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.ProcessedRows, plan.Changes.Count), ct);
    }

    /// <summary>Ends the job, and announces it (<see cref="ImportFinished"/>) through the outbox in the same transaction.</summary>
    private async Task FinishAsync(Guid jobId, ImportStatus status, string message, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = time.GetUtcNow();
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Status, status).SetProperty(j => j.Message, message)
                .SetProperty(j => j.CompletedAt, now).SetProperty(j => j.HeartbeatAt, now), ct);
            // The job's figures without its file (which may be megabytes).
            var job = await db.ImportJobs.AsNoTracking().Where(j => j.Id == jobId).Select(ImportJob.WithoutFile).FirstAsync(ct);
            db.AddIntegrationEvent(Finished(job, Outcome(status), now));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        });
    }

    /// <summary>How a job that ended is announced: applied when it completed, else failed.</summary>
    public static string Outcome(ImportStatus ended) => ended == ImportStatus.Completed ? "applied" : "failed";

    /// <summary>An import's end as announced; its figures are the plan's, and only an applied import changed anything.</summary>
    public static ImportFinished Finished(ImportJob job, string outcome, DateTimeOffset at) =>
        new(job.Id, job.Kind == ImportKind.Users ? "users" : "orgUnits", outcome, job.FileName, job.TotalRows, job.ErrorRows,
            outcome == "applied" ? job.ToCreate : 0, outcome == "applied" ? job.ToUpdate : 0, outcome == "applied" ? job.ToMove : 0,
            outcome == "applied" ? job.ToDeactivate : 0, job.Unchanged, job.Message, job.CreatedByName, at);
}
