using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

/// <summary>One of a manager's people, with where they stand: open assignments, overdue, finished, certifications due.</summary>
public sealed record TeamMemberDto(Guid UserId, string DisplayName, string? JobTitle, bool Direct, int Open, int Overdue, int Completed,
    int CertificationsExpiring, int CertificationsExpired);

/// <summary>
/// A manager's view of their team: the people who report to them, directly or down the whole chain (as enrolment's
/// copies of identity's users have it), with each person's assignments. A manager sees only their own people: anyone
/// else's record is answered as not found.
/// </summary>
public static class TeamApi
{
    /// <summary>How far ahead a certification counts as expiring on the team page.</summary>
    public const int ExpiringDays = 30;

    public static IEndpointRouteBuilder MapTeamApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment/team").WithTags("Team");
        api.MapGet("/", Team).WithName("MyTeamLearning").WithSummary("The people who report to the caller, each with open, overdue and finished assignments and certifications due").RequireAuthorization(Permissions.TeamRead);
        api.MapGet("/{userId:guid}/enrolments", MemberLearning).WithName("TeamMemberLearning").WithSummary("One of the caller's people's assignments, open first, soonest due first").RequireAuthorization(Permissions.TeamRead);
        return app;
    }

    /// <summary>The people below <paramref name="managerId"/> in the management chain, each with whether they report directly.</summary>
    public static async Task<Dictionary<Guid, bool>> ReportsOfAsync(EnrolmentDbContext db, Guid managerId, CancellationToken ct) =>
        (await db.Database.SqlQuery<Report>($"""
            WITH RECURSIVE reports AS (
                SELECT "UserId", 1 AS "Depth" FROM learners WHERE "ManagerId" = {managerId} AND NOT "Erased"
                UNION SELECT l."UserId", r."Depth" + 1 FROM learners l JOIN reports r ON l."ManagerId" = r."UserId" WHERE r."Depth" < 50 AND NOT l."Erased")
            SELECT "UserId", min("Depth") AS "Depth" FROM reports GROUP BY "UserId"
            """).ToListAsync(ct)).ToDictionary(r => r.UserId, r => r.Depth == 1);

    public sealed record Report(Guid UserId, int Depth);

    public static async Task<Results<Ok<List<TeamMemberDto>>, NotFound>> Team(ClaimsPrincipal user, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (EnrolmentActor.From(user).Id is not { } me) return TypedResults.NotFound();
        var reports = await ReportsOfAsync(db, me, ct);
        var ids = reports.Keys.ToList();
        var now = time.GetUtcNow();
        var people = await db.Learners.AsNoTracking().Where(l => ids.Contains(l.UserId)).ToListAsync(ct);
        var mine = db.Enrolments.AsNoTracking().Where(e => ids.Contains(e.UserId));
        var open = await CountsAsync(mine.Where(e => e.Status == EnrolmentStatus.Enrolled || e.Status == EnrolmentStatus.InProgress), ct);
        var overdue = await CountsAsync(mine.Where(CourseEnrolment.OverdueAt(now)), ct);
        var completed = await CountsAsync(mine.Where(e => e.Status == EnrolmentStatus.Completed || e.Status == EnrolmentStatus.Waived), ct);
        var until = now.AddDays(ExpiringDays);
        var certifications = db.Certifications.AsNoTracking().Where(c => ids.Contains(c.UserId));
        var expiring = await CountsAsync(certifications.Where(c => c.Status != CertificationStatus.Expired && c.ExpiresAt <= until).Select(c => c.UserId), ct);
        var expired = await CountsAsync(certifications.Where(c => c.Status == CertificationStatus.Expired).Select(c => c.UserId), ct);
        return TypedResults.Ok(people
            .Select(p => new TeamMemberDto(p.UserId, p.DisplayName, p.JobTitle, reports[p.UserId], open.GetValueOrDefault(p.UserId), overdue.GetValueOrDefault(p.UserId),
                completed.GetValueOrDefault(p.UserId), expiring.GetValueOrDefault(p.UserId), expired.GetValueOrDefault(p.UserId)))
            .OrderByDescending(m => m.Overdue + m.CertificationsExpired).ThenBy(m => m.DisplayName, StringComparer.OrdinalIgnoreCase).ToList());
    }

    private static Task<Dictionary<Guid, int>> CountsAsync(IQueryable<CourseEnrolment> enrolments, CancellationToken ct) =>
        CountsAsync(enrolments.Select(e => e.UserId), ct);

    private static Task<Dictionary<Guid, int>> CountsAsync(IQueryable<Guid> userIds, CancellationToken ct) =>
        userIds.GroupBy(id => id).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    public static async Task<Results<Ok<Page<MyEnrolmentDto>>, ValidationProblem, NotFound>> MemberLearning(Guid userId, [AsParameters] PageRequest paging,
        ClaimsPrincipal user, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (EnrolmentActor.From(user).Id is not { } me || !(await ReportsOfAsync(db, me, ct)).ContainsKey(userId)) return TypedResults.NotFound();
        return TypedResults.Ok(await EnrolmentsApi.LearningOfAsync(db, userId, paging, time.GetUtcNow(), ct));
    }
}
