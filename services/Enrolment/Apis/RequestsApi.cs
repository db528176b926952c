using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

public sealed record SelfEnrolRequest(string? Note);

public sealed record DecisionRequest(string? Reason);

/// <summary>
/// What the person may do about a course: <see cref="State"/> is <c>enrolled</c>, <c>requested</c> (waiting for
/// approval), <c>prerequisites</c> (missing some, named), <c>available</c> (they may enrol or ask) or <c>closed</c>
/// (it is assigned, not taken). <see cref="Policy"/> is the course's self-enrolment policy.
/// </summary>
public sealed record SelfEnrolmentDto(Guid CourseId, string Code, string Title, string Policy, string State, Guid? EnrolmentId, string? EnrolmentStatus,
    RequestDto? Request, IReadOnlyList<string> MissingPrerequisites);

public sealed record RequestDto(Guid Id, Guid UserId, string? LearnerName, Guid CourseId, string? Code, string? Title, string Approval, string Status,
    string? Note, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, Guid? EnrolmentId)
{
    public static RequestDto From(EnrolmentRequest r, string? learnerName, CourseCopy? course) => new(
        r.Id, r.UserId, learnerName, r.CourseId, course?.Code, course?.Title, r.Approval.ToString(), r.Status.ToString(), r.Note, r.RequestedAt, r.DecidedAt,
        r.DecidedByName, r.DecisionReason, r.EnrolmentId);
}

/// <summary>Self-enrolment (the learner's door) and the approvals queue (the manager's and the training manager's).</summary>
public static class RequestsApi
{
    public static IEndpointRouteBuilder MapRequestsApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/enrolment/me").WithTags("Self-enrolment").RequireAuthorization();
        me.MapGet("/courses/{courseId:guid}", Offer).WithName("MySelfEnrolment").WithSummary("Whether the signed-in person is on a course, has asked, may enrol or ask, or lacks prerequisites");
        me.MapPost("/courses/{courseId:guid}/enrol", Enrol).WithName("SelfEnrol").WithSummary("Enrol on an open course (201), or ask for a place on one that needs approval (202)");
        me.MapGet("/requests", MyRequests).WithName("MyEnrolmentRequests").WithSummary("The signed-in person's requests for a place, newest first");
        me.MapPost("/requests/{id:guid}/cancel", Cancel).WithName("CancelEnrolmentRequest").WithSummary("Withdraw one's own pending request");

