using System.Text.Json;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

/// <summary>An audience's settings and draft rule as sent: the rule is JSON (see <see cref="RuleNode"/>).</summary>
public sealed record AudienceRequest(string? Name, string? Description, JsonElement? Rule, Guid[]? CourseIds, string? LeavePolicy, int? GraceDays,
    int? SafetyThresholdPercent, Guid[]? PathIds = null)
{
    /// <summary>The settings, or the field errors (a rule that does not parse, an unknown leave policy).</summary>
    public AudienceSettings? ToSettings(out Dictionary<string, string[]> errors)
    {
        errors = [];
        RuleNode? rule = null;
        if (Rule is not { ValueKind: JsonValueKind.Object } json) errors["rule"] = ["is required: a rule object with a 'type'"];
        else if ((rule = RuleNode.Parse(json.GetRawText(), out var error)) is null) errors["rule"] = [error!];
        var policy = Model.LeavePolicy.Keep;
        if (LeavePolicy is not null && !Enum.TryParse(LeavePolicy, ignoreCase: true, out policy))
            errors["leavePolicy"] = [$"must be one of {string.Join(", ", Enum.GetNames<LeavePolicy>())}"];
        return errors.Count > 0 ? null : new AudienceSettings(Name ?? "", Description, rule!, CourseIds ?? [], policy, GraceDays ?? 0, SafetyThresholdPercent ?? 10,
            PathIds ?? []);
    }
}

public sealed record PreviewRequest(Guid? AudienceId, JsonElement? Rule, Guid[]? CourseIds, string? LeavePolicy, bool? Retroactive, int? SafetyThresholdPercent,
    Guid[]? PathIds = null);

public sealed record PublishRequest(bool? Retroactive, bool? Confirm);

/// <summary>A course or learning path an audience assigns.</summary>
public sealed record ItemRef(Guid Id, string Code, string Title);

public sealed record AudienceVersionDto(int Version, DateTimeOffset PublishedAt, string PublishedBy, bool Retroactive);

public sealed record AudienceSummary(Guid Id, string Name, string? Description, int Version, bool Paused, bool HasUnpublishedChanges, int Members, int Leaving,
    int SyncedVersion, DateTimeOffset UpdatedAt);

public sealed record AudienceDto(Guid Id, string Name, string? Description, JsonElement DraftRule, JsonElement? Rule, IReadOnlyList<ItemRef> DraftCourses,
    IReadOnlyList<ItemRef> Courses, IReadOnlyList<ItemRef> DraftPaths, IReadOnlyList<ItemRef> Paths, int Version, bool Retroactive, bool Paused, string LeavePolicy, int GraceDays, int SafetyThresholdPercent,
    int SyncedVersion, DateTimeOffset? SyncedAt, int Members, int Leaving, bool HasUnpublishedChanges, IReadOnlyList<AudienceVersionDto> Versions);

public sealed record AudienceMemberDto(Guid UserId, string Name, string Email, int Version, DateTimeOffset JoinedAt, DateTimeOffset? LeavingSince);

public sealed record MembershipChangeDto(Guid AudienceId, Guid UserId, string? Name, string Change, int Version, DateTimeOffset At, string? Detail)
{
    public static MembershipChangeDto From(MembershipChange c, string? name = null) => new(c.AudienceId, c.UserId, name, c.Change.ToString(), c.Version, c.At, c.Detail);
}

/// <summary>The version published and, for an audience that had members, what it does to them (null for one that had none).</summary>
public sealed record PublishResponse(int Version, AudiencePreview? Preview);

