using System.Data;
using System.Text.Json;
using LmsPlatform.Analytics.Apis;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// The lists that can be prepared as files in the background (ADR 0025), each read by the same query as its page and its
/// streamed download: "overdue" (<see cref="Reports.Overdue"/>) and "expiring" (<see cref="Reports.Expiring"/>).
/// </summary>
public static class ExportJobs
{
    public static readonly IReadOnlyList<string> Lists = ["overdue", "expiring"];

    /// <summary>How often a running job's progress is written (and its lease renewed).</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long a replica holds a running job without a word before another may take it again.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>A job that failed this many times (its replica died each time) is failed for good.</summary>
    public const int MaxAttempts = 3;

    public static ExportJob Create(Guid ownerId, string report, string? format, ReportQuery query, int? within, ReportScope scope, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        OwnerId = ownerId,
        Report = report,
        Format = string.Equals(format, "xlsx", StringComparison.OrdinalIgnoreCase) ? "xlsx" : "csv",
        // A list about now is about the moment it was asked for.
        Query = JsonSerializer.Serialize(query with { AsOf = query.AsOf ?? now }, JsonSerializerOptions.Web),
        Within = report == "expiring" ? within ?? 30 : null,
        Scope = JsonSerializer.Serialize(scope, JsonSerializerOptions.Web),
        CreatedAt = now,
        ExpiresAt = now + ExportJob.Lifetime,
    };

