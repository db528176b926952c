using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Apis;

/// <summary>
/// A new schedule: the report (<c>completion</c> or <c>compliance</c>), how often (<c>daily</c>, <c>weekly</c>,
/// <c>monthly</c>), the report page's filters (checked as the report checks them), and the recipients by email: the
/// caller, or people within the caller's reports' reach.
/// </summary>
public sealed record ScheduleRequest(string? Name, string? Report, string? Frequency, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId,
    Guid? CategoryId, string? GroupBy, string[]? RecipientEmails, Guid? AudienceId = null)
{
    /// <summary>The report query the schedule keeps: the filters, about now.</summary>
    public ReportQuery Query => new(null, OrgUnitId, ManagerId, Indirect ?? true, CourseId, CategoryId, GroupBy ?? "course", AudienceId);
}

public sealed record ScheduleRecipientDto(Guid UserId, string DisplayName, string Email);

public sealed record ScheduleDto(Guid Id, string Name, string Report, string Frequency, ReportQuery Query, IReadOnlyList<ScheduleRecipientDto> Recipients,
    Guid OwnerId, string OwnerName, DateTimeOffset CreatedAt, DateTimeOffset NextRunAt, DateTimeOffset? LastRunAt, string? LastOutcome);

public sealed record ScheduleRunDto(Guid ScheduleId, string Outcome, bool Sent);

