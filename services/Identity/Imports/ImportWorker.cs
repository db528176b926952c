using System.Text.Json;
using System.Threading.Channels;
using LmsPlatform.Contracts.Identity;
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
            var existing = await db.Users.AsNoTracking().Select(u => new ExistingUser(u.Id, u.ExternalId, u.NormalizedEmail!, u.Email!, u.GivenName,
                u.FamilyName, u.JobTitle, u.Location, u.HireDate, u.ManagerId, u.OrgUnitId, u.Status)).ToListAsync(ct);
            var units = await db.OrgUnits.AsNoTracking().Where(o => o.Active && o.ExternalId != null).ToDictionaryAsync(o => o.ExternalId!, o => o.Id, ct);
            userPlan = UserImportPlanner.Plan(csv, existing, units, job.DeactivateMissing, now);
            (changes, errors, deactivationPercent) = (userPlan.Changes, userPlan.Errors, userPlan.DeactivationPercent);
        }
        else
        {
            var existing = await db.OrgUnits.AsNoTracking().Select(o => new ExistingOrgUnit(o.Id, o.ExternalId, o.Name, o.ParentId, o.Active)).ToListAsync(ct);
            unitPlan = OrgUnitImportPlanner.Plan(csv, existing, job.DeactivateMissing, now);
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
                var user = User.New(row.Email, row.GivenName, row.FamilyName, now);
                user.Id = change.Id;
                Fill(user, row, plan.References[change.Id]);
                var profile = user.Profile();
                write.Created.Add(user);
                write.Events.Add(OutboxMessageFactory.Create(new UserCreated(user.Id, user.Email!, user.GivenName, user.FamilyName, user.ExternalId, now) { Profile = profile }, now));
                write.Audit.Add(AuditExtensions.Entry(actor, "user.created", "user", user.Id, null, profile, now));
                continue;
            }
            if (!current.TryGetValue(change.Id, out var existing)) continue;
            var expectedStamp = existing.ConcurrencyStamp;
            var before = existing.Profile();
            if (plan.Rows.TryGetValue(change.Id, out var r))
            {
                if (!string.Equals(existing.Email, r.Email, StringComparison.Ordinal)) existing.WithEmail(r.Email, now);
                existing.GivenName = r.GivenName;
                existing.FamilyName = r.FamilyName;
                Fill(existing, r, plan.References[change.Id]);
            }
            else existing.Status = UserStatus.Deactivated; // missing from a full extract
            var after = existing.Profile();
            var changed = User.Changes(before, after);
            if (changed.Count == 0) continue;
            existing.Touch(now);
            write.Changed.Add((existing, expectedStamp));
            write.Events.Add(OutboxMessageFactory.Create(new UserUpdated(existing.Id, changed, after, now), now));
            if (before.Status != after.Status)
            {
                if (existing.Status == UserStatus.Active) write.Events.Add(OutboxMessageFactory.Create(new UserReactivated(existing.Id, now), now));
                else
                {
                    existing.SecurityStamp = Guid.NewGuid().ToString("N");
                    write.Events.Add(OutboxMessageFactory.Create(new UserDeactivated(existing.Id, r is null ? "missing from HR import" : "HR import", now), now));
                }
            }
            write.Audit.Add(AuditExtensions.Entry(actor, "user.updated", "user", existing.Id, before, after, now));
        }
        var built = clock.ElapsedMilliseconds;
        await BulkWriter.SaveAsync(db, write, ct);
        outboxSignal.Notify();
        logger.LogDebug("Import {JobId}: batch of {Count} built in {Built} ms, saved in {Saved} ms", jobId, batch.Length, built, clock.ElapsedMilliseconds - built);
    }

    private static void Fill(User user, UserRow row, (Guid? ManagerId, Guid? OrgUnitId) references)
    {
        user.SetHrAttributes(row.ExternalId, row.JobTitle, row.Location, row.HireDate, references.ManagerId, references.OrgUnitId);
        if (row.Status is { } status) user.Status = status;
    }

    private async Task ApplyOrgUnitsAsync(Guid jobId, OrgUnitPlan plan, Actor actor, CancellationToken ct)
    {
        // Org units are few (thousands at most): the whole tree is loaded, changed and saved in one transaction, and
        // every path is recomputed from the parent links.
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = time.GetUtcNow();
        var units = await db.OrgUnits.ToDictionaryAsync(o => o.Id, ct);
        var before = units.Values.ToDictionary(o => o.Id, o => (o.Name, o.ParentId, o.Active, o.Path));
        foreach (var change in plan.Changes.Where(c => c.Kind != ChangeKind.Unchanged))
        {
            var (name, externalId, parentId, active) = plan.Targets[change.Id];
            if (!units.TryGetValue(change.Id, out var unit))
            {
                unit = new OrgUnit { Id = change.Id, Name = name, ExternalId = externalId, Path = "", CreatedAt = now };
                units[unit.Id] = unit;
                db.OrgUnits.Add(unit);
            }
            unit.Name = name;
            unit.ParentId = parentId;
            unit.Active = active;
            unit.UpdatedAt = now;
        }
        string PathOf(OrgUnit u) => u.ParentId is { } p && units.TryGetValue(p, out var parent) ? PathOf(parent) + u.Id.ToString("N") + "/" : "/" + u.Id.ToString("N") + "/";
        foreach (var unit in units.Values) unit.Path = PathOf(unit);
        foreach (var unit in units.Values)
        {
            if (!before.TryGetValue(unit.Id, out var old))
            {
                db.AddIntegrationEvent(new OrgUnitCreated(unit.Id, unit.Name, unit.ExternalId, unit.ParentId, now));
                db.Audit(actor, "orgunit.created", "orgunit", unit.Id, null, new { unit.Name, unit.ExternalId, unit.ParentId, unit.Active }, now);
                continue;
            }
            var changed = new List<string>();
            if (old.Name != unit.Name) changed.Add("name");
            if (old.ParentId != unit.ParentId || old.Path != unit.Path) changed.Add("parentId");
            if (old.Active != unit.Active) changed.Add("active");
            if (changed.Count == 0) continue;
            db.AddIntegrationEvent(new OrgUnitChanged(unit.Id, changed, unit.Name, unit.ParentId, unit.PathIds(), unit.Active, now));
            db.Audit(actor, "orgunit.updated", "orgunit", unit.Id, new { old.Name, old.ParentId, old.Active }, new { unit.Name, unit.ParentId, unit.Active }, now);
        }
        await db.SaveChangesAsync(ct);
        await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s.SetProperty(j => j.ProcessedRows, plan.Changes.Count), ct);
    }

    private async Task FinishAsync(Guid jobId, ImportStatus status, string message, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        var now = time.GetUtcNow();
        await db.ImportJobs.Where(j => j.Id == jobId).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status).SetProperty(j => j.Message, message)
            .SetProperty(j => j.CompletedAt, now).SetProperty(j => j.HeartbeatAt, now), ct);
    }
}