        // Anyone signed in: whether a request is theirs to decide is the request's rule (their direct report's, or any for an administrator).
        var approvals = app.MapGroup("/api/enrolment/approvals").WithTags("Approvals").RequireAuthorization();
        approvals.MapGet("/", Queue).WithName("Approvals").WithSummary("Requests the caller may decide: pending (oldest first) or decided (newest first)");
        approvals.MapGet("/{id:guid}", GetRequest).WithName("GetEnrolmentRequest").WithSummary("A request the caller may decide, with the prerequisites the person lacks");
        approvals.MapPost("/{id:guid}/approve", Approve).WithName("ApproveEnrolmentRequest").WithSummary("Approve, which enrols the person");
        approvals.MapPost("/{id:guid}/decline", Decline).WithName("DeclineEnrolmentRequest").WithSummary("Decline, with the reason the person is told");
        return app;
    }

    public static async Task<Results<Ok<SelfEnrolmentDto>, NotFound>> Offer(Guid courseId, ClaimsPrincipal user, SelfEnrolments self, EnrolmentDbContext db, CancellationToken ct)
    {
        if (EnrolmentActor.From(user).Id is not { } id || await self.FindAsync(id, courseId, ct) is not var (course, learner)) return TypedResults.NotFound();
        var offer = await self.OfferAsync(course, learner, ct);
        var state = offer switch
        {
            { Enrolment.Status: not EnrolmentStatus.Withdrawn } => "enrolled",
            { PendingRequest: not null } => "requested",
            _ when course.SelfEnrolment == Contracts.Catalogue.SelfEnrolmentPolicy.Closed || offer.Enrolment is not null => "closed",
            { MissingPrerequisites.Count: > 0 } => "prerequisites",
            _ => "available",
        };
        return TypedResults.Ok(new SelfEnrolmentDto(course.CourseId, course.Code, course.Title, course.SelfEnrolment, state, offer.Enrolment?.Id,
            offer.Enrolment?.Status.ToString(), offer.PendingRequest is { } r ? RequestDto.From(r, learner.DisplayName, course) : null, offer.MissingPrerequisites));
    }

    public static async Task<Results<Created<EnrolmentDto>, Accepted<RequestDto>, ValidationProblem, NotFound>> Enrol(
        Guid courseId, SelfEnrolRequest request, ClaimsPrincipal user, SelfEnrolments self, TimeProvider time, CancellationToken ct)
    {
        if (request.Note is { Length: > 300 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["must be at most 300 characters"] });
        var me = EnrolmentActor.From(user);
        if (me.Id is not { } id || await self.FindAsync(id, courseId, ct) is not var (course, learner)) return TypedResults.NotFound();
        var (enrolment, asked) = await self.EnrolOrRequestAsync(course, learner, me, request.Note, ct);
        return enrolment is not null
            ? TypedResults.Created($"/api/enrolment/me/courses/{courseId}", EnrolmentDto.From(enrolment, time.GetUtcNow()))
            : TypedResults.Accepted($"/api/enrolment/me/requests", RequestDto.From(asked!, learner.DisplayName, course));
    }

    public static async Task<Results<Ok<Page<RequestDto>>, ValidationProblem, NotFound>> MyRequests(
        [AsParameters] PageRequest paging, ClaimsPrincipal user, EnrolmentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (EnrolmentActor.From(user).Id is not { } me) return TypedResults.NotFound();
        return TypedResults.Ok(await PageAsync(db.EnrolmentRequests.Where(r => r.UserId == me), descending: true, paging, db, ct));
    }

    public static async Task<Results<Ok<RequestDto>, NotFound>> Cancel(Guid id, ClaimsPrincipal user, SelfEnrolments self, EnrolmentDbContext db, CancellationToken ct) =>
        await self.CancelAsync(id, EnrolmentActor.From(user), ct) is { } request ? TypedResults.Ok(await ViewAsync(db, request, ct)) : TypedResults.NotFound();

    /// <summary>The caller's queue: all requests for an administrator, their direct reports' manager-approval ones for a manager.</summary>
    public static async Task<Results<Ok<Page<RequestDto>>, ValidationProblem>> Queue(
        [AsParameters] PageRequest paging, string? status, ClaimsPrincipal user, EnrolmentDbContext db, CancellationToken ct)
    {
        var errors = paging.Validate();
        if (status is not null and not ("pending" or "decided")) errors["status"] = ["must be 'pending' or 'decided'"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var query = db.EnrolmentRequests.AsQueryable();
        if (!ManagesEnrolments(user))
        {
            var me = EnrolmentActor.From(user).Id ?? Guid.Empty;
            query = query.Where(r => r.Approval == RequestApproval.Manager && r.ApproverId == me);
        }
        var decided = status == "decided";
        query = decided ? query.Where(r => r.Status != RequestStatus.Pending) : query.Where(r => r.Status == RequestStatus.Pending);
        return TypedResults.Ok(await PageAsync(query, descending: decided, paging, db, ct));
    }

    public static async Task<Results<Ok<RequestDto>, NotFound>> GetRequest(Guid id, ClaimsPrincipal user, SelfEnrolments self, EnrolmentDbContext db, CancellationToken ct) =>
        await self.DecidableAsync(id, EnrolmentActor.From(user), ManagesEnrolments(user), ct) is { } request
            ? TypedResults.Ok(await ViewAsync(db, request, ct))
            : TypedResults.NotFound();

    public static Task<Results<Ok<RequestDto>, NotFound>> Approve(Guid id, DecisionRequest decision, ClaimsPrincipal user, SelfEnrolments self,
        EnrolmentDbContext db, CancellationToken ct) =>
        DecideAsync(id, user, self, db, (request, actor) => self.ApproveAsync(request, actor, decision.Reason, ct), ct);

    public static Task<Results<Ok<RequestDto>, NotFound>> Decline(Guid id, DecisionRequest decision, ClaimsPrincipal user, SelfEnrolments self,
        EnrolmentDbContext db, CancellationToken ct) =>
        DecideAsync(id, user, self, db, (request, actor) => self.DeclineAsync(request, actor, decision.Reason, ct), ct);

    private static async Task<Results<Ok<RequestDto>, NotFound>> DecideAsync(Guid id, ClaimsPrincipal user, SelfEnrolments self, EnrolmentDbContext db,
        Func<EnrolmentRequest, EnrolmentActor, Task> decide, CancellationToken ct)
    {
        var actor = EnrolmentActor.From(user);
        if (await self.DecidableAsync(id, actor, ManagesEnrolments(user), ct) is not { } request) return TypedResults.NotFound();
        await decide(request, actor);
        return TypedResults.Ok(await ViewAsync(db, request, ct));
    }

    private static bool ManagesEnrolments(ClaimsPrincipal user) => user.HasClaim(LmsClaims.Permission, Permissions.EnrolmentsManage);

    private static async Task<RequestDto> ViewAsync(EnrolmentDbContext db, EnrolmentRequest request, CancellationToken ct) => RequestDto.From(request,
        (await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == request.UserId, ct))?.DisplayName,
        await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == request.CourseId, ct));

    private static async Task<Page<RequestDto>> PageAsync(IQueryable<EnrolmentRequest> query, bool descending, PageRequest paging, EnrolmentDbContext db,
        CancellationToken ct)
    {
        var joined = query.AsNoTracking()
            .Join(db.Learners.AsNoTracking(), r => r.UserId, l => l.UserId, (r, l) => new { Request = r, l.DisplayName })
            .Join(db.Courses.AsNoTracking(), x => x.Request.CourseId, c => c.CourseId, (x, c) => new { x.Request, x.DisplayName, Course = c });
        var ordered = descending
            ? joined.OrderByDescending(x => x.Request.DecidedAt ?? x.Request.RequestedAt).ThenBy(x => x.Request.Id)
            : joined.OrderBy(x => x.Request.RequestedAt).ThenBy(x => x.Request.Id);
        var page = await ordered.ToPageAsync(paging, ct);
        return page.Map(x => RequestDto.From(x.Request, x.DisplayName, x.Course));
    }
}