public static class SchedulesApi
{
    public static IEndpointRouteBuilder MapSchedulesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/analytics/report-schedules").WithTags("Reports").RequireAuthorization(Permissions.ReportsRead);
        api.MapGet("", ListSchedules).WithName("ListReportSchedules")
            .WithSummary("The caller's scheduled reports (everyone's, with reports.manage), each with its next run and what its last run did");
        api.MapPost("", CreateSchedule).WithName("CreateReportSchedule")
            .WithSummary("Email a report daily, weekly or monthly to recipients within the caller's reach; it runs as the caller, with their permissions when it runs");
        api.MapPost("/{id:guid}/send", SendNow).WithName("SendReportScheduleNow").WithSummary("Run a schedule now (its next run stays as it was)");
        api.MapDelete("/{id:guid}", DeleteSchedule).WithName("DeleteReportSchedule").WithSummary("Stop a scheduled report");
        return app;
    }

    public static async Task<Ok<List<ScheduleDto>>> ListSchedules(HttpContext http, AnalyticsDbContext db, CancellationToken ct)
    {
        var schedules = await Visible(http, db).AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(await DtosAsync(db, schedules, ct));
    }

    public static async Task<Results<Created<ScheduleDto>, ValidationProblem>> CreateSchedule(ScheduleRequest request, HttpContext http, AnalyticsDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        var errors = new ValidationErrors().Required("name", request.Name, 200)
            .Check(request.Report is not null && ScheduledReports.Kinds.Contains(request.Report), "report", "must be 'completion' or 'compliance'")
            .Check(Enum.TryParse<ScheduleFrequency>(request.Frequency, ignoreCase: true, out var frequency) && !int.TryParse(request.Frequency, out _),
                "frequency", "must be 'daily', 'weekly' or 'monthly'")
            .Check(request.RecipientEmails is { Length: > 0 and <= ScheduledReports.MaxRecipients }, "recipientEmails",
                $"must name between 1 and {ScheduledReports.MaxRecipients} people");
        // The filters, as the report itself checks them.
        foreach (var (field, messages) in request.Query.Validate(time.GetUtcNow())) foreach (var message in messages) errors.Add(field, message);
        if (Caller.UserIdOf(http.User) is not { } ownerId)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["owner"] = ["a schedule runs as a person; an integration client cannot own one"] });

        // Each recipient by email: someone the caller's reports reach (or the caller), named row by row when not.
        var emails = (request.RecipientEmails ?? []).Select(e => e.Trim()).ToList();
        var normalised = emails.Select(e => e.ToUpperInvariant()).Distinct().ToList();
        var scope = await ReportScope.ForAsync(http.User, db, ct);
        var found = await db.Users.AsNoTracking().Where(u => normalised.Contains(u.Email.ToUpper())).Select(u => new { u.UserId, u.Email }).ToListAsync(ct);
        var allowed = (await ScheduledReports.RecipientsAsync(db, scope, ownerId, [.. found.Select(f => f.UserId)], ct)).ToDictionary(u => u.Email.ToUpperInvariant(), u => u.UserId);
        for (var i = 0; i < emails.Count; i++)
            errors.Check(allowed.ContainsKey(emails[i].ToUpperInvariant()), $"recipientEmails[{i}]",
                $"'{emails[i]}' is not an active person within your reports' reach");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var now = time.GetUtcNow();
        var schedule = new ReportSchedule
        {
            Id = Guid.CreateVersion7(now), Name = request.Name!.Trim(), Report = request.Report!, Frequency = frequency,
            Query = request.Query with { GroupBy = request.Query.Grouping == GroupBy.OrgUnit ? "orgUnit" : "course" },
            RecipientIds = [.. allowed.Values.Distinct()], OwnerId = ownerId, OwnerName = Caller.NameOf(http.User), CreatedAt = now,
            NextRunAt = ReportSchedule.NextAfter(frequency, now),
        };
        db.ReportSchedules.Add(schedule);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/analytics/report-schedules/{schedule.Id}", (await DtosAsync(db, [schedule], ct))[0]);
    }

    /// <summary>Runs the schedule now, as its owner, in one transaction with its event (the row locked against the worker).</summary>
    public static async Task<Results<Ok<ScheduleRunDto>, NotFound>> SendNow(Guid id, HttpContext http, AnalyticsDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!await Visible(http, db).AnyAsync(s => s.Id == id, ct)) return TypedResults.NotFound();
        return TypedResults.Ok(await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            var now = time.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var schedule = await db.ReportSchedules.FromSql($"SELECT * FROM report_schedules WHERE \"Id\" = {id} FOR UPDATE").SingleAsync(ct);
            var (sent, outcome) = await ScheduledReports.SendAsync(db, schedule, now, scheduled: false, ct);
            await transaction.CommitAsync(ct);
            return new ScheduleRunDto(id, outcome, sent);
        }));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteSchedule(Guid id, HttpContext http, AnalyticsDbContext db, CancellationToken ct) =>
        await Visible(http, db).Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0 ? TypedResults.NotFound() : TypedResults.NoContent();

    /// <summary>The schedules the caller may see and change: their own, or everyone's with reports.manage. Others are not found.</summary>
    private static IQueryable<ReportSchedule> Visible(HttpContext http, AnalyticsDbContext db)
    {
        if (http.User.HasClaim(LmsClaims.Permission, Permissions.ReportsManage)) return db.ReportSchedules;
        var me = Caller.UserIdOf(http.User);
        return db.ReportSchedules.Where(s => s.OwnerId == me);
    }

    private static async Task<List<ScheduleDto>> DtosAsync(AnalyticsDbContext db, List<ReportSchedule> schedules, CancellationToken ct)
    {
        var ids = schedules.SelectMany(s => s.RecipientIds).Distinct().ToList();
        var people = await db.Users.AsNoTracking().Where(u => ids.Contains(u.UserId)).ToDictionaryAsync(u => u.UserId, ct);
        return [.. schedules.Select(s => new ScheduleDto(s.Id, s.Name, s.Report, s.Frequency.ToString().ToLowerInvariant(), s.Query,
            [.. s.RecipientIds.Where(people.ContainsKey).Select(r => new ScheduleRecipientDto(r, people[r].DisplayName, people[r].Email))],
            s.OwnerId, s.OwnerName, s.CreatedAt, s.NextRunAt, s.LastRunAt, s.LastOutcome))];
    }
}
