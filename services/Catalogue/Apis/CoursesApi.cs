using System.Security.Claims;
using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using static LmsPlatform.Catalogue.Apis.CatalogueResults;

namespace LmsPlatform.Catalogue.Apis;

public static class CoursesApi
{
    public static IEndpointRouteBuilder MapCoursesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalogue/courses").WithTags("Courses");
        api.MapPost("/", CreateCourse).WithName("CreateCourse").WithSummary("Create a course with its first draft").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/", ListCourses).WithName("ListCourses").WithSummary("Courses in every status: all for administrators, their own for training managers").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/{id:guid}", GetCourse).WithName("GetCourse").WithSummary("The published course, if the caller may see it (cached in Redis)").RequireAuthorization(Permissions.CatalogueRead);
        api.MapGet("/{id:guid}/versions", ListCourseVersions).WithName("ListCourseVersions").WithSummary("The course's version history").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/{id:guid}/versions/{number:int}", GetCourseVersion).WithName("GetCourseVersion").WithSummary("One published version (learners stay on the version they started)").RequireAuthorization(Permissions.CatalogueRead);
        api.MapGet("/{id:guid}/draft", GetCourseDraft).WithName("GetCourseDraft").WithSummary("The open draft, with its ETag").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/draft", OpenCourseDraft).WithName("OpenCourseDraft").WithSummary("Open a draft as a copy of the published version").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPut("/{id:guid}/draft", SaveCourseDraft).WithName("SaveCourseDraft").WithSummary("Replace the draft (opening one if needed); If-Match is checked").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/publish", PublishCourse).WithName("PublishCourse").WithSummary("Publish the draft as the next version; publishes CoursePublished").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/archive", ArchiveCourse).WithName("ArchiveCourse").WithSummary("Take the course out of the catalogue; publishes CourseArchived").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/replace", ReplaceCourse).WithName("ReplaceCourse").WithSummary("Archive the course in favour of a published successor; publishes CourseReplaced").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPut("/{id:guid}/prerequisites", SetCoursePrerequisites).WithName("SetCoursePrerequisites").WithSummary("Replace the course's prerequisites; 409 names a cycle").RequireAuthorization(Permissions.CatalogueManage);
        return app;
    }

    public static async Task<Results<Created<CourseView>, ValidationProblem, Conflict<ProblemDetails>, ProblemHttpResult>> CreateCourse(
        CreateCourseRequest request, ClaimsPrincipal user, CatalogueDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var caller = CatalogueCaller.From(user);
        if (caller.OwnerFor(request.OwnerUserId, request.OwnerOrgUnitId) is not { } owner)
            return request.OwnerUserId is null && caller.UserId is null
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ownerUserId"] = ["is required for an integration client"] })
                : Forbidden("Only an administrator may create a course owned by someone else.");

        var now = time.GetUtcNow();
        var course = Course.Create(request.Code!, owner.UserId, owner.OrgUnitId, now);
        var draft = new CourseVersion { Id = Guid.CreateVersion7(), CourseId = course.Id, Title = "", CreatedAt = now, UpdatedAt = now, UpdatedBy = owner.UserId };
        request.Draft!.ApplyTo(draft);
        if (await ItemRules.CheckReferencesAsync(draft, course.Id, db, ct) is { Count: > 0 } refErrors) return TypedResults.ValidationProblem(Prefixed(refErrors));
        if (await ItemRules.CodeTakenAsync(db, course.Code, ct)) return Problems.Conflict($"The code '{course.Code}' is taken.", "code");

        db.Courses.Add(course);
        db.CourseVersions.Add(draft);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict($"The code '{course.Code}' is taken.", "code");
        }
        return TypedResults.Created($"/api/catalogue/courses/{course.Id}/draft", await ViewAsync(db, course, draft, ct));
    }

    public static async Task<Results<Ok<Page<ItemSummary>>, ValidationProblem>> ListCourses(
        [AsParameters] PageRequest paging, string? status, string? q, ClaimsPrincipal user, CatalogueDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!ItemRules.TryParseStatus(status, out var wanted))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["must be draft, published or archived"] });
        var caller = CatalogueCaller.From(user);
        var query = db.Courses.AsNoTracking();
        if (!caller.IsAdministrator) query = query.Where(c => c.OwnerUserId == caller.UserId);
        if (wanted is { } w) query = query.Where(c => c.Status == w);
        // Each course once: its draft if one is open, else its newest published version.
        var rows = from c in query
                   join v in db.CourseVersions on c.Id equals v.CourseId
                   where (v.Number == null && c.HasDraft) || (v.Number == c.PublishedVersion && !c.HasDraft)
                   select new { c.Id, c.Code, v.Title, c.Status, c.PublishedVersion, c.HasDraft, c.OwnerOrgUnitId, c.OwnerUserId, c.UpdatedAt };
        if (ItemRules.ContainsPattern(q) is { } pattern) rows = rows.Where(r => EF.Functions.ILike(r.Code, pattern) || EF.Functions.ILike(r.Title, pattern));
        var page = await rows.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(r => new ItemSummary(r.Id, r.Code, r.Title, r.Status.StatusName(), r.PublishedVersion, r.HasDraft, r.OwnerOrgUnitId, r.OwnerUserId, r.UpdatedAt)));
    }

    public static async Task<Results<Ok<CourseView>, NotFound>> GetCourse(
        Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var (view, hit) = await cache.GetOrCreateAsync($"course:{id}", async token =>
        {
            var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, token);
            if (course?.PublishedVersion is not { } number) return null;
            var version = await db.CourseVersions.AsNoTracking().FirstAsync(v => v.CourseId == id && v.Number == number, token);
            return await ViewAsync(db, course, version, token);
        }, ct);
        http.Response.Headers["X-Cache"] = hit ? "hit" : "miss";
        var caller = CatalogueCaller.From(http.User);
        if (view is null || view.Status == "archived" && !caller.SeesEverything) return TypedResults.NotFound();
        return await Audience.CanSeeAsync(caller, view.Visibility.Everyone, view.Visibility.OrgUnitIds, db, ct) ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<List<VersionSummary>>, NotFound, ProblemHttpResult>> ListCourseVersions(
        Guid id, ClaimsPrincipal user, CatalogueDbContext db, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(user).CanManage(course)) return NotYours();
        return TypedResults.Ok(await ItemRules.HistoryAsync(db.CourseVersions.Where(v => v.CourseId == id), ct));
    }

    public static async Task<Results<Ok<CourseView>, NotFound>> GetCourseVersion(
        Guid id, int number, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var (view, hit) = await cache.GetOrCreateAsync($"course:{id}:v{number}", async token =>
        {
            var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, token);
            var version = await db.CourseVersions.AsNoTracking().FirstOrDefaultAsync(v => v.CourseId == id && v.Number == number, token);
            return course is null || version is null ? null : await ViewAsync(db, course, version, token);
        }, ct);
        http.Response.Headers["X-Cache"] = hit ? "hit" : "miss";
        if (view is null) return TypedResults.NotFound();
        return await Audience.CanSeeAsync(CatalogueCaller.From(http.User), view.Visibility.Everyone, view.Visibility.OrgUnitIds, db, ct)
            ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<CourseView>, NotFound, ProblemHttpResult>> GetCourseDraft(
        Guid id, HttpContext http, CatalogueDbContext db, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(course)) return NotYours();
        var draft = await db.CourseVersions.AsNoTracking().FirstOrDefaultAsync(v => v.CourseId == id && v.Number == null, ct);
        if (draft is null) return TypedResults.NotFound();
        http.Response.Headers.ETag = draft.ETag;
        return TypedResults.Ok(await ViewAsync(db, course, draft, ct));
    }

    public static async Task<Results<Created<CourseView>, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> OpenCourseDraft(
        Guid id, HttpContext http, CatalogueDbContext db, TimeProvider time, CancellationToken ct)
    {
        var course = await db.Courses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        var caller = CatalogueCaller.From(http.User);
        if (!caller.CanManage(course)) return NotYours();
        var now = time.GetUtcNow();
        course.OpenDraft(now);
        var published = await db.CourseVersions.AsNoTracking().FirstAsync(v => v.CourseId == id && v.Number == course.PublishedVersion, ct);
        var draft = new CourseVersion
        {
            Id = Guid.CreateVersion7(), CourseId = id, Title = published.Title, Summary = published.Summary, Description = published.Description,
            CategoryId = published.CategoryId, Tags = [.. published.Tags], Language = published.Language, VisibleToEveryone = published.VisibleToEveryone,
            AudienceOrgUnitIds = [.. published.AudienceOrgUnitIds], Compliance = published.Compliance, SelfEnrolment = published.SelfEnrolment, DeliveryType = published.DeliveryType,
            DurationMinutes = published.DurationMinutes, Sections = published.Sections, CreatedAt = now, UpdatedAt = now, UpdatedBy = caller.UserId ?? Guid.Empty,
        };
        db.CourseVersions.Add(draft);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        http.Response.Headers.ETag = draft.ETag;
        return TypedResults.Created($"/api/catalogue/courses/{id}/draft", await ViewAsync(db, course, draft, ct));
    }

    public static async Task<Results<Ok<CourseView>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> SaveCourseDraft(
        Guid id, CourseDraftRequest request, HttpContext http, CatalogueDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var course = await db.Courses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        var caller = CatalogueCaller.From(http.User);
        if (!caller.CanManage(course)) return NotYours();
        course.EnsureNotArchived();
        var now = time.GetUtcNow();
        var draft = await db.CourseVersions.FirstOrDefaultAsync(v => v.CourseId == id && v.Number == null, ct);
        if (draft is null)
        {
            draft = new CourseVersion { Id = Guid.CreateVersion7(), CourseId = id, Title = "", CreatedAt = now };
            db.CourseVersions.Add(draft);
        }
        else if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), draft.ETag))
            return Problems.Conflict("The draft was changed by someone else since you read it; read it again and retry.", "etag");
        request.ApplyTo(draft);
        draft.UpdatedAt = now;
        draft.UpdatedBy = caller.UserId ?? Guid.Empty;
        course.DraftEdited(now);
        if (await ItemRules.CheckReferencesAsync(draft, id, db, ct) is { Count: > 0 } refErrors) return TypedResults.ValidationProblem(refErrors);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        http.Response.Headers.ETag = draft.ETag;
        return TypedResults.Ok(await ViewAsync(db, course, draft, ct));
    }

    public static async Task<Results<Ok<CourseView>, NotFound, Conflict<ProblemDetails>, UnprocessableEntity<ProblemDetails>, ProblemHttpResult>> PublishCourse(
        Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        var course = await db.Courses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        var caller = CatalogueCaller.From(http.User);
        if (!caller.CanManage(course)) return NotYours();
        course.EnsureNotArchived("published again");
        var draft = await db.CourseVersions.FirstOrDefaultAsync(v => v.CourseId == id && v.Number == null, ct);
        if (draft is null) return Problems.Conflict("There is no draft to publish.", "draft");
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), draft.ETag))
            return Problems.Conflict("The draft was changed since you read it; read it again and retry.", "etag");

        var errors = new ValidationErrors();
        CourseRules.CheckPublishable(draft, errors);
        await ItemRules.CheckPublishableAsync(draft, errors, db, ct);
        if (!errors.IsValid) return Unpublishable(course, errors);

        course.Publish(draft, await ItemRules.PrerequisiteIdsAsync(db, id, ct), caller.UserId, time.GetUtcNow());
        await ItemRules.UpsertEntryAsync(db, course, ItemKind.Course, draft, draft.DeliveryType, draft.DurationMinutes, ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        await cache.InvalidateAsync();
        return TypedResults.Ok(await ViewAsync(db, course, draft, ct));
    }

    public static async Task<Results<Ok<CourseView>, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> ArchiveCourse(
        Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        var course = await db.Courses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(course)) return NotYours();
        course.Archive(time.GetUtcNow());
        await ItemRules.RemoveEntryAsync(db, course, ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        await cache.InvalidateAsync();
        return TypedResults.Ok(await LatestViewAsync(db, course, ct));
    }

    public static async Task<Results<Ok<CourseView>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> ReplaceCourse(
        Guid id, ReplaceCourseRequest request, HttpContext http, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        if (request.ReplacedByCourseId is not { } successorId)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["replacedByCourseId"] = ["is required"] });
        var course = await db.Courses.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(course)) return NotYours();
        var successor = successorId == id ? course : await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == successorId, ct);
        if (successor is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["replacedByCourseId"] = ["is not a known course"] });
        if (!course.ReplaceWith(successor, time.GetUtcNow())) return TypedResults.Ok(await LatestViewAsync(db, course, ct));
        await ItemRules.RemoveEntryAsync(db, course, ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        await cache.InvalidateAsync();
        return TypedResults.Ok(await LatestViewAsync(db, course, ct));
    }

    public static async Task<Results<Ok<List<ItemRef>>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> SetCoursePrerequisites(
        Guid id, PrerequisitesRequest request, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (course is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(course)) return NotYours();
        return ToResult(await Prerequisites.SetAsync(db, cache, course, ItemKind.Course, request.Items ?? [], ct));
    }

    private static async Task<CourseView> LatestViewAsync(CatalogueDbContext db, Course course, CancellationToken ct)
    {
        var version = await db.CourseVersions.AsNoTracking().Where(v => v.CourseId == course.Id)
            .OrderByDescending(v => v.Number ?? 0).FirstAsync(ct);
        return await ViewAsync(db, course, version, ct);
    }

    public static async Task<CourseView> ViewAsync(CatalogueDbContext db, Course course, CourseVersion v, CancellationToken ct) => new(
        course.Id, course.Code, course.Status.StatusName(), v.Number, v.IsDraft, v.Title, v.Summary, v.Description, Markdown.ToSafeHtml(v.Description),
        await ItemRules.CategoryOfAsync(db, v.CategoryId, ct), v.Tags, v.Language, v.DeliveryType.Name(), v.DurationMinutes, v.Sections, v.Compliance,
        new VisibilityView(v.VisibleToEveryone, v.AudienceOrgUnitIds), new OwnerView(course.OwnerOrgUnitId, course.OwnerUserId),
        await ItemRules.PrerequisitesOfAsync(db, course.Id, ct), course.ReplacedByCourseId, v.PublishedAt, v.UpdatedAt, v.SelfEnrolment);
}

public static class CourseRules
{
    /// <summary>What a course needs before it can be published: something to do, and something required.</summary>
    public static void CheckPublishable(CourseVersion draft, ValidationErrors errors)
    {
        errors.Check(draft.Sections.Count > 0, "sections", "a course needs at least one section");
        for (var i = 0; i < draft.Sections.Count; i++)
            errors.Check(draft.Sections[i].Activities.Count > 0, $"sections[{i}].activities", "a section needs at least one activity");
        errors.Check(draft.Activities.Any(a => a.Required), "sections", "at least one activity must be required for completion");
        errors.Check(draft.DurationMinutes > 0, "durationMinutes", "must be set to publish");
    }
}