/// <summary>
/// Audiences: rules over people, edited as drafts, previewed, published as versions; their members, the why-trace
/// and the membership history. The worker (<see cref="AudienceWorker"/>) applies what is published.
/// </summary>
public static class AudiencesApi
{
    public static IEndpointRouteBuilder MapAudiencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment/audiences").WithTags("Audiences");
        api.MapGet("/", ListAudiences).WithName("ListAudiences").WithSummary("Audiences, paged; search by name").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapPost("/", CreateAudience).WithName("CreateAudience").WithSummary("A new audience (a draft rule, its courses, paths and settings)").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/preview", Preview).WithName("PreviewAudience").WithSummary("Who a rule would take in and out, and what that does to assignments, without saving").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/reconciliations", Reconciliations).WithName("ListAudienceReconciliations").WithSummary("The latest full evaluations and the drift each found").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapPost("/reconciliations", Reconcile).WithName("ReconcileAudiences").WithSummary("Evaluate everyone now and record the drift").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/{id:guid}", GetAudience).WithName("GetAudience").WithSummary("An audience: its draft and published rule, courses, paths, versions, member count (ETag)").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapPut("/{id:guid}", EditAudience).WithName("EditAudience").WithSummary("Change the draft and settings (If-Match)").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/{id:guid}/publish", Publish).WithName("PublishAudience").WithSummary("Publish the draft as the next version; confirm when it removes more than the safety threshold").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/{id:guid}/pause", (Guid id, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) => ChangeAsync(id, db, a => a.Pause(time.GetUtcNow()), ct))
            .WithName("PauseAudience").WithSummary("Stop evaluating the audience; its members stay as they are").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapPost("/{id:guid}/resume", (Guid id, EnrolmentDbContext db, TimeProvider time, CancellationToken ct) => ChangeAsync(id, db, a => a.Resume(time.GetUtcNow()), ct))
            .WithName("ResumeAudience").WithSummary("Evaluate the audience again, in full").RequireAuthorization(Permissions.EnrolmentsManage);
        api.MapGet("/{id:guid}/members", Members).WithName("ListAudienceMembers").WithSummary("The members, paged, with who is in the grace period").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/{id:guid}/history", History).WithName("AudienceHistory").WithSummary("Who joined and left, when, and by which version; filter by person").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/{id:guid}/people/{userId:guid}", Explain).WithName("ExplainAudienceMembership").WithSummary("Why a person is in or not, rule by rule, and their history").RequireAuthorization(Permissions.EnrolmentsRead);
        return app;
    }

    public static async Task<Ok<Page<AudienceSummary>>> ListAudiences([AsParameters] PageRequest paging, string? q, EnrolmentDbContext db, CancellationToken ct)
    {
        var query = db.Audiences.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(a => EF.Functions.ILike(a.Name, $"%{q.Trim()}%"));
        var page = await query.OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new
            {
                Audience = a,
                Members = db.AudienceMembers.Count(m => m.AudienceId == a.Id),
                Leaving = db.AudienceMembers.Count(m => m.AudienceId == a.Id && m.LeavingSince != null),
            })
            .ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => new AudienceSummary(x.Audience.Id, x.Audience.Name, x.Audience.Description, x.Audience.Version, x.Audience.Paused,
            x.Audience.HasUnpublishedChanges, x.Members, x.Leaving, x.Audience.SyncedVersion, x.Audience.UpdatedAt)));
    }

    public static async Task<Results<Created<AudienceDto>, ValidationProblem>> CreateAudience(
        AudienceRequest request, HttpContext http, EnrolmentDbContext db, AudienceRules rules, TimeProvider time, CancellationToken ct)
    {
        if (request.ToSettings(out var errors) is not { } settings) return TypedResults.ValidationProblem(errors);
        var audience = Audience.Create(settings, time.GetUtcNow());
        await rules.CheckAsync(null, settings.Rule, settings.CourseIds, settings.PathIds ?? [], ct);
        db.Audiences.Add(audience);
        await db.SaveChangesAsync(ct);
        http.Response.Headers.ETag = ETagOf(audience);
        return TypedResults.Created($"/api/enrolment/audiences/{audience.Id}", await ViewAsync(db, audience, ct));
    }

    public static async Task<Results<Ok<AudienceDto>, NotFound>> GetAudience(Guid id, HttpContext http, EnrolmentDbContext db, CancellationToken ct)
    {
        if (await db.Audiences.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is not { } audience) return TypedResults.NotFound();
        http.Response.Headers.ETag = ETagOf(audience);
        return TypedResults.Ok(await ViewAsync(db, audience, ct));
    }

    public static async Task<Results<Ok<AudienceDto>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> EditAudience(
        Guid id, AudienceRequest request, HttpContext http, EnrolmentDbContext db, AudienceRules rules, TimeProvider time, CancellationToken ct)
    {
        if (await db.Audiences.FirstOrDefaultAsync(a => a.Id == id, ct) is not { } audience) return TypedResults.NotFound();
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), ETagOf(audience)))
            return Problems.Conflict("The audience was changed by someone else since you read it; read it again and retry.", "etag");
        if (request.ToSettings(out var errors) is not { } settings) return TypedResults.ValidationProblem(errors);
        audience.Edit(settings, time.GetUtcNow());
        await rules.CheckAsync(id, settings.Rule, settings.CourseIds, settings.PathIds ?? [], ct);
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        http.Response.Headers.ETag = ETagOf(audience);
        return TypedResults.Ok(await ViewAsync(db, audience, ct));
    }

    /// <summary>The live preview of the rule builder: the draft sent (not saved), against the audience's members if it has any.</summary>
    public static async Task<Results<Ok<AudiencePreview>, ValidationProblem, NotFound>> Preview(PreviewRequest request, EnrolmentDbContext db, AudienceRules rules, CancellationToken ct)
    {
        Audience? audience = null;
        if (request.AudienceId is { } id && (audience = await db.Audiences.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct)) is null) return TypedResults.NotFound();
        var settings = new AudienceRequest("preview", null, request.Rule, request.CourseIds, request.LeavePolicy, audience?.GraceDays,
            request.SafetyThresholdPercent ?? audience?.SafetyThresholdPercent, request.PathIds).ToSettings(out var errors);
        if (settings is null) return TypedResults.ValidationProblem(errors);
        settings.Check();
        await rules.CheckAsync(audience?.Id, settings.Rule, settings.CourseIds, settings.PathIds ?? [], ct);
        return TypedResults.Ok(await rules.PreviewAsync(audience, settings.Rule, settings.CourseIds, settings.PathIds ?? [], settings.LeavePolicy, request.Retroactive ?? true,
            settings.SafetyThresholdPercent, ct));
    }

    /// <summary>
    /// Publishes the draft as the next version, after the same preview the builder shows when the audience has
    /// members: a publication that would remove more than the audience's safety threshold of them is refused (409,
    /// with the numbers) unless confirmed. The members are then applied by the worker, within a second or so.
    /// </summary>
    public static async Task<Results<Ok<PublishResponse>, NotFound, Conflict<ProblemDetails>>> Publish(
        Guid id, PublishRequest request, HttpContext http, EnrolmentDbContext db, AudienceRules rules, TimeProvider time, CancellationToken ct)
    {
        if (await db.Audiences.FirstOrDefaultAsync(a => a.Id == id, ct) is not { } audience) return TypedResults.NotFound();
        if (ETags.IsStale(http.Request.Headers.IfMatch.FirstOrDefault(), ETagOf(audience)))
            return Problems.Conflict("The audience was changed by someone else since you read it; read it again and retry.", "etag");
        var draft = audience.Draft();
        await rules.CheckAsync(id, draft, audience.DraftCourseIds, audience.DraftPathIds, ct);
        var retroactive = request.Retroactive ?? true;
        // The threshold asks how many members a version removes. An audience nobody is in yet removes nobody: it is
        // published at once, without evaluating everyone twice (the builder showed the draft's live preview).
        var preview = await db.AudienceMembers.AnyAsync(m => m.AudienceId == id, ct)
            ? await rules.PreviewAsync(audience, draft, audience.DraftCourseIds, audience.DraftPathIds, audience.LeavePolicy, retroactive, audience.SafetyThresholdPercent, ct)
            : null;
        if (preview is { ExceedsThreshold: true } && request.Confirm != true)
            return TypedResults.Conflict(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "Confirm the removal",
                Detail = $"This version removes {preview.Leaving} of {preview.Members} members ({preview.RemovalPercent}%), more than the safety threshold of "
                    + $"{preview.ThresholdPercent}%. {preview.Summary} Publish again with confirm to go ahead.",
                Extensions = { ["errors"] = new Dictionary<string, string[]> { ["confirm"] = [$"removes {preview.RemovalPercent}% of the members: confirm to publish"] }, ["preview"] = preview },
            });
        audience.Publish(retroactive, EnrolmentActor.From(http.User), time.GetUtcNow());
        if (await SaveAsync(db, ct) is { } conflict) return conflict;
        http.Response.Headers.ETag = ETagOf(audience);
        return TypedResults.Ok(new PublishResponse(audience.Version, preview));
    }

    public static async Task<Results<Ok<Page<AudienceMemberDto>>, NotFound, ValidationProblem>> Members(
        Guid id, [AsParameters] PageRequest paging, bool? leaving, EnrolmentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!await db.Audiences.AnyAsync(a => a.Id == id, ct)) return TypedResults.NotFound();
        var query = db.AudienceMembers.AsNoTracking().Where(m => m.AudienceId == id);
        if (leaving is { } l) query = query.Where(m => (m.LeavingSince != null) == l);
        var page = await query.Join(db.Learners.AsNoTracking(), m => m.UserId, p => p.UserId, (m, p) => new { Member = m, p.DisplayName, p.Email })
            .OrderBy(x => x.DisplayName).ThenBy(x => x.Member.UserId).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => new AudienceMemberDto(x.Member.UserId, x.DisplayName, x.Email, x.Member.Version, x.Member.JoinedAt, x.Member.LeavingSince)));
    }

    public static async Task<Results<Ok<Page<MembershipChangeDto>>, NotFound, ValidationProblem>> History(
        Guid id, [AsParameters] PageRequest paging, Guid? userId, EnrolmentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!await db.Audiences.AnyAsync(a => a.Id == id, ct)) return TypedResults.NotFound();
        var query = db.MembershipChanges.AsNoTracking().Where(h => h.AudienceId == id);
        if (userId is { } u) query = query.Where(h => h.UserId == u);
        var page = await query.GroupJoin(db.Learners.AsNoTracking(), h => h.UserId, p => p.UserId, (h, p) => new { Change = h, People = p })
            .SelectMany(x => x.People.DefaultIfEmpty(), (x, p) => new { x.Change, Name = p == null ? null : p.DisplayName })
            .OrderByDescending(x => x.Change.At).ThenByDescending(x => x.Change.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => MembershipChangeDto.From(x.Change, x.Name)));
    }

    public static async Task<Results<Ok<AudienceExplanation>, NotFound>> Explain(Guid id, Guid userId, EnrolmentDbContext db, AudienceRules rules, CancellationToken ct) =>
        await db.Audiences.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct) is { } audience && await rules.ExplainAsync(audience, userId, ct) is { } explanation
            ? TypedResults.Ok(explanation)
            : TypedResults.NotFound();

    public static async Task<Ok<List<ReconciliationRun>>> Reconciliations(EnrolmentDbContext db, CancellationToken ct) =>
        TypedResults.Ok(await db.ReconciliationRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(30).ToListAsync(ct));

    public static async Task<Ok<ReconciliationRun>> Reconcile(IServiceProvider services, CancellationToken ct) =>
        TypedResults.Ok(await AudienceWorker.ReconcileAsync(services, ct));

    private static async Task<Results<Ok<AudienceDto>, NotFound>> ChangeAsync(Guid id, EnrolmentDbContext db, Action<Audience> change, CancellationToken ct)
    {
        if (await db.Audiences.FirstOrDefaultAsync(a => a.Id == id, ct) is not { } audience) return TypedResults.NotFound();
        change(audience);
        if (await SaveAsync(db, ct) is not null) throw new DomainRuleException("etag", "The audience was changed by someone else at the same time; read it again and retry.");
        return TypedResults.Ok(await ViewAsync(db, audience, ct));
    }

    private static async Task<Conflict<ProblemDetails>?> SaveAsync(EnrolmentDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The audience was changed by someone else at the same time; read it again and retry.", "etag");
        }
    }

    private static string ETagOf(Audience audience) => $"\"{audience.RowVersion}\"";

    private static async Task<AudienceDto> ViewAsync(EnrolmentDbContext db, Audience audience, CancellationToken ct)
    {
        var ids = audience.DraftCourseIds.Concat(audience.CourseIds).Distinct().ToList();
        var pathIds = audience.DraftPathIds.Concat(audience.PathIds).Distinct().ToList();
        var items = (await db.Courses.AsNoTracking().Where(c => ids.Contains(c.CourseId)).Select(c => new ItemRef(c.CourseId, c.Code, c.Title)).ToListAsync(ct))
            .Concat(await db.Paths.AsNoTracking().Where(p => pathIds.Contains(p.PathId)).Select(p => new ItemRef(p.PathId, p.Code, p.Title)).ToListAsync(ct))
            .ToDictionary(i => i.Id);
        ItemRef Ref(Guid id) => items.GetValueOrDefault(id) ?? new ItemRef(id, "", "(unknown)");
        var members = await db.AudienceMembers.Where(m => m.AudienceId == audience.Id).GroupBy(m => m.LeavingSince != null).Select(g => new { Leaving = g.Key, Count = g.Count() }).ToListAsync(ct);
        var versions = await db.AudienceVersions.AsNoTracking().Where(v => v.AudienceId == audience.Id).OrderByDescending(v => v.Version)
            .Select(v => new AudienceVersionDto(v.Version, v.PublishedAt, v.PublishedByName, v.Retroactive)).ToListAsync(ct);
        return new AudienceDto(audience.Id, audience.Name, audience.Description, JsonDocument.Parse(audience.DraftRule).RootElement.Clone(),
            audience.Rule is null ? null : JsonDocument.Parse(audience.Rule).RootElement.Clone(), [.. audience.DraftCourseIds.Select(Ref)], [.. audience.CourseIds.Select(Ref)],
            [.. audience.DraftPathIds.Select(Ref)], [.. audience.PathIds.Select(Ref)],
            audience.Version, audience.Retroactive, audience.Paused, audience.LeavePolicy.ToString(), audience.GraceDays, audience.SafetyThresholdPercent,
            audience.SyncedVersion, audience.SyncedAt, members.Sum(m => m.Count), members.Where(m => m.Leaving).Sum(m => m.Count), audience.HasUnpublishedChanges, versions);
    }
}
