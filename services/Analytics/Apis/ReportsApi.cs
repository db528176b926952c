using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Apis;

/// <summary>A counts report. <c>CurrentFigures</c>: read from the figures taken at <c>AsOf</c> (a report about now), not counted from the ranges.</summary>
/// <summary>
/// A trend's query: <c>from</c> and <c>to</c> (the last 12 weeks, or 12 months, when absent), <c>interval</c>
/// (<c>week</c> or <c>month</c>), and the same filters as every report.
/// </summary>
public sealed record TrendQuery(DateTimeOffset? From, DateTimeOffset? To, string? Interval, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId,
    Guid? CategoryId, Guid? AudienceId = null)
{
    /// <summary>The interval asked for; null when it names none (<see cref="Validate"/> says so).</summary>
    private TrendInterval? Asked => Interval is null ? TrendInterval.Week : Enum.TryParse<TrendInterval>(Interval, ignoreCase: true, out var i) ? i : null;

    public TrendInterval Period => Asked ?? TrendInterval.Week;

    /// <summary>The report query whose filter the trend applies: its people and courses as they stand at <c>to</c>.</summary>
    public ReportQuery Filters => new(To, OrgUnitId, ManagerId, Indirect, CourseId, CategoryId, GroupBy: null, AudienceId);

    public (DateTimeOffset From, DateTimeOffset To) Range(DateTimeOffset now)
    {
        var to = Filters.ToFilter(now).AsOf;
        return ((From ?? (Period == TrendInterval.Week ? to.AddDays(-7 * 12) : to.AddMonths(-12))).ToUniversalTime(), to);
    }

    public Dictionary<string, string[]> Validate(DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        errors.Check(Asked is not null, "interval", "must be 'week' or 'month'");
        errors.Check(To is null || To <= now, "to", "cannot be in the future");
        var (from, to) = Range(now);
        errors.Check(from < to, "from", "must be before 'to'");
        errors.Check(from >= to || Trends.Periods(from, to, Period).Count <= Trends.MaxPeriods, "from", $"the range holds more than {Trends.MaxPeriods} periods; take a longer interval");
        return errors.ToDictionary();
    }
}

public sealed record TrendReportDto(DateTimeOffset From, DateTimeOffset To, string Interval, IReadOnlyList<TrendPoint> Periods, IReadOnlyList<MetricDefinition> Definitions);

/// <summary>Who a transcript is of, placed where they sit now.</summary>
public sealed record TranscriptPersonDto(Guid UserId, string DisplayName, string Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId, string? Manager);

public sealed record TranscriptDto(DateTimeOffset AsOf, TranscriptPersonDto Person, IReadOnlyList<TranscriptRow> Rows, IReadOnlyList<MetricDefinition> Definitions);

public sealed record CountsReportDto(DateTimeOffset AsOf, bool CurrentFigures, string GroupBy, IReadOnlyList<MetricRow> Rows, MetricRow Total, IReadOnlyList<MetricDefinition> Definitions);

public sealed record OverdueReportDto(DateTimeOffset AsOf, Page<OverdueRow> Overdue, IReadOnlyList<MetricDefinition> Definitions);

public sealed record ComplianceReportDto(DateTimeOffset AsOf, bool CurrentFigures, string GroupBy, IReadOnlyList<MetricRow> Rows, MetricRow Total, long People, long CompliantPeople,
    double? PeopleComplianceRate, IReadOnlyList<CertificationRow> Certifications, IReadOnlyList<MetricDefinition> Definitions);

/// <summary>A dashboard: its date and scope in words, the figures (<see cref="DashboardFigures"/>) and what each counts.</summary>
public sealed record DashboardDto(DateTimeOffset AsOf, bool CurrentFigures, string Scope, int Weeks, DashboardFigures Figures, double? PeopleComplianceRate,
    IReadOnlyList<MetricDefinition> Definitions);

public sealed record DeliveryReportDto(DateTimeOffset From, DateTimeOffset To, string Interval, IReadOnlyList<DeliveryRow> Rows, DeliveryRow Total,
    IReadOnlyList<DeliveryPoint> Periods, IReadOnlyList<MetricDefinition> Definitions);

