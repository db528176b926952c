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
/// What the person may do about a course or path: <see cref="State"/> is <c>enrolled</c>, <c>requested</c> (waiting for
/// approval), <c>prerequisites</c> (missing some, named), <c>available</c> (they may enrol or ask) or <c>closed</c>
/// (it is assigned, not taken). <see cref="Policy"/> is its self-enrolment policy.
/// </summary>
public sealed record SelfEnrolmentDto(string Kind, Guid ItemId, string Code, string Title, string Policy, string State, Guid? EnrolmentId,
    string? EnrolmentStatus, RequestDto? Request, IReadOnlyList<string> MissingPrerequisites);

public sealed record RequestDto(Guid Id, Guid UserId, string? LearnerName, string Kind, Guid ItemId, string? Code, string? Title, string Approval,
    string Status, string? Note, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, Guid? EnrolmentId)
{
    public static RequestDto From(EnrolmentRequest r, string? learnerName, ItemCopy? item) => new(
        r.Id, r.UserId, learnerName, r.Kind.Wire(), r.ItemId, item?.Code, item?.Title, r.Approval.ToString(), r.Status.ToString(), r.Note, r.RequestedAt,
        r.DecidedAt, r.DecidedByName, r.DecisionReason, r.EnrolmentId);
}

/// <summary>Self-enrolment (the learner's door) and the approvals queue (the manager's and the training manager's).</summary>
public static class RequestsApi
{
    public static IEndpointRouteBuilder MapRequestsApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/enrolment/me").WithTags("Self-enrolment").RequireAuthorization();
        foreach (var (segment, kind) in new[] { ("courses", ItemKind.Course), ("paths", ItemKind.LearningPath) })
        {
            var noun = kind == ItemKind.Course ? "Course" : "Path";
            me.MapGet($"/{segment}/{{itemId:guid}}", (Guid itemId, ClaimsPrincipal user, SelfEnrolments self, CancellationToken ct) => Offer(kind, itemId, user, self, ct))
                .WithName($"MySelfEnrolment{noun}").WithSummary($"Whether the signed-in person is on a {noun.ToLowerInvariant()}, has asked, may enrol or ask, or lacks prerequisites");
            me.MapPost($"/{segment}/{{itemId:guid}}/enrol", (Guid itemId, SelfEnrolRequest request, ClaimsPrincipal user, SelfEnrolments self, CancellationToken ct) =>
                    Enrol(kind, itemId, request, user, self, ct))
                .WithName($"SelfEnrol{noun}").WithSummary($"Enrol on an open {noun.ToLowerInvariant()} (201), or ask for a place on one that needs approval (202)");
        }
        me.MapGet("/requests", MyRequests).WithName("MyEnrolmentRequests").WithSummary("The signed-in person's requests for a place, newest first");
        me.MapPost("/requests/{id:guid}/cancel", Cancel).WithName("CancelEnrolmentRequest").WithSummary("Withdraw one's own pending request");

