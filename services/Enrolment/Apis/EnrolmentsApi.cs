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

/// <summary><see cref="OverridePrerequisites"/>: enrol even without the course's prerequisites, for this reason (recorded in the ledger).</summary>
public sealed record CreateEnrolmentRequest(Guid? UserId, Guid? CourseId, DateTimeOffset? DueAt, string? Note, string? OverridePrerequisites = null)
{
    public Dictionary<string, string[]> Validate(DateTimeOffset now) => new ValidationErrors()
        .Check(UserId is not null && UserId != Guid.Empty, "userId", "is required")
        .Check(CourseId is not null && CourseId != Guid.Empty, "courseId", "is required")
        .Check(DueAt is null || DueAt > now, "dueAt", "must be in the future")
        .Check(Note is null || Note.Length <= 500, "note", "must be at most 500 characters")
        .ToDictionary();
}

public sealed record BatchEnrolmentRequest(Guid[]? UserIds, Guid? CourseId, DateTimeOffset? DueAt, string? Note, string? OverridePrerequisites = null)
{
    public const int Most = 1000;

    public Dictionary<string, string[]> Validate(DateTimeOffset now) => new ValidationErrors()
        .Check(UserIds is { Length: > 0 }, "userIds", "must name at least one person")
        .Check(UserIds is null || UserIds.Length <= Most, "userIds", $"must name at most {Most} people (use an import for more)")
        .Check(UserIds is null || UserIds.All(id => id != Guid.Empty), "userIds", "must not contain an empty id")
        .Check(CourseId is not null && CourseId != Guid.Empty, "courseId", "is required")
        .Check(DueAt is null || DueAt > now, "dueAt", "must be in the future")
        .Check(Note is null || Note.Length <= 500, "note", "must be at most 500 characters")
        .ToDictionary();
}

/// <summary>Move a course's open enrolments on <see cref="FromVersion"/> (or on any older version) to the latest; a dry run counts them.</summary>
public sealed record MigrationRequest(int? FromVersion, string? Reason, bool DryRun);

/// <summary>The version they move to, how many moved (or would), and how many open enrolments each older version had.</summary>
public sealed record MigrationResponse(int ToVersion, bool DryRun, int Migrated, Dictionary<int, int> ByVersion);

public sealed record BatchEnrolmentOutcome(Guid UserId, string Result, Guid? EnrolmentId, string? Reason);

public sealed record BatchEnrolmentResponse(int Enrolled, int AlreadyEnrolled, int Refused, List<BatchEnrolmentOutcome> Outcomes);

/// <summary>A change to an enrolment that the ledger records with its reason.</summary>
public sealed record EnrolmentChangeRequest(string? Reason);

public sealed record CompleteRequest(DateTimeOffset? CompletedAt, string? Reason);

public sealed record DueDateRequest(DateTimeOffset? DueAt, string? Reason);

public sealed record EnrolmentDto(
    Guid Id, Guid UserId, Guid CourseId, int Version, string Status, bool Overdue, DateTimeOffset EnrolledAt, DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt, DateTimeOffset? DueAt, string Source, string? SourceReference, DateTimeOffset? AsOf, string? LearnerName = null)
{
    public static EnrolmentDto From(CourseEnrolment e, DateTimeOffset now, DateTimeOffset? asOf = null, string? learnerName = null) => new(
        e.Id, e.UserId, e.CourseId, e.Version, e.Status.ToString(), e.IsOverdue(asOf ?? now), e.EnrolledAt, e.StartedAt, e.CompletedAt, e.DueAt,
        e.SourceKind.ToString(), e.SourceReference, asOf, learnerName);
}

public sealed record LedgerEntryDto(
    int Sequence, string Action, DateTimeOffset At, DateTimeOffset RecordedAt, Guid? ActorId, string ActorName, string? Reason, int? Version,
    DateTimeOffset? DueAt, string? Source, string? SourceReference)
{
    public static LedgerEntryDto From(LedgerEntry e) => new(
        e.Sequence, e.Action.ToString(), e.At, e.RecordedAt, e.ActorId, e.ActorName, e.Reason, e.Version, e.DueAt, e.SourceKind?.ToString(), e.SourceReference);
}