/// <summary>
/// The provisioning health report: the people figures in the caller's scope, and, when it covers everyone
/// (<see cref="ImportsShown"/>), the imports of the range per period and one by one (the latest <see cref="Provisioning.MaxRuns"/>).
/// </summary>
public sealed record ProvisioningReportDto(DateTimeOffset From, DateTimeOffset To, string Interval, PeopleHealth People, bool ImportsShown,
    IReadOnlyList<ImportPeriod> Periods, IReadOnlyList<ImportRunRow> Runs, IReadOnlyList<MetricDefinition> Definitions);

public sealed record UsageReportDto(DateTimeOffset AsOf, IReadOnlyList<UsageRow> Rows, UsageRow Total, long UnassignedCourses,
    IReadOnlyList<MetricDefinition> Definitions);

public sealed record ExpiringReportDto(DateTimeOffset AsOf, int Within, Page<ExpiringRow> Expiring, IReadOnlyList<MetricDefinition> Definitions);

public static class ReportsApi
{
    /// <summary>The longest look ahead of the expiring certifications report.</summary>
    public const int MaxWithinDays = 365;

    public static IEndpointRouteBuilder MapReportsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics").WithTags("Reports").RequireAuthorization(Permissions.ReportsRead);
        api.MapGet("/metrics", GetMetrics).WithName("GetMetricDefinitions").WithSummary("What every metric counts, and who and what reports include");
        api.MapGet("/reports/completion", CompletionReport).WithName("CompletionReport")
            .WithSummary("Assigned, not started, in progress, completed, paused and overdue per course or org unit, as of a date");
        api.MapGet("/reports/overdue", OverdueReport).WithName("OverdueReport").WithSummary("The overdue assignments as of a date, most overdue first, paged");
        api.MapGet("/reports/compliance", ComplianceReport).WithName("ComplianceReport")
            .WithSummary("Required assignments compliant and overdue per course or org unit, compliant people, and certifications held and expiring, as of a date");
        api.MapGet("/reports/transcript/{userId:guid}", TranscriptReport).WithName("TranscriptReport")
            .WithSummary("One person's assignments as of a date, each as the reports count it (the people behind any figure)");
        api.MapGet("/reports/transcript/{userId:guid}/export", ExportTranscript).WithName("ExportTranscript").WithSummary("A person's transcript as CSV or XLSX");
        api.MapGet("/reports/trend", TrendReport).WithName("TrendReport")
            .WithSummary("New assignments, completions and active learners per week or month over a range, from the ledger");
        api.MapGet("/reports/{report:regex(^(completion|compliance)$)}/export", ExportFigures).WithName("ExportReportFigures")
            .WithSummary("The completion or compliance report's figures as CSV (the same rows): a row per course or org unit, then the total");
        api.MapGet("/reports/compliance/audit-pack", ComplianceAuditPack).WithName("ComplianceAuditPack")
            .WithSummary("The compliance report for an org unit (or everyone) as of a date, as a PDF for an auditor: the figures, certifications, the overdue people and every figure's definition");
        api.MapGet("/reports/notifications", DeliveryReport).WithName("NotificationDeliveryReport")
            .WithSummary("Email outcomes (sent, bounced, given up) to the people in scope over a range: by notification type and per week or month");
        api.MapGet("/dashboard", GetDashboard).WithName("GetDashboard")
            .WithSummary("A dashboard's figures as of a date, in the caller's scope: compliance totals, overdue by org unit (or, for a team, by person), certifications expiring, the weekly trend and active learners");
        api.MapGet("/reports/certifications/expiring", ExpiringReport).WithName("ExpiringCertificationsReport")
            .WithSummary("The certifications held on a date that expire within 'within' days of it (30 by default), soonest first, paged: the people behind the expiring counts");
        api.MapGet("/reports/certifications/expiring/export", ExportExpiring).WithName("ExportExpiringCertifications")
            .WithSummary("Every certification expiring within 'within' days, as CSV or XLSX, streamed");
        api.MapGet("/reports/usage", UsageReport).WithName("ItemUsageReport")
            .WithSummary("Per course, as of a date: assigned, started, completed, and how long completions took (average days; within 7, 30 and 90 days)");
        api.MapGet("/reports/usage/export", ExportUsage).WithName("ExportItemUsageReport").WithSummary("The item usage report's rows and total as CSV or XLSX");
        api.MapGet("/reports/provisioning", ProvisioningReport).WithName("ProvisioningHealthReport")
            .WithSummary("Provisioning health over a range: people without a department, manager or email, or never signed in; and (covering everyone) the HR imports applied, failed and refused");
        api.MapGet("/reports/provisioning/export", ExportProvisioning).WithName("ExportProvisioningHealthReport")
            .WithSummary("The imports of the range, one row each, as CSV or XLSX (a report covering everyone)");
        api.MapGet("/reports/overdue/export", ExportOverdue).WithName("ExportOverdueReport")
            .WithSummary("Every overdue assignment as CSV, streamed (no paging), most overdue first");
        return app;
    }

    public static Ok<IReadOnlyList<MetricDefinition>> GetMetrics() => TypedResults.Ok(Metrics.All);

    public static async Task<Results<Ok<CountsReportDto>, ValidationProblem>> CompletionReport([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct);
        if (data is null) return TypedResults.ValidationProblem(errors);
        var (grouped, total) = await Reports.CountsAsync(db, data.Assignments, query.Grouping, ct);
        return TypedResults.Ok(new CountsReportDto(data.AsOf, data.CurrentFigures, query.Grouping.ToString(), grouped, total,
            [Metrics.Population, Metrics.Assigned, Metrics.NotStarted, Metrics.InProgress, Metrics.Completed, Metrics.Paused, Metrics.Overdue, Metrics.CompletionRate]));
    }

    public static async Task<Results<Ok<OverdueReportDto>, ValidationProblem>> OverdueReport([AsParameters] ReportQuery query, [AsParameters] PageRequest paging,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct, paging.Validate());
        if (data is null) return TypedResults.ValidationProblem(errors);
        var overdue = Reports.Overdue(db, data.Source, data.AsOf);
        // With the current figures, the overdue count they keep is the length of the list (the same rows at the same
        // moment) and costs nothing to read; counting a whole organisation's overdue rows again would not.
        var page = data.CurrentFigures ? await overdue.ToPageAsync(paging, await data.Assignments.SumAsync(f => f.Overdue, ct), ct) : await overdue.ToPageAsync(paging, ct);
        return TypedResults.Ok(new OverdueReportDto(data.AsOf, page, [Metrics.Population, Metrics.Overdue]));
    }

    public static async Task<Results<Ok<ComplianceReportDto>, ValidationProblem>> ComplianceReport([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct);
        if (data is null) return TypedResults.ValidationProblem(errors);
        var (grouped, total, people, compliant, certifications) = await Reports.ComplianceAsync(db, data, query.Grouping, ct);
        return TypedResults.Ok(new ComplianceReportDto(data.AsOf, data.CurrentFigures, query.Grouping.ToString(), grouped, total, people, compliant,
            Metrics.Rate(compliant, people), certifications,
            [Metrics.Population, Metrics.Required, Metrics.Compliant, Metrics.ComplianceRate, Metrics.Overdue, Metrics.Certified, Metrics.CertificationExpiring]));
    }

    /// <summary>
    /// A dashboard (<see cref="Dashboard"/>) with the report filters and <c>weeks</c> of trend (12, 26 or 52): a
    /// manager's is about their team, broken down by person; an administrator's about everyone they may see, by org unit.
    /// </summary>
    public static async Task<Results<Ok<DashboardDto>, ValidationProblem>> GetDashboard([AsParameters] ReportQuery query, int? weeks, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var shown = weeks ?? Dashboard.WeekChoices[0];
        var (opened, errors) = await BeginAsync(query, http, db, time, ct,
            Dashboard.WeekChoices.Contains(shown) ? null : new Dictionary<string, string[]> { ["weeks"] = [$"must be one of {string.Join(", ", Dashboard.WeekChoices)}"] });
        if (opened is not var (scope, filter)) return TypedResults.ValidationProblem(errors);
        var data = await Reports.OpenAsync(db, scope, filter, ct);
        var figures = await Dashboard.ReadAsync(db, data, Dashboard.BreakdownFor(scope, filter), shown, ct);
        return TypedResults.Ok(new DashboardDto(data.AsOf, data.CurrentFigures, await Reports.DescribeAsync(db, scope, filter, ct), shown, figures,
            Metrics.Rate(figures.CompliantPeople, figures.People),
            [Metrics.Population, Metrics.Assigned, Metrics.Completed, Metrics.CompletionRate, Metrics.Overdue, Metrics.Required, Metrics.Compliant,
             Metrics.ComplianceRate, Metrics.Certified, Metrics.CertificationExpiring, Metrics.PeriodPopulation, Metrics.NewAssignments, Metrics.Completions,
             Metrics.ActiveLearners, Metrics.SignedIn]));
    }

    public static async Task<Results<Ok<ExpiringReportDto>, ValidationProblem>> ExpiringReport([AsParameters] ReportQuery query, int? within,
        [AsParameters] PageRequest paging, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (expiring, errors) = await OpenExpiringAsync(query, within, http, db, time, ct, paging.Validate());
        if (expiring is not var (asOf, days, rows)) return TypedResults.ValidationProblem(errors);
        var page = await rows.ToPageAsync(paging, ct);
        return TypedResults.Ok(new ExpiringReportDto(asOf, days, page, [Metrics.Population, Metrics.Certified, Metrics.CertificationExpiring]));
    }

    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportExpiring([AsParameters] ReportQuery query, int? within, string? format,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (expiring, errors) = await OpenExpiringAsync(query, within, http, db, time, ct, ExportFormat.Validate(format));
        if (expiring is not var (asOf, days, rows)) return TypedResults.ValidationProblem(errors);
        await ExportFormat.WriteAsync(db, http.Response, format, $"certifications-expiring-within-{days}-days", asOf, rows.AsAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>The expiring certifications' opening: <c>within</c> (30 days when absent) checked with the query, then the rows.</summary>
    private static async Task<((DateTimeOffset AsOf, int Days, IQueryable<ExpiringRow> Rows)? Expiring, Dictionary<string, string[]> Errors)> OpenExpiringAsync(
        ReportQuery query, int? within, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct, IReadOnlyDictionary<string, string[]> moreErrors)
    {
        var days = within ?? 30;
        var (data, errors) = await OpenAsync(query, http, db, time, ct, Merge(moreErrors, ValidateWithin(days)));
        return (data is null ? null : (data.AsOf, days, Reports.Expiring(db, data.Source, data.AsOf, days)), errors);
    }

    private static Dictionary<string, string[]> ValidateWithin(int days) =>
        days is >= 1 and <= MaxWithinDays ? [] : new() { ["within"] = [$"must be a number of days from 1 to {MaxWithinDays}"] };

    private static Dictionary<string, string[]> Merge(IReadOnlyDictionary<string, string[]> first, IReadOnlyDictionary<string, string[]> second) =>
        first.Concat(second).ToDictionary();

    /// <summary>
    /// A person's transcript, within the caller's scope: someone outside it (or not counted: deactivated, erased) is not
    /// found, so the answer does not tell who exists.
    /// </summary>
    public static async Task<Results<Ok<TranscriptDto>, NotFound, ValidationProblem>> TranscriptReport(Guid userId, [AsParameters] ReportQuery query,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (transcript, errors) = await OpenTranscriptAsync(userId, query, http, db, time, ct);
        if (transcript is null) return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.NotFound();
        var rows = await Reports.Transcript(db, transcript.Value.Source.Rows, userId).ToListAsync(ct);
        return TypedResults.Ok(new TranscriptDto(transcript.Value.Filter.AsOf, transcript.Value.Person, rows,
            [Metrics.Population, Metrics.NotStarted, Metrics.InProgress, Metrics.Completed, Metrics.Paused, Metrics.Overdue, Metrics.Required]));
    }

    public static async Task<Results<EmptyHttpResult, NotFound, ValidationProblem>> ExportTranscript(Guid userId, [AsParameters] ReportQuery query, string? format,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (transcript, errors) = await OpenTranscriptAsync(userId, query, http, db, time, ct, ExportFormat.Validate(format));
        if (transcript is null) return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : TypedResults.NotFound();
        await ExportFormat.WriteAsync(db, http.Response, format, $"transcript-{userId:N}", transcript.Value.Filter.AsOf,
            Reports.Transcript(db, transcript.Value.Source.Rows, userId).AsAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>
    /// A transcript's opening: the person, if the caller's scope reaches them and they are counted (someone outside it,
    /// deactivated or erased is not found, so the answer does not tell who exists), placed where they sit now.
    /// </summary>
    private static async Task<((ReportFilter Filter, ReportSource Source, TranscriptPersonDto Person)? Transcript, Dictionary<string, string[]> Errors)> OpenTranscriptAsync(
        Guid userId, ReportQuery query, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct,
        IReadOnlyDictionary<string, string[]>? moreErrors = null)
    {
        var (opened, errors) = await BeginAsync(query with { OrgUnitId = null, ManagerId = null }, http, db, time, ct, moreErrors);
        if (opened is not var (scope, filter)) return (null, errors);
        var source = await Reports.SourceAsync(db, scope, filter, ct);
        var person = await (from u in source.People
                            where u.UserId == userId
                            join o in db.OrgUnits on u.OrgUnitId equals o.Id into units
                            from o in units.DefaultIfEmpty()
                            join m in db.Users on u.ManagerId equals m.UserId into managers
                            from m in managers.DefaultIfEmpty()
                            select new TranscriptPersonDto(u.UserId, u.DisplayName, u.Email, u.OrgUnitId, o.Name, u.ManagerId, m.DisplayName)).FirstOrDefaultAsync(ct);
        return (person is null ? null : (filter, source, person), errors);
    }

    public static async Task<Results<Ok<TrendReportDto>, ValidationProblem>> TrendReport([AsParameters] TrendQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var (opened, errors) = await OpenRangeAsync(query, http, db, time, ct);
        if (opened is not var (source, periods, _)) return TypedResults.ValidationProblem(errors);
        var points = await Trends.CountAsync(db, source, periods, ct);
        return TypedResults.Ok(new TrendReportDto(periods[0].Start, periods[^1].End, query.Period.ToString(), points,
            [Metrics.PeriodPopulation, Metrics.NewAssignments, Metrics.Completions, Metrics.ActiveLearners]));
    }

    /// <summary>
    /// A report over a range (<see cref="TrendQuery"/>): the query checked, the people and courses in the caller's scope,
    /// and the periods, from the start of the one holding 'from' (a whole first week or month) to 'to'; and whether it
    /// covers everyone (a global scope and no filter of people), as organisation-wide facts need.
    /// </summary>
    private static async Task<((ReportSource Source, List<(DateTimeOffset Start, DateTimeOffset End)> Periods, bool Everyone)? Opened, Dictionary<string, string[]> Errors)> OpenRangeAsync(
        TrendQuery query, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct, IReadOnlyDictionary<string, string[]>? moreErrors = null)
    {
        var now = time.GetUtcNow();
        if (Merge(query.Validate(now), moreErrors ?? new Dictionary<string, string[]>()) is { Count: > 0 } errors) return (null, errors);
        var (from, to) = query.Range(now);
        var scope = await ReportScope.ForAsync(http.User, db, ct);
        var filter = query.Filters.ToFilter(now);
        var source = await Reports.SourceAsync(db, scope, filter, ct);
        var everyone = scope.Global && filter is { OrgUnitId: null, ManagerId: null, AudienceId: null };
        return ((source, Trends.Periods(from, to, query.Period), everyone), []);
    }

    /// <summary>The provisioning health report (<see cref="Provisioning"/>): the range and filters of a trend.</summary>
    public static async Task<Results<Ok<ProvisioningReportDto>, ValidationProblem>> ProvisioningReport([AsParameters] TrendQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (opened, errors) = await OpenRangeAsync(query, http, db, time, ct);
        if (opened is not var (source, periods, everyone)) return TypedResults.ValidationProblem(errors);
        var people = await Provisioning.PeopleAsync(db, source.People, ct);
        // Imports are a few a day at most: a year's range is hundreds of rows.
        var runs = everyone ? await Provisioning.Runs(db, periods[0].Start, periods[^1].End).ToListAsync(ct) : [];
        return TypedResults.Ok(new ProvisioningReportDto(periods[0].Start, periods[^1].End, query.Period.ToString(), people, everyone,
            everyone ? Provisioning.PerPeriod(runs, periods) : [], [.. runs.Take(Provisioning.MaxRuns)], Provisioning.Definitions));
    }

    /// <summary>The report's imports, one row each: none for a report that does not cover everyone, as on the page.</summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportProvisioning([AsParameters] TrendQuery query, string? format,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (opened, errors) = await OpenRangeAsync(query, http, db, time, ct, ExportFormat.Validate(format));
        if (opened is not var (_, periods, everyone)) return TypedResults.ValidationProblem(errors);
        var runs = Provisioning.Runs(db, periods[0].Start, periods[^1].End);
        await ExportFormat.WriteAsync(db, http.Response, format, "imports", periods[^1].End, (everyone ? runs : runs.Take(0)).AsAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>The notification delivery report (<see cref="Deliveries"/>): the range and filters of a trend.</summary>
    public static async Task<Results<Ok<DeliveryReportDto>, ValidationProblem>> DeliveryReport([AsParameters] TrendQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (opened, errors) = await OpenRangeAsync(query, http, db, time, ct);
        if (opened is not var (source, periods, _)) return TypedResults.ValidationProblem(errors);
        var outcomes = Deliveries.Outcomes(db, source, periods[0].Start, periods[^1].End);
        var (rows, total) = await Deliveries.ByTypeAsync(outcomes, ct);
        return TypedResults.Ok(new DeliveryReportDto(periods[0].Start, periods[^1].End, query.Period.ToString(), rows, total,
            await Deliveries.PerPeriodAsync(db, outcomes, periods, ct),
            [Metrics.EmailPopulation, Metrics.EmailsSent, Metrics.EmailsBounced, Metrics.EmailsGaveUp, Metrics.DeliveryRate, Metrics.EmailsRetried]));
    }

    /// <summary>
    /// The figures of a completion or compliance report (both count the same rows, with the same columns) as CSV: a row
    /// per course or org unit, then the total.
    /// </summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportFigures(string report, [AsParameters] ReportQuery query, string? format,
        HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct, ExportFormat.Validate(format));
        if (data is null) return TypedResults.ValidationProblem(errors);
        var (grouped, total) = await Reports.CountsAsync(db, data.Assignments, query.Grouping, ct);
        await ExportFormat.WriteAsync(db, http.Response, format, report, data.AsOf, grouped.Append(total).ToAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>The compliance audit pack (<see cref="AuditPack"/>): the compliance report's figures, by course, with the same filters and scope.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ComplianceAuditPack([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        // Opened in its two steps, so the scope and filter that describe the pack are the ones its figures were read with.
        var (opened, errors) = await BeginAsync(query, http, db, time, ct, moreErrors: null);
        if (opened is not var (scope, filter)) return TypedResults.ValidationProblem(errors);
        var data = await Reports.OpenAsync(db, scope, filter, ct);
        var (courses, total, people, compliant, certifications) = await Reports.ComplianceAsync(db, data, GroupBy.Course, ct);
        var overdue = await Reports.Overdue(db, data.Source, data.AsOf).Take(AuditPack.MaxOverdueRows).ToListAsync(ct);
        var pack = new AuditPackContent(await Reports.DescribeAsync(db, scope, filter, ct), data.AsOf, data.CurrentFigures, time.GetUtcNow(),
            LmsPlatform.ServiceDefaults.Security.Caller.NameOf(http.User), total, courses, people, compliant, certifications, overdue, total.Overdue);
        return TypedResults.File(AuditPack.Render(pack), "application/pdf", $"compliance-audit-pack-as-of-{data.AsOf.UtcDateTime:yyyyMMdd-HHmmss}.pdf");
    }

    public static async Task<Results<Ok<UsageReportDto>, ValidationProblem>> UsageReport([AsParameters] ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct);
        if (data is null) return TypedResults.ValidationProblem(errors);
        var usage = await Usage.ReadAsync(db, data.Source, ct);
        return TypedResults.Ok(new UsageReportDto(data.AsOf, usage.Rows, usage.Total, usage.UnassignedCourses, Usage.Definitions));
    }

    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportUsage([AsParameters] ReportQuery query, string? format, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct, ExportFormat.Validate(format));
        if (data is null) return TypedResults.ValidationProblem(errors);
        var usage = await Usage.ReadAsync(db, data.Source, ct);
        await ExportFormat.WriteAsync(db, http.Response, format, "item-usage", data.AsOf, usage.Rows.Append(usage.Total).ToAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>Every overdue assignment, streamed from the database to the download a row at a time.</summary>
    public static async Task<Results<EmptyHttpResult, ValidationProblem>> ExportOverdue([AsParameters] ReportQuery query, string? format, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        var (data, errors) = await OpenAsync(query, http, db, time, ct, ExportFormat.Validate(format));
        if (data is null) return TypedResults.ValidationProblem(errors);
        await ExportFormat.WriteAsync(db, http.Response, format, "overdue", data.AsOf, Reports.Overdue(db, data.Source, data.AsOf).AsAsyncEnumerable(), ct);
        return TypedResults.Empty;
    }

    /// <summary>
    /// Every report's opening: the query checked (with any of the endpoint's own <paramref name="moreErrors"/>), then what
    /// it reads, inside the caller's scope. Null data comes with the errors to answer with.
    /// </summary>
    private static async Task<(ReportData? Data, Dictionary<string, string[]> Errors)> OpenAsync(ReportQuery query, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct, IReadOnlyDictionary<string, string[]>? moreErrors = null)
    {
        var (opened, errors) = await BeginAsync(query, http, db, time, ct, moreErrors);
        return opened is var (scope, filter) ? (await Reports.OpenAsync(db, scope, filter, ct), errors) : (null, errors);
    }

    /// <summary>The query checked (with any of the endpoint's own <paramref name="moreErrors"/>), and the caller's scope; null with the errors to answer with.</summary>
    private static async Task<((ReportScope Scope, ReportFilter Filter)? Opened, Dictionary<string, string[]> Errors)> BeginAsync(ReportQuery query, HttpContext http,
        AnalyticsDbContext db, TimeProvider time, CancellationToken ct, IReadOnlyDictionary<string, string[]>? moreErrors)
    {
        var now = time.GetUtcNow();
        var errors = query.Validate(now);
        foreach (var (key, value) in moreErrors ?? new Dictionary<string, string[]>()) errors[key] = value;
        if (errors.Count > 0) return (null, errors);
        return ((await ReportScope.ForAsync(http.User, db, ct), query.ToFilter(now)), errors);
    }
}

/// <summary>An export's file format: <c>csv</c> (the default) or <c>xlsx</c>.</summary>
public static class ExportFormat
{
    public static Dictionary<string, string[]> Validate(string? format) =>
        format is null || format.Equals("csv", StringComparison.OrdinalIgnoreCase) || format.Equals("xlsx", StringComparison.OrdinalIgnoreCase)
            ? [] : new() { ["format"] = ["must be 'csv' or 'xlsx'"] };

    /// <summary>
    /// A report's rows as a download ("overdue-as-of-20261206-101500.xlsx"), streamed from the database as they come
    /// (<see cref="Streaming.StreamAsync"/>: not buffered by the retrying strategy).
    /// </summary>
    public static Task WriteAsync<T>(DbContext db, HttpResponse response, string? format, string report, DateTimeOffset asOf, IAsyncEnumerable<T> rows,
        CancellationToken ct)
    {
        var name = $"{report}-as-of-{asOf.UtcDateTime:yyyyMMdd-HHmmss}";
        return db.StreamAsync(token => string.Equals(format, "xlsx", StringComparison.OrdinalIgnoreCase)
            ? XlsxFile.WriteAsync(response, $"{name}.xlsx", report, rows, token)
            : CsvFile.WriteAsync(response, $"{name}.csv", rows, token), ct);
    }
}
