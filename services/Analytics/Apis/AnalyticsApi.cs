using LmsPlatform.Contracts.Security;
using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Apis;

public sealed record CreateReportRequest(string? Name, string? Kind)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors().Required("name", Name, 200);
        errors.Check(Enum.TryParse<ReportKind>(Kind, ignoreCase: true, out var kind) && Enum.IsDefined(kind), "kind",
            $"must be one of: {string.Join(", ", Enum.GetNames<ReportKind>())}");
        return errors.ToDictionary();
    }
}

public sealed record ReportDto(Guid Id, string Name, string Kind, DateTimeOffset CreatedAt)
{
    public static ReportDto From(SavedReport r) => new(r.Id, r.Name, r.Kind.ToString(), r.CreatedAt);
}

public sealed record SummaryDto(long Users);

public sealed record ReportRow(string Key, long Value);

public sealed record ReportResultDto(Guid ReportId, string Kind, DateTimeOffset GeneratedAt, IReadOnlyList<ReportRow> Rows);

public static class AnalyticsApi
{
    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Analytics");
        api.MapGet("/summary", GetSummary).WithName("GetSummary").WithSummary("Headline counts from the reporting read model").RequireAuthorization(Permissions.ReportsRead);
        api.MapPost("/reports", CreateReport).WithName("CreateReport").WithSummary("Save a report definition").RequireAuthorization(Permissions.ReportsManage);
        api.MapGet("/reports/{id:guid}", GetReport).WithName("GetReport").WithSummary("Get a saved report").RequireAuthorization(Permissions.ReportsRead);
        api.MapGet("/reports", ListReports).WithName("ListReports").WithSummary("List saved reports, paged").RequireAuthorization(Permissions.ReportsRead);
        api.MapGet("/reports/{id:guid}/result", RunReport).WithName("RunReport").WithSummary("Run a saved report now").RequireAuthorization(Permissions.ReportsRead);
        return app;
    }

    /// <summary>The people the caller may report on (everyone, their subtree, or their people).</summary>
    public static async Task<Ok<SummaryDto>> GetSummary(HttpContext http, AnalyticsDbContext db, CancellationToken ct)
    {
        var scope = await ReportScope.ForAsync(http.User, db, ct);
        return TypedResults.Ok(new SummaryDto(await scope.Filter(db.Users).LongCountAsync(ct)));
    }

    public static async Task<Results<Created<ReportDto>, ValidationProblem>> CreateReport(
        CreateReportRequest request, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var report = new SavedReport
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name!.Trim(),
            Kind = Enum.Parse<ReportKind>(request.Kind!, ignoreCase: true),
            CreatedAt = time.GetUtcNow(),
        };
        db.Reports.Add(report);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/analytics/reports/{report.Id}", ReportDto.From(report));
    }

    public static async Task<Results<Ok<ReportDto>, NotFound>> GetReport(Guid id, AnalyticsDbContext db, CancellationToken ct) =>
        await db.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } r
            ? TypedResults.Ok(ReportDto.From(r))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<ReportDto>>, ValidationProblem>> ListReports(
        [AsParameters] PageRequest paging, AnalyticsDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await db.Reports.AsNoTracking().OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id)
            .Select(r => ReportDto.From(r)).ToPageAsync(paging, ct));
    }

    /// <summary>A saved report, run over the people the caller may report on.</summary>
    public static async Task<Results<Ok<ReportResultDto>, NotFound>> RunReport(Guid id, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await db.Reports.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is not { } report) return TypedResults.NotFound();
        var scope = await ReportScope.ForAsync(http.User, db, ct);
        var users = scope.Filter(db.Users);
        IReadOnlyList<ReportRow> rows = report.Kind switch
        {
            ReportKind.UsersTotal => [new ReportRow("users", await users.LongCountAsync(ct))],
            // DateTimeOffset's parts are taken in UTC by the provider: a day here is a UTC day, as before.
            ReportKind.UsersCreatedByDay => [.. (await users.GroupBy(u => new { u.CreatedAt.Year, u.CreatedAt.Month, u.CreatedAt.Day })
                    .Select(g => new { g.Key.Year, g.Key.Month, g.Key.Day, Count = g.LongCount() }).ToListAsync(ct))
                .OrderBy(d => (d.Year, d.Month, d.Day)).Select(d => new ReportRow($"{d.Year:0000}-{d.Month:00}-{d.Day:00}", d.Count))],
            _ => [],
        };
        return TypedResults.Ok(new ReportResultDto(report.Id, report.Kind.ToString(), time.GetUtcNow(), rows));
    }
}
