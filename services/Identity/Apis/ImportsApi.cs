using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.Identity.Application;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Imports;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Identity.Apis;

public sealed record ImportJobDto(Guid Id, string Kind, string Status, string FileName, bool DeactivateMissing, bool ConfirmDeactivations,
    int TotalRows, int ProcessedRows, int ErrorRows, int ToCreate, int ToUpdate, int ToMove, int ToDeactivate, int Unchanged,
    double DeactivationPercent, string? Message, JsonElement? Preview, DateTimeOffset CreatedAt, DateTimeOffset? PlannedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string CreatedBy)
{
    public static ImportJobDto From(ImportJob j, bool withPreview) => new(j.Id, j.Kind == ImportKind.Users ? "users" : "org-units", j.Status.ToString(),
        j.FileName, j.DeactivateMissing, j.ConfirmDeactivations, j.TotalRows, j.ProcessedRows, j.ErrorRows, j.ToCreate, j.ToUpdate, j.ToMove,
        j.ToDeactivate, j.Unchanged, j.DeactivationPercent, j.Message,
        withPreview && j.Preview is not null ? JsonDocument.Parse(j.Preview).RootElement.Clone() : null,
        j.CreatedAt, j.PlannedAt, j.StartedAt, j.CompletedAt, j.CreatedByName);
}

