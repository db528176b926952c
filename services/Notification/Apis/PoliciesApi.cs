using LmsPlatform.Contracts.Security;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Apis;

public sealed record ReminderPolicyDto(Guid? CourseId, int[] DaysBefore, int? EscalateAfterDays, int? SecondEscalationAfterDays, bool Inherited, DateTimeOffset? UpdatedAt,
    string? CourseTitle = null);

public sealed record ReminderPolicyRequest(int[]? DaysBefore, int? EscalateAfterDays, int? SecondEscalationAfterDays)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (DaysBefore is null) errors["daysBefore"] = ["is required (an empty list for no reminders)"];
        else if (DaysBefore.Length > 10 || DaysBefore.Any(d => d is < 0 or > 365) || DaysBefore.Distinct().Count() != DaysBefore.Length)
            errors["daysBefore"] = ["must be at most 10 different days from 0 to 365"];
        if (EscalateAfterDays is < 0 or > 365) errors["escalateAfterDays"] = ["must be from 0 to 365 days, or none"];
        if (SecondEscalationAfterDays is < 0 or > 365) errors["secondEscalationAfterDays"] = ["must be from 0 to 365 days, or none"];
        else if (SecondEscalationAfterDays is { } second && EscalateAfterDays is { } first && second < first)
            errors["secondEscalationAfterDays"] = ["must not come before the first escalation"];
        return errors;
    }
}

/// <summary>
/// When people are reminded of due dates and when lateness goes up the manager ladder: organisation-wide, or per
/// course (which replaces the organisation's for that course).
/// </summary>
public static class PoliciesApi
{
    public static IEndpointRouteBuilder MapPoliciesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/reminder-policy").WithTags("Reminders").RequireAuthorization(Permissions.NotificationsManage);
        api.MapGet("/", GetGlobal).WithName("GetReminderPolicy").WithSummary("The organisation's reminder and escalation policy");
        api.MapPut("/", PutGlobal).WithName("SetReminderPolicy").WithSummary("Set the organisation's reminder and escalation policy");
        api.MapGet("/courses", ListCourses).WithName("ListCourseReminderPolicies").WithSummary("The courses with a policy of their own");
        api.MapGet("/courses/{courseId:guid}", GetCourse).WithName("GetCourseReminderPolicy").WithSummary("A course's policy (the organisation's unless it has its own)");
        api.MapPut("/courses/{courseId:guid}", PutCourse).WithName("SetCourseReminderPolicy").WithSummary("Give a course a policy of its own");
        api.MapDelete("/courses/{courseId:guid}", DeleteCourse).WithName("ClearCourseReminderPolicy").WithSummary("Let a course follow the organisation's policy again");
        return app;
    }

    private static ReminderPolicyDto Dto(ReminderPolicy p, Guid? courseId, bool inherited, string? title = null) =>
        new(courseId, [.. p.DaysBefore.OrderDescending()], p.EscalateAfterDays, p.SecondEscalationAfterDays, inherited, p.UpdatedAt == default ? null : p.UpdatedAt, title);

    private static Task<string?> TitleAsync(NotificationDbContext db, Guid courseId, CancellationToken ct) =>
        db.Items.Where(i => i.Id == courseId).Select(i => i.Title).FirstOrDefaultAsync(ct);

    public static async Task<Ok<List<ReminderPolicyDto>>> ListCourses(NotificationDbContext db, CancellationToken ct)
    {
        var own = await (from p in db.ReminderPolicies.AsNoTracking().Where(p => p.CourseId != null)
                         join i in db.Items on p.CourseId equals i.Id into items
                         from i in items.DefaultIfEmpty()
                         orderby i.Title
                         select new { Policy = p, Title = i == null ? null : i.Title }).ToListAsync(ct);
        return TypedResults.Ok(own.Select(o => Dto(o.Policy, o.Policy.CourseId, false, o.Title)).ToList());
    }

    private static async Task<ReminderPolicy> GlobalAsync(NotificationDbContext db, CancellationToken ct) =>
        await db.ReminderPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.CourseId == null, ct) ?? ReminderPolicy.Default;

    public static async Task<Ok<ReminderPolicyDto>> GetGlobal(NotificationDbContext db, CancellationToken ct) =>
        TypedResults.Ok(Dto(await GlobalAsync(db, ct), null, false));

    public static Task<Results<Ok<ReminderPolicyDto>, ValidationProblem>> PutGlobal(ReminderPolicyRequest request, NotificationDbContext db, TimeProvider time, CancellationToken ct) =>
        SaveAsync(null, request, db, time, ct);

    public static async Task<Ok<ReminderPolicyDto>> GetCourse(Guid courseId, NotificationDbContext db, CancellationToken ct) =>
        await db.ReminderPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.CourseId == courseId, ct) is { } own
            ? TypedResults.Ok(Dto(own, courseId, false, await TitleAsync(db, courseId, ct)))
            : TypedResults.Ok(Dto(await GlobalAsync(db, ct), courseId, true, await TitleAsync(db, courseId, ct)));

    public static Task<Results<Ok<ReminderPolicyDto>, ValidationProblem>> PutCourse(Guid courseId, ReminderPolicyRequest request, NotificationDbContext db,
        TimeProvider time, CancellationToken ct) => SaveAsync(courseId, request, db, time, ct);

    public static async Task<NoContent> DeleteCourse(Guid courseId, NotificationDbContext db, CancellationToken ct)
    {
        await db.ReminderPolicies.Where(p => p.CourseId == courseId).ExecuteDeleteAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ReminderPolicyDto>, ValidationProblem>> SaveAsync(Guid? courseId, ReminderPolicyRequest request, NotificationDbContext db,
        TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var policy = await db.ReminderPolicies.FirstOrDefaultAsync(p => p.CourseId == courseId, ct);
        if (policy is null) db.ReminderPolicies.Add(policy = new ReminderPolicy { Id = Guid.CreateVersion7(), CourseId = courseId });
        policy.DaysBefore = request.DaysBefore!;
        policy.EscalateAfterDays = request.EscalateAfterDays;
        policy.SecondEscalationAfterDays = request.SecondEscalationAfterDays;
        policy.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(Dto(policy, courseId, false, courseId is { } id ? await TitleAsync(db, id, ct) : null));
    }
}
