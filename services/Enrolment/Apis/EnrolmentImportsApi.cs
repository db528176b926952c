using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Enrolment.Apis;

public sealed record EnrolmentImportDto(Guid Id, string Kind, string Status, string FileName, int TotalRows, int ProcessedRows, int ToEnrol, int ToComplete,
    int Unchanged, int ErrorRows, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? PlannedAt, DateTimeOffset? CompletedAt, string CreatedBy)
{
    public static EnrolmentImportDto From(EnrolmentImport j) => new(j.Id, j.Kind == EnrolmentImportKind.Enrolments ? "enrolments" : "completions",
        j.Status.ToString(), j.FileName, j.TotalRows, j.ProcessedRows, j.ToEnrol, j.ToComplete, j.Unchanged, j.ErrorRows, j.Message, j.CreatedAt, j.PlannedAt,
        j.CompletedAt, j.CreatedByName);
}

public sealed record ImportErrorDto(int Row, string? Column, string Reason);

/// <summary>
/// Bulk enrolment and historical completions by CSV, as jobs: upload (the dry run is planned in the background), read
/// what each row would do, apply, follow the progress, read or download the refused rows.
/// </summary>
public static class EnrolmentImportsApi
{
    public static IEndpointRouteBuilder MapEnrolmentImportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment/imports").WithTags("Enrolment imports").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/", UploadFile).WithName("UploadEnrolmentImport").DisableAntiforgery()
            .WithSummary("Upload an enrolments or completions CSV (multipart 'file', or a text/csv body); its dry run is planned in the background");
        api.MapGet("/", List).WithName("ListEnrolmentImports").WithSummary("Imports, newest first; paged");
        api.MapGet("/{id:guid}", Get).WithName("GetEnrolmentImport").WithSummary("An import's status, progress and counts");
        api.MapPost("/{id:guid}/apply", Apply).WithName("ApplyEnrolmentImport").WithSummary("Apply a planned import");
        api.MapGet("/{id:guid}/errors", Errors).WithName("EnrolmentImportErrors").WithSummary("The refused rows: JSON, or CSV (format=csv or Accept: text/csv)");
        return app;
    }

    public static async Task<Results<Accepted<EnrolmentImportDto>, ValidationProblem>> UploadFile(HttpContext http, string? kind, EnrolmentDbContext db,
        IOptions<EnrolmentImportOptions> options, TimeProvider time, CancellationToken ct)
    {
        EnrolmentImportKind? importKind = kind?.ToLowerInvariant() switch
        {
            "enrolments" or null => EnrolmentImportKind.Enrolments, "completions" => EnrolmentImportKind.Completions, _ => null,
        };
        if (importKind is null) return Invalid("kind", "must be enrolments or completions");
        var (upload, error) = await Upload.ReadAsync(http.Request, options.Value.MaxFileBytes, ct);
        if (upload is null) return Invalid("file", error!);
        var actor = EnrolmentActor.From(http.User);
        var now = time.GetUtcNow();
        var job = new EnrolmentImport
        {
            Id = Guid.CreateVersion7(now), Kind = importKind.Value, Status = EnrolmentImportStatus.Queued, FileName = upload.FileName,
            Content = upload.Content, CreatedAt = now, CreatedById = actor.Id, CreatedByName = actor.Name,
        };
        db.EnrolmentImports.Add(job);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/enrolment/imports/{job.Id}", EnrolmentImportDto.From(job));
    }

    public static async Task<Results<Ok<Page<EnrolmentImportDto>>, ValidationProblem>> List([AsParameters] PageRequest paging, EnrolmentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await db.EnrolmentImports.AsNoTracking().OrderByDescending(j => j.CreatedAt).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(EnrolmentImportDto.From));
    }

    public static async Task<Results<Ok<EnrolmentImportDto>, NotFound>> Get(Guid id, EnrolmentDbContext db, CancellationToken ct) =>
        await db.EnrolmentImports.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct) is { } job ? TypedResults.Ok(EnrolmentImportDto.From(job)) : TypedResults.NotFound();

    public static async Task<Results<Accepted<EnrolmentImportDto>, NotFound, Conflict<ProblemDetails>>> Apply(Guid id, EnrolmentDbContext db, CancellationToken ct)
    {
        var updated = await db.EnrolmentImports.Where(j => j.Id == id && j.Status == EnrolmentImportStatus.Planned)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, EnrolmentImportStatus.ApplyRequested), ct);
        var job = await db.EnrolmentImports.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null) return TypedResults.NotFound();
        return updated == 1
            ? TypedResults.Accepted($"/api/enrolment/imports/{id}", EnrolmentImportDto.From(job))
            : Problems.Conflict($"The import is {job.Status.ToString().ToLowerInvariant()}: only a planned import can be applied.", "status");
    }

    public static async Task<IResult> Errors(Guid id, string? format, HttpContext http, EnrolmentDbContext db, CancellationToken ct)
    {
        if (!await db.EnrolmentImports.AnyAsync(j => j.Id == id, ct)) return TypedResults.NotFound();
        var errors = await db.EnrolmentImportErrors.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Row).ThenBy(e => e.Id)
            .Select(e => new ImportErrorDto(e.Row, e.Column, e.Reason)).ToListAsync(ct);
        if (format != "csv" && !http.Request.Headers.Accept.ToString().Contains("text/csv")) return TypedResults.Ok(errors);
        return TypedResults.File(CsvFile.Report(errors.Select(e => new RowError(e.Row, e.Column, e.Reason))), "text/csv; charset=utf-8",
            $"enrolment-import-{id}-errors.csv");
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
