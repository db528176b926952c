using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

public sealed record CreateEnrolmentRequest(Guid? UserId, Guid? CourseId, DateTimeOffset? DueAt)
{
    public Dictionary<string, string[]> Validate(DateTimeOffset now) => new ValidationErrors()
        .Check(UserId is not null && UserId != Guid.Empty, "userId", "is required")
        .Check(CourseId is not null && CourseId != Guid.Empty, "courseId", "is required")
        .Check(DueAt is null || DueAt > now, "dueAt", "must be in the future")
        .ToDictionary();
}

public sealed record EnrolmentDto(Guid Id, Guid UserId, Guid CourseId, string Status, DateTimeOffset EnrolledAt, DateTimeOffset? DueAt)
{
    public static EnrolmentDto From(CourseEnrolment e) => new(e.Id, e.UserId, e.CourseId, e.Status.ToString(), e.EnrolledAt, e.DueAt);
}

/// <summary>Enrolment's copy of a user. An erased user's copy has no name or email.</summary>
public sealed record LearnerDto(Guid UserId, string Email, string DisplayName, string Status, Guid? OrgUnitId, Guid? ManagerId, string? JobTitle, bool Erased);

public static class EnrolmentsApi
{
    public static IEndpointRouteBuilder MapEnrolmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment").WithTags("Enrolments");
        api.MapPost("/enrolments", CreateEnrolment).WithName("CreateEnrolment").WithSummary("Enrol a known learner on a course").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/enrolments/{id:guid}", GetEnrolment).WithName("GetEnrolment").WithSummary("Get an enrolment by id").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/enrolments", ListEnrolments).WithName("ListEnrolments").WithSummary("List enrolments, paged; filter by user or course").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/learners/{userId:guid}", GetLearner).WithName("GetLearner").WithSummary("Enrolment's copy of a user").RequireAuthorization(Permissions.EnrolmentsRead);
        return app;
    }

    public static async Task<Results<Created<EnrolmentDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateEnrolment(
        CreateEnrolmentRequest request, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (request.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var (userId, courseId) = (request.UserId!.Value, request.CourseId!.Value);
        var learner = await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == userId, ct);
        if (learner is null || learner.Erased)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = ["is not a known user"] });
        if (!learner.IsActive)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [$"is {learner.Status.ToLowerInvariant()}: only active people are enrolled"] });
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == courseId, ct);
        if (course is null || course.Version == 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["courseId"] = ["is not a published course"] });
        if (course.Archived)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["courseId"] = [$"is archived ({course.Code}): it takes no new enrolments"] });
        if (await db.Enrolments.AnyAsync(e => e.UserId == userId && e.CourseId == courseId, ct))
            return Problems.Conflict("The user is enrolled on this course already.", "courseId");

        var enrolment = new CourseEnrolment
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            CourseId = courseId,
            Status = EnrolmentStatus.Enrolled,
            EnrolledAt = now,
            DueAt = request.DueAt,
        };
        db.Enrolments.Add(enrolment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("The user is enrolled on this course already.", "courseId");
        }
        return TypedResults.Created($"/api/enrolment/enrolments/{enrolment.Id}", EnrolmentDto.From(enrolment));
    }

    public static async Task<Results<Ok<EnrolmentDto>, NotFound>> GetEnrolment(Guid id, EnrolmentDbContext db, CancellationToken ct) =>
        await db.Enrolments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } e
            ? TypedResults.Ok(EnrolmentDto.From(e))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<EnrolmentDto>>, ValidationProblem>> ListEnrolments(
        [AsParameters] PageRequest paging, Guid? userId, Guid? courseId, EnrolmentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.Enrolments.AsNoTracking();
        if (userId is { } u) query = query.Where(e => e.UserId == u);
        if (courseId is { } c) query = query.Where(e => e.CourseId == c);
        return TypedResults.Ok(await query.OrderByDescending(e => e.EnrolledAt).ThenBy(e => e.Id)
            .Select(e => EnrolmentDto.From(e)).ToPageAsync(paging, ct));
    }

    public static async Task<Results<Ok<LearnerDto>, NotFound>> GetLearner(Guid userId, EnrolmentDbContext db, CancellationToken ct) =>
        await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == userId, ct) is { } l
            ? TypedResults.Ok(new LearnerDto(l.UserId, l.Email, l.DisplayName, l.Status, l.OrgUnitId, l.ManagerId, l.JobTitle, l.Erased))
            : TypedResults.NotFound();
}