/// <summary>
/// HR CSV imports as jobs: upload (a dry run is planned at once), read the plan, apply it, follow the progress,
/// download the row-level error report.
/// </summary>
public static class ImportsApi
{
    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/imports").WithTags("Imports").RequireOrganisationWide(Permissions.ImportsRun);
        api.MapPost("/", Upload).WithName("UploadImport").DisableAntiforgery()
            .WithSummary("Upload a users or org-units CSV (multipart 'file', or a text/csv body); a dry run is planned in the background");
        api.MapGet("/{id:guid}", Get).WithName("GetImport").WithSummary("An import's status, progress, counts and planned changes");
        api.MapGet("/", List).WithName("ListImports").WithSummary("Imports, newest first; paged");
        api.MapPost("/{id:guid}/apply", Apply).WithName("ApplyImport").WithSummary("Apply a planned import; deactivations above the safety threshold need confirmDeactivations=true");
        api.MapGet("/{id:guid}/errors", Errors).WithName("ImportErrors").WithSummary("The row-level error report as CSV: row, column, reason");
        return app;
    }

    public static async Task<Results<Accepted<ImportJobDto>, ValidationProblem>> Upload(
        HttpContext http, string? kind, bool? deactivateMissing, IdentityDbContext db, ImportSignal signal, IOptions<ImportOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var importKind = kind?.ToLowerInvariant() switch { "users" or null => ImportKind.Users, "org-units" or "orgunits" => ImportKind.OrgUnits, _ => (ImportKind?)null };
        if (importKind is null) return Invalid("kind", "must be users or org-units");
        var (upload, error) = await ServiceDefaults.Http.Upload.ReadAsync(http.Request, options.Value.MaxFileBytes, ct);
        if (upload is null) return Invalid("file", error!);
        var (content, fileName) = (upload.Content, upload.FileName);

        var actor = Actor.From(http);
        var now = time.GetUtcNow();
        var job = new ImportJob
        {
            Id = Guid.CreateVersion7(now), Kind = importKind.Value, Status = ImportStatus.Queued, FileName = fileName, Content = content,
            DeactivateMissing = deactivateMissing ?? false, CreatedAt = now, CreatedById = actor.Id, CreatedByName = actor.Name, CreatedFromIp = actor.IpAddress,
        };
        db.ImportJobs.Add(job);
        db.Audit(actor, "import.uploaded", "import", job.Id, null, new { kind = job.Kind.ToString(), job.FileName, bytes = content.Length, job.DeactivateMissing }, now);
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/identity/imports/{job.Id}", ImportJobDto.From(job, false));
    }

    public static async Task<Results<Ok<ImportJobDto>, NotFound>> Get(Guid id, IdentityDbContext db, CancellationToken ct) =>
        await db.ImportJobs.AsNoTracking().Where(j => j.Id == id).WithoutContent(preview: true).FirstOrDefaultAsync(ct) is { } job
            ? TypedResults.Ok(ImportJobDto.From(job, true))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<ImportJobDto>>, ValidationProblem>> List([AsParameters] PageRequest paging, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await db.ImportJobs.AsNoTracking().OrderByDescending(j => j.CreatedAt).WithoutContent(preview: false).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(j => ImportJobDto.From(j, false)));
    }

    public static async Task<Results<Accepted<ImportJobDto>, NotFound, Conflict<ProblemDetails>>> Apply(
        Guid id, bool? confirmDeactivations, HttpContext http, IdentityDbContext db, ImportSignal signal, IOptions<ImportOptions> options, CancellationToken ct)
    {
        var job = await db.ImportJobs.FirstOrDefaultAsync(j => j.Id == id, ct);
        if (job is null) return TypedResults.NotFound();
        if (job.Status != ImportStatus.Planned)
            return Problems.Conflict($"The import is {job.Status}; only a planned import (after its dry run) can be applied.", "status");
        var max = options.Value.MaxDeactivationPercent;
        if (job.DeactivationPercent > max && confirmDeactivations != true)
            return Problems.Conflict($"The import would deactivate {job.ToDeactivate} records ({job.DeactivationPercent:0.#}%), above the {max:0.#}% safety threshold. Check the dry run, then apply with confirmDeactivations=true.", "confirmDeactivations");
        job.ConfirmDeactivations = confirmDeactivations == true;
        job.Status = ImportStatus.ApplyRequested;
        db.Audit(Actor.From(http), "import.applied", "import", job.Id, null, new { job.ConfirmDeactivations, job.ToCreate, job.ToUpdate, job.ToMove, job.ToDeactivate });
        await db.SaveChangesAsync(ct);
        signal.Notify();
        return TypedResults.Accepted($"/api/identity/imports/{job.Id}", ImportJobDto.From(job, false));
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> Errors(Guid id, IdentityDbContext db, CancellationToken ct)
    {
        if (!await db.ImportJobs.AnyAsync(j => j.Id == id, ct)) return TypedResults.NotFound();
        var errors = await db.ImportRowErrors.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Row).ThenBy(e => e.Id)
            .Select(e => new RowError(e.Row, e.Column, e.Reason)).ToListAsync(ct);
        return TypedResults.File(CsvFile.Report(errors), "text/csv; charset=utf-8", $"import-{id}-errors.csv");
    }

    /// <summary>
    /// A job without its file (and, for lists, without its preview): status reads (a progress bar polls them) must not carry megabytes of CSV from the
    /// database each time.
    /// </summary>
    private static IQueryable<ImportJob> WithoutContent(this IQueryable<ImportJob> jobs, bool preview) => jobs.Select(j => new ImportJob
    {
        Id = j.Id, Kind = j.Kind, Status = j.Status, FileName = j.FileName, Content = Array.Empty<byte>(), DeactivateMissing = j.DeactivateMissing,
        ConfirmDeactivations = j.ConfirmDeactivations, TotalRows = j.TotalRows, ProcessedRows = j.ProcessedRows, ErrorRows = j.ErrorRows,
        ToCreate = j.ToCreate, ToUpdate = j.ToUpdate, ToMove = j.ToMove, ToDeactivate = j.ToDeactivate, Unchanged = j.Unchanged,
        DeactivationPercent = j.DeactivationPercent, Message = j.Message, Preview = preview ? j.Preview : null, CreatedAt = j.CreatedAt, PlannedAt = j.PlannedAt,
        StartedAt = j.StartedAt, CompletedAt = j.CompletedAt, CreatedByName = j.CreatedByName,
    });

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