        // Anyone signed in: whether a request is theirs to decide is the request's rule (their direct report's, or any for an administrator).
        var approvals = app.MapGroup("/api/enrolment/approvals").WithTags("Approvals").RequireAuthorization();
        approvals.MapGet("/", Queue).WithName("Approvals").WithSummary("Requests the caller may decide: pending (oldest first) or decided (newest first)");
        approvals.MapGet("/{id:guid}", GetRequest).WithName("GetEnrolmentRequest").WithSummary("A request the caller may decide");
        approvals.MapPost("/{id:guid}/approve", Approve).WithName("ApproveEnrolmentRequest").WithSummary("Approve, which enrols the person");
        approvals.MapPost("/{id:guid}/decline", Decline).WithName("DeclineEnrolmentRequest").WithSummary("Decline, with the reason the person is told");
        return app;
    }

    public static async Task<Results<Ok<SelfEnrolmentDto>, NotFound>> Offer(ItemKind kind, Guid itemId, ClaimsPrincipal user, SelfEnrolments self, CancellationToken ct)
    {
        if (EnrolmentActor.From(user).Id is not { } id || await self.FindAsync(id, kind, itemId, ct) is not { } item) return TypedResults.NotFound();
        return TypedResults.Ok(await ViewAsync(item, self, ct));
    }

    public static async Task<Results<Created<SelfEnrolmentDto>, Accepted<RequestDto>, ValidationProblem, NotFound>> Enrol(
        ItemKind kind, Guid itemId, SelfEnrolRequest request, ClaimsPrincipal user, SelfEnrolments self, CancellationToken ct)
    {
        if (request.Note is { Length: > 300 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["note"] = ["must be at most 300 characters"] });
        var me = EnrolmentActor.From(user);
        if (me.Id is not { } id || await self.FindAsync(id, kind, itemId, ct) is not { } item) return TypedResults.NotFound();
        var (_, asked) = await self.EnrolOrRequestAsync(item, me, request.Note, ct);
        var location = $"/api/enrolment/me/{(kind == ItemKind.Course ? "courses" : "paths")}/{itemId}";
        return asked is null
            ? TypedResults.Created(location, await ViewAsync(item, self, ct))
            : TypedResults.Accepted(location, RequestDto.From(asked, item.Learner.DisplayName, item.Copy));
    }

    private static async Task<SelfEnrolmentDto> ViewAsync(SelfEnrolmentItem item, SelfEnrolments self, CancellationToken ct)
    {
        var offer = await self.OfferAsync(item, ct);
        var state = offer switch
        {
            { EnrolmentId: not null, Withdrawn: false } => "enrolled",
            { PendingRequest: not null } => "requested",
            _ when item.Copy.SelfEnrolment == Contracts.Catalogue.SelfEnrolmentPolicy.Closed || offer.Withdrawn => "closed",
            { MissingPrerequisites.Count: > 0 } => "prerequisites",
            _ => "available",
        };
        return new SelfEnrolmentDto(item.Kind.Wire(), item.Id, item.Copy.Code, item.Copy.Title, item.Copy.SelfEnrolment, state, offer.EnrolmentId,
            offer.EnrolmentStatus, offer.PendingRequest is { } r ? RequestDto.From(r, item.Learner.DisplayName, item.Copy) : null, offer.MissingPrerequisites);
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
        (await ItemsAsync(db, [request], ct)).GetValueOrDefault(request.ItemId));

    /// <summary>The copies of the courses and paths the requests are for.</summary>
    private static async Task<Dictionary<Guid, ItemCopy>> ItemsAsync(EnrolmentDbContext db, IReadOnlyCollection<EnrolmentRequest> requests, CancellationToken ct)
    {
        var courseIds = requests.Where(r => r.Kind == ItemKind.Course).Select(r => r.ItemId).Distinct().ToList();
        var pathIds = requests.Where(r => r.Kind == ItemKind.LearningPath).Select(r => r.ItemId).Distinct().ToList();
        var items = new Dictionary<Guid, ItemCopy>();
        foreach (var c in await db.Courses.AsNoTracking().Where(c => courseIds.Contains(c.CourseId)).ToListAsync(ct)) items[c.CourseId] = c;
        foreach (var p in await db.Paths.AsNoTracking().Where(p => pathIds.Contains(p.PathId)).ToListAsync(ct)) items[p.PathId] = p;
        return items;
    }

    private static async Task<Page<RequestDto>> PageAsync(IQueryable<EnrolmentRequest> query, bool descending, PageRequest paging, EnrolmentDbContext db,
        CancellationToken ct)
    {
        var joined = query.AsNoTracking().Join(db.Learners.AsNoTracking(), r => r.UserId, l => l.UserId, (r, l) => new { Request = r, l.DisplayName });
        var ordered = descending
            ? joined.OrderByDescending(x => x.Request.DecidedAt ?? x.Request.RequestedAt).ThenBy(x => x.Request.Id)
            : joined.OrderBy(x => x.Request.RequestedAt).ThenBy(x => x.Request.Id);
        var page = await ordered.ToPageAsync(paging, ct);
        var items = await ItemsAsync(db, [.. page.Items.Select(x => x.Request)], ct);
        return page.Map(x => RequestDto.From(x.Request, x.DisplayName, items.GetValueOrDefault(x.Request.ItemId)));
    }
}
