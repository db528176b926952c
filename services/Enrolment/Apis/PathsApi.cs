using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

public sealed record PathEnrolmentRequest(Guid[]? UserIds, DateTimeOffset? DueAt, string? Note, string? OverridePrerequisites = null)
{
    public Dictionary<string, string[]> Validate(DateTimeOffset now) => new ValidationErrors()
        .Check(UserIds is { Length: > 0 }, "userIds", "must name at least one person")
        .Check(UserIds is null || UserIds.Length <= BatchEnrolmentRequest.Most, "userIds", $"must name at most {BatchEnrolmentRequest.Most} people (use an import for more)")
        .Check(UserIds is null || UserIds.All(id => id != Guid.Empty), "userIds", "must not contain an empty id")
        .Check(DueAt is null || DueAt > now, "dueAt", "must be in the future")
        .Check(Note is null || Note.Length <= 500, "note", "must be at most 500 characters")
        .ToDictionary();
}

/// <summary>
/// A person's learning path and how far they are: required courses done of all required, optional ones done and
/// needed (the path's rule), by their first completion or waiver of each course.
/// </summary>
public sealed record PathEnrolmentDto(Guid Id, Guid UserId, string? LearnerName, Guid PathId, string? Code, string? Title, int Version, string Status,
    bool Overdue, DateTimeOffset EnrolledAt, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, int RequiredDone, int Required, int OptionalDone,
    int OptionalNeeded, string Source, string? SourceReference)
{
    public static PathEnrolmentDto From(PathEnrolment p, string? learnerName, PathCopy? path, IReadOnlyDictionary<Guid, DateTimeOffset> completions, DateTimeOffset now)
    {
        var (requiredDone, required, optionalDone, optionalNeeded) = p.Progress(completions.Keys.ToHashSet());
        return new(p.Id, p.UserId, learnerName, p.PathId, path?.Code, path?.Title, p.Version, p.Status.ToString(),
            p.Status == PathStatus.Enrolled && p.DueAt < now, p.EnrolledAt, p.DueAt, p.CompletedAt, requiredDone, required, optionalDone, optionalNeeded,
            p.SourceKind.ToString(), p.SourceReference);
    }
}

/// <summary>Learning path enrolments: assigning a path (its courses with it), who is on it and how far, and the learner's own.</summary>
public static class PathsApi
{
    public static IEndpointRouteBuilder MapPathsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment").WithTags("Learning paths");
        api.MapPost("/paths/{pathId:guid}/enrolments", Assign).WithName("EnrolOnPath").WithSummary("Enrol people on a learning path (and so on its courses); each person's outcome").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/paths/{pathId:guid}/enrolments", List).WithName("PathEnrolments").WithSummary("Who is on a learning path and how far each is, paged").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/learners/{userId:guid}/paths", (Guid userId, [AsParameters] PageRequest paging, EnrolmentDbContext db, PathAssignments paths,
                TimeProvider time, CancellationToken ct) => OfAsync(userId, paging, db, paths, time, ct))
            .WithName("LearnerPaths").WithSummary("A person's learning paths and how far they are").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/me/paths", Mine).WithName("MyPaths").WithSummary("The signed-in person's learning paths and how far they are").RequireAuthorization();
        return app;
    }

    public static async Task<Results<Ok<BatchEnrolmentResponse>, ValidationProblem, Conflict<ProblemDetails>>> Assign(
        Guid pathId, PathEnrolmentRequest request, HttpContext http, PathAssignments paths, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate(time.GetUtcNow()) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var actor = EnrolmentActor.From(http.User);
        IReadOnlyList<AssignmentOutcome> outcomes;
        try
        {
            outcomes = await paths.AssignAsync(request.UserIds!, pathId, request.DueAt, EnrolmentSource.Manual(actor, request.Note), actor, ct, request.OverridePrerequisites);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("Someone enrolled some of these people at the same time; send the request again.", "userIds");
        }
        return TypedResults.Ok(new BatchEnrolmentResponse(
            outcomes.Count(o => o.Result == AssignmentResult.Enrolled), outcomes.Count(o => o.Result == AssignmentResult.AlreadyEnrolled),
            outcomes.Count(o => o.Result == AssignmentResult.Refused),
            [.. outcomes.Select(o => new BatchEnrolmentOutcome(o.UserId, o.Result.ToString(), o.EnrolmentId, o.Reason))]));
    }

    public static async Task<Results<Ok<Page<PathEnrolmentDto>>, ValidationProblem>> List(
        Guid pathId, [AsParameters] PageRequest paging, EnrolmentDbContext db, PathAssignments paths, TimeProvider time, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await db.PathEnrolments.AsNoTracking().Where(p => p.PathId == pathId)
            .Join(db.Learners.AsNoTracking(), p => p.UserId, l => l.UserId, (p, l) => new { Enrolment = p, l.DisplayName })
            .OrderByDescending(x => x.Enrolment.EnrolledAt).ThenBy(x => x.Enrolment.Id).Select(x => new PathRow(x.Enrolment, x.DisplayName)).ToPageAsync(paging, ct);
        return TypedResults.Ok(await ViewAsync(page, db, paths, time.GetUtcNow(), ct));
    }

    public static async Task<Results<Ok<Page<PathEnrolmentDto>>, ValidationProblem, NotFound>> Mine(
        [AsParameters] PageRequest paging, ClaimsPrincipal user, EnrolmentDbContext db, PathAssignments paths, TimeProvider time, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (EnrolmentActor.From(user).Id is not { } me) return TypedResults.NotFound();
        return TypedResults.Ok(await PathsOfAsync(me, paging, db, paths, time, ct));
    }

    private static async Task<Results<Ok<Page<PathEnrolmentDto>>, ValidationProblem>> OfAsync(
        Guid userId, PageRequest paging, EnrolmentDbContext db, PathAssignments paths, TimeProvider time, CancellationToken ct) =>
        paging.Validate() is { Count: > 0 } errors ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(await PathsOfAsync(userId, paging, db, paths, time, ct));

    /// <summary>A person's paths: open first, the soonest due first.</summary>
    private static async Task<Page<PathEnrolmentDto>> PathsOfAsync(Guid userId, PageRequest paging, EnrolmentDbContext db, PathAssignments paths, TimeProvider time,
        CancellationToken ct)
    {
        var page = await db.PathEnrolments.AsNoTracking().Where(p => p.UserId == userId)
            .OrderBy(p => p.Status).ThenBy(p => p.DueAt == null).ThenBy(p => p.DueAt).ThenBy(p => p.Id).Select(p => new PathRow(p, null)).ToPageAsync(paging, ct);
        return await ViewAsync(page, db, paths, time.GetUtcNow(), ct);
    }

    private sealed record PathRow(PathEnrolment Enrolment, string? DisplayName);

    private static async Task<Page<PathEnrolmentDto>> ViewAsync(Page<PathRow> page, EnrolmentDbContext db, PathAssignments paths, DateTimeOffset now, CancellationToken ct)
    {
        var completions = await paths.CompletionsByPersonAsync([.. page.Items.Select(r => r.Enrolment)], ct);
        var pathIds = page.Items.Select(r => r.Enrolment.PathId).Distinct().ToList();
        var copies = await db.Paths.AsNoTracking().Where(p => pathIds.Contains(p.PathId)).ToDictionaryAsync(p => p.PathId, ct);
        return page.Map(r => PathEnrolmentDto.From(r.Enrolment, r.DisplayName, copies.GetValueOrDefault(r.Enrolment.PathId),
            completions.GetValueOrDefault(r.Enrolment.UserId) ?? [], now));
    }
}