public sealed record MyEnrolmentDto(Guid Id, Guid CourseId, string Code, string Title, int Version, string Status, bool Overdue,
    DateTimeOffset EnrolledAt, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt);

/// <summary>Enrolment's copy of a user. An erased user's copy has no name or email.</summary>
public sealed record LearnerDto(Guid UserId, string Email, string DisplayName, string Status, Guid? OrgUnitId, Guid? ManagerId, string? JobTitle, bool Erased);

/// <summary>
/// Enrolments and their ledger. The doors are thin: each change is a method of <see cref="CourseEnrolment"/>, which
/// writes the ledger entry (who, when, why) and moves the state in the same transaction; refusals are its
/// <c>DomainRuleException</c>s, answered as ProblemDetails naming the field.
/// </summary>
public static class EnrolmentsApi
{
    public static IEndpointRouteBuilder MapEnrolmentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment").WithTags("Enrolments");
        api.MapPost("/enrolments", CreateEnrolment).WithName("CreateEnrolment").WithSummary("Enrol a known, active learner on a published course (the latest version is pinned)").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/batch", CreateEnrolments).WithName("CreateEnrolments").WithSummary("Enrol many people on a course; each person's outcome").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/enrolments/{id:guid}", GetEnrolment).WithName("GetEnrolment").WithSummary("An enrolment now, or as it stood at asOf (from the ledger)").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/enrolments/{id:guid}/ledger", GetLedger).WithName("GetEnrolmentLedger").WithSummary("Every change to the enrolment, in order: who, when, why").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/enrolments", ListEnrolments).WithName("ListEnrolments").WithSummary("List enrolments, paged; filter by user, course, status; overdue=true for the overdue ones").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapPost("/enrolments/{id:guid}/complete", Complete).WithName("RecordCompletion").WithSummary("Record a completion by hand, with the reason (and the date, if earlier)").RequireAuthorization(Permissions.CompletionsRecord);
        api.MapPost("/enrolments/{id:guid}/due-date", ChangeDueDate).WithName("ChangeDueDate").WithSummary("A new due date for this person (an extension), with the reason").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/{id:guid}/waive", (Guid id, EnrolmentChangeRequest r, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                ChangeAsync(id, http, db, time, (e, actor, now) => e.Waive(actor, r.Reason!, now), ct))
            .WithName("WaiveEnrolment").WithSummary("Exempt the person, with the reason").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/{id:guid}/reset", (Guid id, EnrolmentChangeRequest r, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                ChangeAsync(id, http, db, time, (e, actor, now) => e.Reset(actor, r.Reason!, now), ct))
            .WithName("ResetEnrolment").WithSummary("Start again (the completion stays in the ledger), with the reason").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/{id:guid}/suspend", (Guid id, EnrolmentChangeRequest r, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                ChangeAsync(id, http, db, time, (e, actor, now) => e.Suspend(actor, r.Reason!, now), ct))
            .WithName("SuspendEnrolment").WithSummary("Pause the assignment, progress kept, with the reason").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/{id:guid}/resume", (Guid id, EnrolmentChangeRequest r, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                ChangeAsync(id, http, db, time, (e, actor, now) => e.Resume(actor, r.Reason, now), ct))
            .WithName("ResumeEnrolment").WithSummary("Resume a suspended assignment").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/enrolments/{id:guid}/withdraw", (Guid id, EnrolmentChangeRequest r, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                ChangeAsync(id, http, db, time, (e, actor, now) => e.Withdraw(actor, r.Reason!, now), ct))
            .WithName("WithdrawEnrolment").WithSummary("Take the assignment away (refused once completed), with the reason").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/courses/{courseId:guid}/migrations", MigrateCourse).WithName("MigrateCourseEnrolments").WithSummary("Move open enrolments on older versions to the latest, with the reason; dryRun counts them").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/me", MyLearning).WithName("MyLearning").WithSummary("The signed-in person's own enrolments: open ones first, soonest due first");
        api.MapGet("/learners/{userId:guid}/enrolments", (Guid userId, [AsParameters] PageRequest paging, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
                LearningAsync(userId, paging, db, time, ct))
            .WithName("LearnerRecord").WithSummary("A person's enrolments with the course titles, open first (their learning record)").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/learners/{userId:guid}", GetLearner).WithName("GetLearner").WithSummary("Enrolment's copy of a user").RequireAuthorization(Permissions.EnrolmentsRead);
        return app;
    }

    public static async Task<Results<Created<EnrolmentDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateEnrolment(
        CreateEnrolmentRequest request, HttpContext http, Assignments assignments, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (request.Validate(now) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var actor = EnrolmentActor.From(http.User);
        var outcome = (await AssignOrConflictAsync(() => assignments.AssignAsync([request.UserId!.Value], request.CourseId!.Value, request.DueAt,
            EnrolmentSource.Manual(actor, request.Note), actor, ct, request.OverridePrerequisites)))?.Single();
        return outcome switch
        {
            null or { Result: AssignmentResult.AlreadyEnrolled } => Problems.Conflict("The user is enrolled on this course already.", "courseId"),
            { Result: AssignmentResult.Refused, Reason: var reason } => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [reason!] }),
            { EnrolmentId: var id } => TypedResults.Created($"/api/enrolment/enrolments/{id}",
                EnrolmentDto.From(await db.Enrolments.AsNoTracking().FirstAsync(e => e.Id == id, ct), now)),
        };
    }

    /// <summary>Enrols many people on one course: each person's outcome (enrolled, enrolled already, refused and why).</summary>
    public static async Task<Results<Ok<BatchEnrolmentResponse>, ValidationProblem, Conflict<ProblemDetails>>> CreateEnrolments(
        BatchEnrolmentRequest request, HttpContext http, Assignments assignments, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate(time.GetUtcNow()) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var actor = EnrolmentActor.From(http.User);
        var outcomes = await AssignOrConflictAsync(() => assignments.AssignAsync(request.UserIds!, request.CourseId!.Value, request.DueAt,
            EnrolmentSource.Manual(actor, request.Note), actor, ct, request.OverridePrerequisites));
        if (outcomes is null) return Problems.Conflict("Someone enrolled some of these people at the same time; send the request again.", "userIds");
        return TypedResults.Ok(new BatchEnrolmentResponse(
            outcomes.Count(o => o.Result == AssignmentResult.Enrolled), outcomes.Count(o => o.Result == AssignmentResult.AlreadyEnrolled),
            outcomes.Count(o => o.Result == AssignmentResult.Refused),
            [.. outcomes.Select(o => new BatchEnrolmentOutcome(o.UserId, o.Result.ToString(), o.EnrolmentId, o.Reason))]));
    }

    /// <summary>Null when another request enrolled one of the people between the check and the save (the unique index).</summary>
    private static async Task<IReadOnlyList<AssignmentOutcome>?> AssignOrConflictAsync(Func<Task<IReadOnlyList<AssignmentOutcome>>> assign)
    {
        try
        {
            return await assign();
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return null;
        }
    }

    /// <summary>The enrolment now, or at <paramref name="asOf"/>: the fold of the entries that had taken effect by then.</summary>
    public static async Task<Results<Ok<EnrolmentDto>, NotFound>> GetEnrolment(Guid id, DateTimeOffset? asOf, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (asOf is not { } date || date >= now)
            return await db.Enrolments.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } e
                ? TypedResults.Ok(EnrolmentDto.From(e, now))
                : TypedResults.NotFound();
        var entries = LedgerEntry.AsOf(await db.Ledger.AsNoTracking().Where(l => l.EnrolmentId == id).ToListAsync(ct), date).ToList();
        return entries.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(EnrolmentDto.From(CourseEnrolment.Replay(entries), now, date));
    }

    public static async Task<Results<Ok<List<LedgerEntryDto>>, NotFound>> GetLedger(Guid id, EnrolmentDbContext db, CancellationToken ct)
    {
        var entries = await db.Ledger.AsNoTracking().Where(l => l.EnrolmentId == id).OrderBy(l => l.Sequence).ToListAsync(ct);
        return entries.Count == 0 ? TypedResults.NotFound() : TypedResults.Ok(entries.Select(LedgerEntryDto.From).ToList());
    }

    public static async Task<Results<Ok<Page<EnrolmentDto>>, ValidationProblem>> ListEnrolments(
        [AsParameters] PageRequest paging, Guid? userId, Guid? courseId, string? status, bool? overdue, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = paging.Validate();
        EnrolmentStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<EnrolmentStatus>(status, ignoreCase: true, out var parsed)) wanted = parsed;
            else errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<EnrolmentStatus>())}"];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var now = time.GetUtcNow();
        var query = db.Enrolments.AsNoTracking();
        if (userId is { } u) query = query.Where(e => e.UserId == u);
        if (courseId is { } c) query = query.Where(e => e.CourseId == c);
        if (wanted is { } w) query = query.Where(e => e.Status == w);
        if (overdue is true) query = query.Where(CourseEnrolment.OverdueAt(now));
        // With each person's name as enrolment's copy has it (an erased person's is empty).
        var page = await query.Join(db.Learners.AsNoTracking(), e => e.UserId, l => l.UserId, (e, l) => new { Enrolment = e, l.DisplayName })
            .OrderByDescending(x => x.Enrolment.EnrolledAt).ThenBy(x => x.Enrolment.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => EnrolmentDto.From(x.Enrolment, now, learnerName: x.DisplayName)));
    }

    public static Task<Results<Ok<EnrolmentDto>, NotFound>> Complete(Guid id, CompleteRequest request, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, http, db, time, (e, actor, now) => e.RecordCompletion(request.CompletedAt ?? now, actor, request.Reason, now), ct);

    public static Task<Results<Ok<EnrolmentDto>, NotFound>> ChangeDueDate(Guid id, DueDateRequest request, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
        ChangeAsync(id, http, db, time, (e, actor, now) => e.ChangeDueDate(request.DueAt, actor, request.Reason!, now), ct);

    /// <summary>
    /// "My learning": what is assigned to the caller (open first, the soonest due first, those without a due date
    /// after), then what they finished or left, newest first; with each course's title as enrolment's copy has it.
    /// </summary>
    public static async Task<Results<Ok<Page<MyEnrolmentDto>>, ValidationProblem, NotFound>> MyLearning(
        [AsParameters] PageRequest paging, ClaimsPrincipal user, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (EnrolmentActor.From(user).Id is not { } me) return TypedResults.NotFound();
        return TypedResults.Ok(await LearningOfAsync(db, me, paging, time.GetUtcNow(), ct));
    }

    private static async Task<Results<Ok<Page<MyEnrolmentDto>>, ValidationProblem>> LearningAsync(
        Guid userId, PageRequest paging, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) =>
        paging.Validate() is { Count: > 0 } errors
            ? TypedResults.ValidationProblem(errors)
            : TypedResults.Ok(await LearningOfAsync(db, userId, paging, time.GetUtcNow(), ct));

    /// <summary>A person's learning as they (or their manager) see it: open first, the soonest due first, then the finished, newest first.</summary>
    public static async Task<Page<MyEnrolmentDto>> LearningOfAsync(EnrolmentDbContext db, Guid userId, PageRequest paging, DateTimeOffset now, CancellationToken ct)
    {
        var page = await db.Enrolments.AsNoTracking().Where(e => e.UserId == userId && e.Status != EnrolmentStatus.Withdrawn)
            .Join(db.Courses.AsNoTracking(), e => e.CourseId, c => c.CourseId, (e, c) => new { Enrolment = e, c.Code, c.Title })
            .OrderBy(x => x.Enrolment.Status == EnrolmentStatus.Enrolled || x.Enrolment.Status == EnrolmentStatus.InProgress ? 0 : 1)
            .ThenBy(x => x.Enrolment.DueAt == null).ThenBy(x => x.Enrolment.DueAt).ThenByDescending(x => x.Enrolment.EnrolledAt).ThenBy(x => x.Enrolment.Id)
            .ToPageAsync(paging, ct);
        return page.Map(x => new MyEnrolmentDto(x.Enrolment.Id, x.Enrolment.CourseId, x.Code, x.Title, x.Enrolment.Version,
            x.Enrolment.Status.ToString(), x.Enrolment.IsOverdue(now), x.Enrolment.EnrolledAt, x.Enrolment.DueAt, x.Enrolment.CompletedAt));
    }

    /// <summary>
    /// Moves the course's open and suspended enrolments on older versions (or on <see cref="MigrationRequest.FromVersion"/>)
    /// to the latest, each with a ledger entry, in batches of 500 (each its own transaction: a retry carries on where
    /// it stopped, since a moved enrolment is on the latest version). Finished ones stay on their version.
    /// </summary>
    public static async Task<Results<Ok<MigrationResponse>, ValidationProblem, NotFound>> MigrateCourse(
        Guid courseId, MigrationRequest request, HttpContext http, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == courseId, ct);
        if (course is null || course.Version == 0) return TypedResults.NotFound();
        var errors = new ValidationErrors()
            .Check(request.DryRun || !string.IsNullOrWhiteSpace(request.Reason), "reason", "is required: the ledger records why")
            .Check(request.Reason is null || request.Reason.Length <= 500, "reason", "must be at most 500 characters")
            .Check(request.FromVersion is null || request.FromVersion >= 1 && request.FromVersion < course.Version, "fromVersion",
                $"must be an earlier version than the latest ({course.Version})")
            .ToDictionary();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var movable = db.Enrolments.Where(e => e.CourseId == courseId && e.Version < course.Version
            && (e.Status == EnrolmentStatus.Enrolled || e.Status == EnrolmentStatus.InProgress || e.Status == EnrolmentStatus.Suspended));
        if (request.FromVersion is { } from) movable = movable.Where(e => e.Version == from);
        var byVersion = await movable.GroupBy(e => e.Version).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        if (request.DryRun) return TypedResults.Ok(new MigrationResponse(course.Version, true, byVersion.Values.Sum(), byVersion));

        var actor = EnrolmentActor.From(http.User);
        var migrated = 0;
        while (await movable.OrderBy(e => e.Id).Take(500).ToListAsync(ct) is { Count: > 0 } batch)
        {
            var now = time.GetUtcNow();
            foreach (var enrolment in batch) enrolment.MigrateTo(course.Version, actor, request.Reason!, now);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            migrated += batch.Count;
        }
        return TypedResults.Ok(new MigrationResponse(course.Version, false, migrated, byVersion));
    }

    /// <summary>Loads the enrolment, lets it change itself, saves the change with its ledger entry.</summary>
    private static async Task<Results<Ok<EnrolmentDto>, NotFound>> ChangeAsync(
        Guid id, HttpContext http, EnrolmentDbContext db, TimeProvider time, Action<CourseEnrolment, EnrolmentActor, DateTimeOffset> change, CancellationToken ct)
    {
        var enrolment = await db.Enrolments.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (enrolment is null) return TypedResults.NotFound();
        var now = time.GetUtcNow();
        change(enrolment, EnrolmentActor.From(http.User), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is DbUpdateConcurrencyException || ex is DbUpdateException u && u.IsUniqueViolation())
        {
            throw new ServiceDefaults.Domain.DomainRuleException("status", "Someone else changed this enrolment at the same time; read it again and retry.");
        }
        return TypedResults.Ok(EnrolmentDto.From(enrolment, now));
    }

    public static async Task<Results<Ok<LearnerDto>, NotFound>> GetLearner(Guid userId, EnrolmentDbContext db, CancellationToken ct) =>
        await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == userId, ct) is { } l
            ? TypedResults.Ok(new LearnerDto(l.UserId, l.Email, l.DisplayName, l.Status, l.OrgUnitId, l.ManagerId, l.JobTitle, l.Erased))
            : TypedResults.NotFound();
}
