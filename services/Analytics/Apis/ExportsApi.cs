using System.Data;
using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LmsPlatform.Analytics.Apis;

/// <summary>
/// A list to prepare as a file: <c>report</c> (<c>overdue</c> or <c>expiring</c>), <c>format</c> (<c>csv</c>, the
/// default, or <c>xlsx</c>), the report's filters as on its page, and for expiring certifications <c>within</c> days.
/// </summary>
public sealed record ExportRequest(string? Report, string? Format, DateTimeOffset? AsOf, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId,
    Guid? CategoryId, Guid? AudienceId, int? Within)
{
    public ReportQuery Query => new(AsOf, OrgUnitId, ManagerId, Indirect, CourseId, CategoryId, GroupBy: null, AudienceId);
}

/// <summary>A prepared export: its progress (<c>rows</c> of <c>totalRows</c>) while it is written, then its file until <c>expiresAt</c>.</summary>
public sealed record ExportJobDto(Guid Id, string Report, string Format, int? Within, string Status, long Rows, long? TotalRows, int? Percent, string? FileName,
    long? Size, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AsOf, Guid? OrgUnitId)
{
    public static ExportJobDto Of(ExportJob j)
    {
        var query = System.Text.Json.JsonSerializer.Deserialize<ReportQuery>(j.Query, System.Text.Json.JsonSerializerOptions.Web);
        var percent = j.Status == ExportJob.Completed ? 100 : j.TotalRows is > 0 and var total ? (int)Math.Min(99, j.Rows * 100 / total) : j.TotalRows == 0 ? 99 : (int?)null;
        return new(j.Id, j.Report, j.Format, j.Within, j.Status, j.Rows, j.TotalRows, percent, j.FileName, j.Size, j.Error, j.CreatedAt, j.CompletedAt, j.ExpiresAt,
            query?.AsOf, query?.OrgUnitId);
    }
}

public static class ExportsApi
{
    /// <summary>The most exports a person may have queued or running at once.</summary>
    public const int MaxOpen = 5;

    public static IEndpointRouteBuilder MapExportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics/exports").WithTags("Reports").RequireAuthorization(Permissions.ReportsRead);
        api.MapPost("", CreateExport).WithName("CreateExport")
            .WithSummary("Prepare a long list (overdue assignments, expiring certifications) as a file in the background, with the caller's scope as it is now; follow its progress, then download it");
        api.MapGet("", ListExports).WithName("ListExports").WithSummary("The caller's prepared exports, newest first, with their progress");
        api.MapGet("/{id:guid}", GetExport).WithName("GetExport").WithSummary("One of the caller's exports: its status and progress");
        api.MapGet("/{id:guid}/file", DownloadExport).WithName("DownloadExport").WithSummary("A finished export's file, streamed from the database");
        return app;
    }

    public static async Task<Results<Accepted<ExportJobDto>, ValidationProblem>> CreateExport(ExportRequest request, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = request.Query.Validate(now);
        foreach (var (key, value) in ExportFormat.Validate(request.Format)) errors[key] = value;
        if (request.Report is null || !ExportJobs.Lists.Contains(request.Report)) errors["report"] = ["must be 'overdue' or 'expiring'"];
        if (request.Within is { } within && (request.Report != "expiring" || within is < 1 or > ReportsApi.MaxWithinDays))
            errors["within"] = [$"applies to 'expiring' only, as a number of days from 1 to {ReportsApi.MaxWithinDays}"];
        var ownerId = Caller.UserIdOf(http.User);
        if (ownerId is null) errors["owner"] = ["an export is kept for a person; an integration client downloads the report instead"];
        else if (await db.ExportJobs.CountAsync(j => j.OwnerId == ownerId && (j.Status == ExportJob.Queued || j.Status == ExportJob.Running), ct) >= MaxOpen)
            errors["report"] = [$"you have {MaxOpen} exports being prepared already; wait for one to finish"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var job = ExportJobs.Create(ownerId!.Value, request.Report!, request.Format, request.Query, request.Within, await ReportScope.ForAsync(http.User, db, ct), now);
        db.ExportJobs.Add(job);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/analytics/exports/{job.Id}", ExportJobDto.Of(job));
    }

    public static async Task<Ok<List<ExportJobDto>>> ListExports(HttpContext http, AnalyticsDbContext db, CancellationToken ct)
    {
        var me = Caller.UserIdOf(http.User);
        var jobs = await db.ExportJobs.AsNoTracking().Where(j => j.OwnerId == me).OrderByDescending(j => j.CreatedAt).Take(50).ToListAsync(ct);
        return TypedResults.Ok(jobs.Select(ExportJobDto.Of).ToList());
    }

    /// <summary>A person's own export; anyone else's is not found (an export holds its owner's scope's people).</summary>
    public static async Task<Results<Ok<ExportJobDto>, NotFound>> GetExport(Guid id, HttpContext http, AnalyticsDbContext db, CancellationToken ct) =>
        await OwnAsync(id, http, db, ct) is { } job ? TypedResults.Ok(ExportJobDto.Of(job)) : TypedResults.NotFound();

    public static async Task<Results<EmptyHttpResult, NotFound, ProblemHttpResult>> DownloadExport(Guid id, HttpContext http, AnalyticsDbContext db, CancellationToken ct)
    {
        if (await OwnAsync(id, http, db, ct) is not { } job) return TypedResults.NotFound();
        if (job.Status != ExportJob.Completed)
            return TypedResults.Problem($"The export is {job.Status.ToLowerInvariant()}, not ready to download.", statusCode: StatusCodes.Status409Conflict);
        // The file is read from the database a part at a time, never whole.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var read = new NpgsqlCommand("""SELECT "Content" FROM export_files WHERE "JobId" = $1 ORDER BY "Part" """, connection);
        read.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await read.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        http.Response.ContentType = job.Format == "xlsx" ? XlsxFile.ContentType : "text/csv; charset=utf-8";
        http.Response.ContentLength = job.Size;
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.FileName}\"";
        while (await reader.ReadAsync(ct))
        {
            await using var part = await reader.GetStreamAsync(0, ct);
            await part.CopyToAsync(http.Response.Body, ct);
        }
        return TypedResults.Empty;
    }

    private static Task<ExportJob?> OwnAsync(Guid id, HttpContext http, AnalyticsDbContext db, CancellationToken ct)
    {
        var me = Caller.UserIdOf(http.User);
        return db.ExportJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id && j.OwnerId == me, ct);
    }
}
