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

/// <summary>Learning paths: the same lifecycle as courses (drafts, immutable numbered versions, archive), over an ordered list of courses.</summary>
public static class LearningPathsApi
{
    public static IEndpointRouteBuilder MapLearningPathsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalogue/paths").WithTags("Learning paths");
        api.MapPost("/", CreatePath).WithName("CreateLearningPath").WithSummary("Create a learning path with its first draft").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/", ListPaths).WithName("ListLearningPaths").WithSummary("Paths in every status (q: title or code): all for administrators, their own for training managers").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/{id:guid}", GetPath).WithName("GetLearningPath").WithSummary("The published path, if the caller may see it (cached in Redis)").RequireAuthorization(Permissions.CatalogueRead);
        api.MapGet("/{id:guid}/versions", ListPathVersions).WithName("ListLearningPathVersions").WithSummary("The path's version history").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/{id:guid}/versions/{number:int}", GetPathVersion).WithName("GetLearningPathVersion").WithSummary("One published version").RequireAuthorization(Permissions.CatalogueRead);
        api.MapGet("/{id:guid}/draft", GetPathDraft).WithName("GetLearningPathDraft").WithSummary("The open draft, with its ETag").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPut("/{id:guid}/draft", SavePathDraft).WithName("SaveLearningPathDraft").WithSummary("Replace the draft (opening one if needed); If-Match is checked").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/publish", PublishPath).WithName("PublishLearningPath").WithSummary("Publish the draft as the next version; publishes LearningPathPublished").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPost("/{id:guid}/archive", ArchivePath).WithName("ArchiveLearningPath").WithSummary("Take the path out of the catalogue; publishes LearningPathArchived").RequireAuthorization(Permissions.CatalogueManage);
        api.MapPut("/{id:guid}/prerequisites", SetPathPrerequisites).WithName("SetLearningPathPrerequisites").WithSummary("Replace the path's prerequisites; 409 names a cycle").RequireAuthorization(Permissions.CatalogueManage);
        return app;
    }

    public static async Task<Results<Created<LearningPathView>, ValidationProblem, Conflict<ProblemDetails>, ProblemHttpResult>> CreatePath(
        CreateLearningPathRequest request, ClaimsPrincipal user, CatalogueDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var caller = CatalogueCaller.From(user);
        if (caller.OwnerFor(request.OwnerUserId, request.OwnerOrgUnitId) is not { } owner)
            return request.OwnerUserId is null && caller.UserId is null
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["ownerUserId"] = ["is required for an integration client"] })
                : Forbidden("Only an administrator may create a learning path owned by someone else.");

        var now = time.GetUtcNow();
        var path = LearningPath.Create(request.Code!, owner.UserId, owner.OrgUnitId, now);
        var draft = new LearningPathVersion { Id = Guid.CreateVersion7(), LearningPathId = path.Id, Title = "", CreatedAt = now, UpdatedAt = now, UpdatedBy = owner.UserId };
        request.Draft!.ApplyTo(draft);
        if (await CheckReferencesAsync(draft, path.Id, db, ct) is { Count: > 0 } refErrors) return TypedResults.ValidationProblem(Prefixed(refErrors));
        if (await ItemRules.CodeTakenAsync(db, path.Code, ct)) return Problems.Conflict($"The code '{path.Code}' is taken.", "code");
        db.LearningPaths.Add(path);
        db.LearningPathVersions.Add(draft);
        if (await SaveAsync(db, ct) is not null) return Problems.Conflict($"The code '{path.Code}' is taken.", "code");
        return TypedResults.Created($"/api/catalogue/paths/{path.Id}/draft", await ViewAsync(db, path, draft, ct));
    }

    public static async Task<Results<Ok<Page<ItemSummary>>, ValidationProblem>> ListPaths(
        [AsParameters] PageRequest paging, string? status, string? q, ClaimsPrincipal user, CatalogueDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!ItemRules.TryParseStatus(status, out var wanted))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["must be draft, published or archived"] });
        var caller = CatalogueCaller.From(user);
        var query = db.LearningPaths.AsNoTracking();
        if (!caller.IsAdministrator) query = query.Where(c => c.OwnerUserId == caller.UserId);
        if (wanted is { } w) query = query.Where(c => c.Status == w);
        var rows = from p in query
                   join v in db.LearningPathVersions on p.Id equals v.LearningPathId
                   where (v.Number == null && p.HasDraft) || (v.Number == p.PublishedVersion && !p.HasDraft)
                   select new { p.Id, p.Code, v.Title, p.Status, p.PublishedVersion, p.HasDraft, p.OwnerOrgUnitId, p.OwnerUserId, p.UpdatedAt };
        if (ItemRules.ContainsPattern(q) is { } pattern) rows = rows.Where(r => EF.Functions.ILike(r.Code, pattern) || EF.Functions.ILike(r.Title, pattern));
        var page = await rows.OrderByDescending(r => r.UpdatedAt).ThenBy(r => r.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(r => new ItemSummary(r.Id, r.Code, r.Title, r.Status.StatusName(), r.PublishedVersion, r.HasDraft, r.OwnerOrgUnitId, r.OwnerUserId, r.UpdatedAt)));
    }

    public static Task<Results<Ok<LearningPathView>, NotFound>> GetPath(Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct) =>
        GetPublishedAsync(id, null, http, db, cache, ct);

    public static async Task<Results<Ok<List<VersionSummary>>, NotFound, ProblemHttpResult>> ListPathVersions(
        Guid id, ClaimsPrincipal user, CatalogueDbContext db, CancellationToken ct)
    {
        var path = await db.LearningPaths.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(user).CanManage(path)) return NotYours();
        return TypedResults.Ok(await ItemRules.HistoryAsync(db.LearningPathVersions.Where(v => v.LearningPathId == id), ct));
    }

    public static Task<Results<Ok<LearningPathView>, NotFound>> GetPathVersion(Guid id, int number, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct) =>
        GetPublishedAsync(id, number, http, db, cache, ct);

    private static async Task<Results<Ok<LearningPathView>, NotFound>> GetPublishedAsync(
        Guid id, int? number, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var (view, hit) = await cache.GetOrCreateAsync(number is null ? $"path:{id}" : $"path:{id}:v{number}", async token =>
        {
            var path = await db.LearningPaths.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, token);
            if ((number ?? path?.PublishedVersion) is not { } n || path is null) return null;
            var version = await db.LearningPathVersions.AsNoTracking().FirstOrDefaultAsync(v => v.LearningPathId == id && v.Number == n, token);
            return version is null ? null : await ViewAsync(db, path, version, token);
        }, ct);
        http.Response.Headers["X-Cache"] = hit ? "hit" : "miss";
        var caller = CatalogueCaller.From(http.User);
        if (view is null || number is null && view.Status == "archived" && !caller.SeesEverything) return TypedResults.NotFound();
        return await Audience.CanSeeAsync(caller, view.Visibility.Everyone, view.Visibility.OrgUnitIds, db, ct) ? TypedResults.Ok(view) : TypedResults.NotFound();
    }

    public static async Task<Results<Ok<LearningPathView>, NotFound, ProblemHttpResult>> GetPathDraft(Guid id, HttpContext http, CatalogueDbContext db, CancellationToken ct)
    {
        var path = await db.LearningPaths.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(path)) return NotYours();
        var draft = await db.LearningPathVersions.AsNoTracking().FirstOrDefaultAsync(v => v.LearningPathId == id && v.Number == null, ct);
        if (draft is null) return TypedResults.NotFound();
        http.Response.Headers.ETag = draft.ETag;
        return TypedResults.Ok(await ViewAsync(db, path, draft, ct));
    }

    public static async Task<Results<Ok<LearningPathView>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> SavePathDraft(
        Guid id, LearningPathDraftRequest request, HttpContext http, CatalogueDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var path = await db.LearningPaths.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        var caller = CatalogueCaller.From(http.User);
        if (!caller.CanManage(path)) return NotYours();
        path.EnsureNotArchived();
        var now = time.GetUtcNow();
        var draft = await db.LearningPathVersions.FirstOrDefaultAsync(v => v.LearningPathId == id && v.Number == null, ct);
        if (draft is null)
        {
            draft = new LearningPathVersion { Id = Guid.CreateVersion7(), LearningPathId = id, Title = "", CreatedAt = now };
            db.LearningPathVersions.Add(draft);
        }
        else if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), draft.ETag))
            return Problems.Conflict("The draft was changed by someone else since you read it; read it again and retry.", "etag");
        request.ApplyTo(draft);
        draft.UpdatedAt = now;
        draft.UpdatedBy = caller.UserId ?? Guid.Empty;
        path.DraftEdited(now);
        if (await CheckReferencesAsync(draft, id, db, ct) is { Count: > 0 } refErrors) return TypedResults.ValidationProblem(refErrors);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        http.Response.Headers.ETag = draft.ETag;
        return TypedResults.Ok(await ViewAsync(db, path, draft, ct));
    }

    public static async Task<Results<Ok<LearningPathView>, NotFound, Conflict<ProblemDetails>, UnprocessableEntity<ProblemDetails>, ProblemHttpResult>> PublishPath(
        Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        var path = await db.LearningPaths.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        var caller = CatalogueCaller.From(http.User);
        if (!caller.CanManage(path)) return NotYours();
        path.EnsureNotArchived("published again");
        var draft = await db.LearningPathVersions.FirstOrDefaultAsync(v => v.LearningPathId == id && v.Number == null, ct);
        if (draft is null) return Problems.Conflict("There is no draft to publish.", "draft");
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), draft.ETag))
            return Problems.Conflict("The draft was changed since you read it; read it again and retry.", "etag");

        var courseIds = draft.Steps.Select(s => s.CourseId).ToList();
        var courses = await PublishedCoursesAsync(db, courseIds, ct);
        var errors = new ValidationErrors();
        errors.Check(draft.Steps.Count > 0, "courses", "a learning path needs at least one course");
        var notPublished = draft.Steps.Where(s => !courses.ContainsKey(s.CourseId)).Select(s => s.CourseId).ToList();
        errors.Check(notPublished.Count == 0, "courses", $"every course must be published: {string.Join(", ", notPublished)}");
        errors.Check(draft.Steps.Any(s => s.Required) || draft.OptionalToComplete > 0, "optionalToComplete", "a path with no required course must ask for at least one optional one");
        await ItemRules.CheckPublishableAsync(draft, errors, db, ct);
        if (!errors.IsValid) return Unpublishable(path, errors);

        path.Publish(draft, await ItemRules.PrerequisiteIdsAsync(db, id, ct), caller.UserId, time.GetUtcNow());
        var (delivery, duration) = Shape(draft, courses);
        await ItemRules.UpsertEntryAsync(db, path, ItemKind.LearningPath, draft, delivery, duration, ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        await cache.InvalidateAsync();
        return TypedResults.Ok(await ViewAsync(db, path, draft, ct));
    }

    public static async Task<Results<Ok<LearningPathView>, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> ArchivePath(
        Guid id, HttpContext http, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        var path = await db.LearningPaths.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(path)) return NotYours();
        path.Archive(time.GetUtcNow());
        await ItemRules.RemoveEntryAsync(db, path, ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        await cache.InvalidateAsync();
        var latest = await db.LearningPathVersions.AsNoTracking().Where(v => v.LearningPathId == id).OrderByDescending(v => v.Number ?? 0).FirstAsync(ct);
        return TypedResults.Ok(await ViewAsync(db, path, latest, ct));
    }

    public static async Task<Results<Ok<List<ItemRef>>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult>> SetPathPrerequisites(
        Guid id, PrerequisitesRequest request, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var path = await db.LearningPaths.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (path is null) return TypedResults.NotFound();
        if (!CatalogueCaller.From(http.User).CanManage(path)) return NotYours();
        return ToResult(await Prerequisites.SetAsync(db, cache, path, ItemKind.LearningPath, request.Items ?? [], ct));
    }

    private static async Task<Dictionary<string, string[]>> CheckReferencesAsync(LearningPathVersion draft, Guid id, CatalogueDbContext db, CancellationToken ct)
    {
        var errors = await ItemRules.CheckReferencesAsync(draft, id, db, ct);
        var ids = draft.Steps.Select(s => s.CourseId).ToList();
        var known = await db.Courses.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        var unknown = ids.Except(known).ToList();
        if (unknown.Count > 0) errors["courses"] = [$"are not known courses: {string.Join(", ", unknown)}"];
        return errors;
    }

    private sealed record PublishedCourse(Guid Id, DeliveryType DeliveryType, int DurationMinutes);

    private static async Task<Dictionary<Guid, PublishedCourse>> PublishedCoursesAsync(CatalogueDbContext db, List<Guid> ids, CancellationToken ct) =>
        await db.Entries.AsNoTracking().Where(e => ids.Contains(e.Id) && e.Kind == ItemKind.Course)
            .Select(e => new PublishedCourse(e.Id, e.DeliveryType, e.DurationMinutes)).ToDictionaryAsync(e => e.Id, ct);

    /// <summary>
    /// How a path is delivered and how long it takes, from its courses: one delivery type if they all share it, else
    /// blended; every required course plus the shortest optional ones it asks for.
    /// </summary>
    private static (DeliveryType, int) Shape(LearningPathVersion draft, Dictionary<Guid, PublishedCourse> courses)
    {
        var types = draft.Steps.Select(s => courses[s.CourseId].DeliveryType).Distinct().ToList();
        var delivery = types.Count == 1 ? types[0] : DeliveryType.Blended;
        var required = draft.Steps.Where(s => s.Required).Sum(s => courses[s.CourseId].DurationMinutes);
        var optional = draft.Steps.Where(s => !s.Required).Select(s => courses[s.CourseId].DurationMinutes).Order().Take(draft.OptionalToComplete).Sum();
        return (delivery, required + optional);
    }

    public static async Task<LearningPathView> ViewAsync(CatalogueDbContext db, LearningPath path, LearningPathVersion v, CancellationToken ct)
    {
        var ids = v.Steps.Select(s => s.CourseId).ToList();
        var courses = await db.Courses.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var entries = await db.Entries.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        var steps = v.Steps.Select((s, i) => new PathCourseView(s.CourseId, i + 1, s.Required, courses.GetValueOrDefault(s.CourseId)?.Code,
            entries.GetValueOrDefault(s.CourseId)?.Title, courses.GetValueOrDefault(s.CourseId)?.Status.StatusName())).ToList();
        var duration = await db.Entries.AsNoTracking().Where(e => e.Id == path.Id).Select(e => (int?)e.DurationMinutes).FirstOrDefaultAsync(ct) ?? 0;
        return new LearningPathView(path.Id, path.Code, path.Status.StatusName(), v.Number, v.IsDraft, v.Title, v.Summary, v.Description,
            Markdown.ToSafeHtml(v.Description), await ItemRules.CategoryOfAsync(db, v.CategoryId, ct), v.Tags, v.Language, steps, v.OptionalToComplete,
            duration, v.Compliance, new VisibilityView(v.VisibleToEveryone, v.AudienceOrgUnitIds), new OwnerView(path.OwnerOrgUnitId, path.OwnerUserId),
            await ItemRules.PrerequisitesOfAsync(db, path.Id, ct), v.PublishedAt, v.UpdatedAt, v.SelfEnrolment);
    }
}