    /// <summary>
    /// Writes the job's file: its rows counted, then read a row at a time into a temporary file (progress written every
    /// second on the side), then copied into the database as a stream. Memory stays flat whatever the size.
    /// </summary>
    public static async Task RunAsync(ExportJob job, AnalyticsDbContext db, Func<long, long?, CancellationToken, Task> progress, CancellationToken ct)
    {
        var query = JsonSerializer.Deserialize<ReportQuery>(job.Query, JsonSerializerOptions.Web)!;
        var scope = JsonSerializer.Deserialize<ScopeJson>(job.Scope, JsonSerializerOptions.Web)!.ToScope();
        var data = await Reports.OpenAsync(db, scope, query.ToFilter(job.CreatedAt), ct);
        var name = job.Report == "overdue" ? "overdue" : $"certifications-expiring-within-{job.Within}-days";
        var fileName = $"{name}-as-of-{data.AsOf.UtcDateTime:yyyyMMdd-HHmmss}.{job.Format}";
        var path = Path.Combine(Path.GetTempPath(), $"lms-export-{job.Id:N}.{job.Format}");
        try
        {
            if (job.Report == "overdue")
            {
                var rows = Reports.Overdue(db, data.Source, data.AsOf);
                await WriteAsync(db, path, job.Format, name, rows, await rows.LongCountAsync(ct), progress, ct);
            }
            else
            {
                var rows = Reports.Expiring(db, data.Source, data.AsOf, job.Within ?? 30);
                await WriteAsync(db, path, job.Format, name, rows, await rows.LongCountAsync(ct), progress, ct);
            }
            var size = new FileInfo(path).Length;
            await StoreAsync(db, job.Id, path, ct);
            (job.FileName, job.Size) = (fileName, size);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The file into the database in parts, a part at a time (a run taken again replaces what an earlier one left).</summary>
    private static async Task StoreAsync(AnalyticsDbContext db, Guid jobId, string path, CancellationToken ct)
    {
        await db.ExportFiles.Where(f => f.JobId == jobId).ExecuteDeleteAsync(ct);
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var buffer = new byte[ExportFile.PartSize];
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        for (var part = 0; ; part++)
        {
            var read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            if (read == 0) break;
            await using var insert = new NpgsqlCommand("""INSERT INTO export_files ("JobId", "Part", "Content") VALUES ($1, $2, $3)""", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = jobId });
            insert.Parameters.Add(new NpgsqlParameter { Value = part });
            insert.Parameters.Add(new NpgsqlParameter { Value = new ArraySegment<byte>(buffer, 0, read), NpgsqlDbType = NpgsqlDbType.Bytea });
            await insert.ExecuteNonQueryAsync(ct);
            if (read < buffer.Length) break;
        }
    }

    private static async Task WriteAsync<T>(AnalyticsDbContext db, string path, string format, string sheet, IQueryable<T> rows, long total,
        Func<long, long?, CancellationToken, Task> progress, CancellationToken ct)
    {
        await progress(0, total, ct);
        var counted = Counting(rows.AsAsyncEnumerable(), total, progress, ct);
        await db.StreamAsync(async token =>
        {
            if (format == "xlsx") await XlsxFile.SaveAsync(path, sheet, counted, token);
            else
            {
                await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
                await CsvFile.WriteAsync(file, counted, token);
            }
        }, ct);
    }

    /// <summary>The rows as they pass, with the count written to the job every <see cref="ProgressEvery"/>.</summary>
    private static async IAsyncEnumerable<T> Counting<T>(IAsyncEnumerable<T> rows, long total, Func<long, long?, CancellationToken, Task> progress,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        long written = 0;
        var last = DateTimeOffset.UtcNow;
        await foreach (var row in rows.WithCancellation(ct))
        {
            yield return row;
            written++;
            if (DateTimeOffset.UtcNow - last >= ProgressEvery)
            {
                await progress(written, total, ct);
                last = DateTimeOffset.UtcNow;
            }
        }
        await progress(written, total, ct);
    }

    /// <summary>The report scope as kept with a job (the record's collections as lists, for the JSON round trip).</summary>
    public sealed record ScopeJson(bool Global, List<Guid> OrgUnitIds, List<Guid> PeopleIds)
    {
        public ReportScope ToScope() => new(Global, OrgUnitIds, PeopleIds);
    }
}

/// <summary>
/// Writes the queued exports, one at a time per replica: a job is taken with its row locked (two replicas never write
/// one), held by a lease its progress renews, and taken again by another replica if its writer dies. Files past their
/// lifetime are deleted.
/// </summary>
public sealed class ExportJobWorker(IServiceScopeFactory scopes, TimeProvider time, IConfiguration configuration, ILogger<ExportJobWorker> log)
    : RoundWorker(scopes, time, log)
{
    protected override string Doing => "Preparing report exports";

    protected override TimeSpan PollInterval => configuration.GetValue("Analytics:ExportsInterval", TimeSpan.FromSeconds(2));

    protected override async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<AnalyticsDbContext>();
        var now = Time.GetUtcNow();
        await db.ExportJobs.Where(j => j.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var job = await TakeAsync(db, now, ct);
        if (job is null) return 0;
        if (job.Attempts > ExportJobs.MaxAttempts)
        {
            await FinishAsync(db, job.Id, ExportJob.Failed, null, null, $"Its writer stopped {ExportJobs.MaxAttempts} times before it was done.", ct);
            return 1;
        }

        // Progress goes through a context of its own: the job's own connection is busy reading the rows.
        await using var progressScope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var progressDb = progressScope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
        Task Progress(long rows, long? total, CancellationToken token) =>
            progressDb.ExportJobs.Where(j => j.Id == job.Id).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.Rows, rows).SetProperty(j => j.TotalRows, total).SetProperty(j => j.LeaseUntil, Time.GetUtcNow() + ExportJobs.Lease), token);
        try
        {
            await ExportJobs.RunAsync(job, db, Progress, ct);
            await FinishAsync(db, job.Id, ExportJob.Completed, job.FileName, job.Size, null, ct);
            log.LogInformation("Export {Job} ({Report}, {Format}) written: {Size} bytes", job.Id, job.Report, job.Format, job.Size);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            log.LogWarning(ex, "Export {Job} failed", job.Id);
            await FinishAsync(progressDb, job.Id, ExportJob.Failed, null, null, "The file could not be written; ask for it again, and tell an administrator if it keeps failing.", ct);
        }
        return 1;
    }

    /// <summary>The oldest queued job, or a running one whose writer let its lease lapse, locked and marked running.</summary>
    private async Task<ExportJob?> TakeAsync(AnalyticsDbContext db, DateTimeOffset now, CancellationToken ct) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var job = await db.ExportJobs.FromSql($"""
                SELECT * FROM export_jobs
                WHERE "Status" = 'Queued' OR ("Status" = 'Running' AND "LeaseUntil" < {now})
                ORDER BY "CreatedAt" LIMIT 1 FOR UPDATE SKIP LOCKED
                """).FirstOrDefaultAsync(ct);
            if (job is null) return null;
            (job.Status, job.StartedAt, job.LeaseUntil, job.Rows) = (ExportJob.Running, now, now + ExportJobs.Lease, 0);
            job.Attempts++;
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return job;
        });

    private Task FinishAsync(AnalyticsDbContext db, Guid id, string status, string? fileName, long? size, string? error, CancellationToken ct) =>
        db.ExportJobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.Status, status).SetProperty(j => j.FileName, fileName).SetProperty(j => j.Size, size).SetProperty(j => j.Error, error)
            .SetProperty(j => j.CompletedAt, Time.GetUtcNow()).SetProperty(j => j.LeaseUntil, (DateTimeOffset?)null), ct);
}
