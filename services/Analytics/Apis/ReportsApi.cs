using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Apis;

/// <summary>
/// The query every report takes: <c>asOf</c> (a past date; now when absent), <c>orgUnitId</c> (that unit and those under
/// it), <c>managerId</c> with <c>indirect</c> (their people all the way down, the default, or only direct reports),
/// <c>courseId</c>, <c>categoryId</c>, and for counts <c>groupBy</c> (<c>course</c> or <c>orgUnit</c>).
/// </summary>
public sealed record ReportQuery(DateTimeOffset? AsOf, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId, Guid? CategoryId, string? GroupBy)
{
    public Dictionary<string, string[]> Validate(DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        errors.Check(AsOf is null || AsOf <= now, "asOf", "cannot be in the future: reports say what was, not what will be");
        errors.Check(GroupBy is null || Enum.TryParse<GroupBy>(GroupBy, ignoreCase: true, out _), "groupBy", "must be 'course' or 'orgUnit'");
        return errors.ToDictionary();
    }

    public ReportFilter ToFilter(DateTimeOffset now) => new(AsOf ?? now, OrgUnitId, ManagerId, Indirect ?? true, CourseId, CategoryId, IsNow: AsOf is null);

    public GroupBy Grouping => GroupBy is null ? Application.GroupBy.Course : Enum.Parse<GroupBy>(GroupBy, ignoreCase: true);
}

public sealed record CountsReportDto(DateTimeOffset AsOf, string GroupBy, IReadOnlyList<MetricRow> Rows, MetricRow Total, IReadOnlyList<MetricDefinition> Definitions);

public sealed record OverdueReportDto(DateTimeOffset AsOf, Page<OverdueRow> Overdue, IReadOnlyList<MetricDefinition> Definitions);

public sealed record ComplianceReportDto(DateTimeOffset AsOf, string GroupBy, IReadOnlyList<MetricRow> Rows, MetricRow Total, long People, long CompliantPeople,
    double? PeopleComplianceRate, IReadOnlyList<CertificationRow> Certifications, IReadOnlyList<MetricDefinition> Definitions);

public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Reports").RequireAuthorization(Permissions.ReportsRead);
        api.MapGet("/metrics", GetMetrics).WithName("GetMetricDefinitions").WithSummary("What every metric counts, and who and what reports include");
        api.MapGet("/reports/completion", CompletionReport).WithName("CompletionReport")
            .WithSummary("Assigned, not started, in progress, completed, paused and overdue per course or org unit, as of a date");
        api.MapGet("/reports/overdue", OverdueReport).WithName("OverdueReport").WithSummary("The overdue assignments as of a date, most overdue first, paged");
        api.MapGet("/reports/compliance", ComplianceReport).WithName("ComplianceReport")
            .WithSummary("Required assignments compliant and overdue per course or org unit, compliant people, and certifications held and expiring, as of a date");
        api.MapGet("/reports/completion/export", ExportCompletion).WithName("ExportCompletionReport")
            .WithSummary("The completion report as CSV: a row per course or org unit, then the total");
        api.MapGet("/reports/compliance/export", ExportCompliance).WithName("ExportComplianceReport")
            .WithSummary("The compliance report's figures as CSV: a row per course or org unit, then the total");
        api.MapGet("/reports/overdue/export", ExportOverdue).WithName("ExportOverdueReport")
            .WithSummary("Every overdue assignment as CSV, streamed (no paging), most overdue first");
        return app;
    }

    public static Ok<IReadOnlyList<MetricDefinition>> GetMetrics() => TypedResults.Ok(Metrics.All);

    public static async Task<Results<Ok<CountsReportDto>, ValidationProblem>> CompletionReport([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (query.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var filter = query.ToFilter(now);
        var rows = await Reports.AssignmentsAsOf(db, await ReportScope.ForAsync(http.User, db, ct), filter, ct);
        var (grouped, total) = await Reports.CountsAsync(db, rows, query.Grouping, ct);
        return TypedResults.Ok(new CountsReportDto(filter.AsOf, query.Grouping.ToString(), grouped, total,
            [Metrics.Population, Metrics.Assigned, Metrics.NotStarted, Metrics.InProgress, Metrics.Completed, Metrics.Paused, Metrics.Overdue, Metrics.CompletionRate]));
    }

    public static async Task<Results<Ok<OverdueReportDto>, ValidationProblem>> OverdueReport([AsParameters] ReportQuery query, [AsParameters] PageRequest paging,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = query.Validate(now);
        foreach (var (key, value) in paging.Validate()) errors[key] = value;
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var filter = query.ToFilter(now);
        var rows = await Reports.AssignmentsAsOf(db, await ReportScope.ForAsync(http.User, db, ct), filter, ct);
        var page = await Reports.Overdue(db, rows, filter.AsOf).ToPageAsync(paging, ct);
        return TypedResults.Ok(new OverdueReportDto(filter.AsOf, page, [Metrics.Population, Metrics.Overdue]));
    }

    public static async Task<Results<Ok<ComplianceReportDto>, ValidationProblem>> ComplianceReport([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (query.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var filter = query.ToFilter(now);
        var source = await Reports.SourceAsync(db, await ReportScope.ForAsync(http.User, db, ct), filter, ct);
        var (grouped, total) = await Reports.CountsAsync(db, source.Rows, query.Grouping, ct);
        var (people, compliant) = await Reports.PeopleComplianceAsync(source.Rows, ct);
        var certifications = await Reports.CertificationsAsync(db, source, filter.AsOf, ct);
        return TypedResults.Ok(new ComplianceReportDto(filter.AsOf, query.Grouping.ToString(), grouped, total, people, compliant,
            Metrics.Rate(compliant, people), certifications,
            [Metrics.Population, Metrics.Required, Metrics.Compliant, Metrics.ComplianceRate, Metrics.Overdue, Metrics.Certified, Metrics.CertificationExpiring]));
    }

    public static Task<Results<EmptyHttpResult, ValidationProblem>> ExportCompletion([AsParameters] ReportQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct) => ExportCountsAsync("completion", query, http, db, time, ct);

    public static Task<Results<EmptyHttpResult, ValidationProblem>> ExportCompliance([AsParameters] ReportQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct) => ExportCountsAsync("compliance", query, http, db, time, ct);

    /// <summary>The rows of a counts report (the same as its JSON), then the total, as a CSV download (both reports count the same rows).</summary>
    private static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportCountsAsync(string name, ReportQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (query.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var filter = query.ToFilter(now);
        var rows = await Reports.AssignmentsAsOf(db, await ReportScope.ForAsync(http.User, db, ct), filter, ct);
        var (grouped, total) = await Reports.CountsAsync(db, rows, query.Grouping, ct);
        await CsvFile.WriteAsync(http.Response, FileName(name, filter), grouped.Append(total).ToAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>Every overdue assignment, streamed from the database to the download a row at a time.</summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportOverdue([AsParameters] ReportQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (query.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var filter = query.ToFilter(now);
        var rows = await Reports.AssignmentsAsOf(db, await ReportScope.ForAsync(http.User, db, ct), filter, ct);
        await CsvFile.WriteAsync(http.Response, FileName("overdue", filter), Reports.Overdue(db, rows, filter.AsOf).AsAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    private static string FileName(string report, ReportFilter filter) => $"{report}-as-of-{filter.AsOf.UtcDateTime:yyyyMMdd-HHmmss}.csv";
}
