using System.Text.Json;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Runtime;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace LmsPlatform.ContentDelivery.Apis;

public sealed record LaunchRequest(Guid? EnrolmentId, Guid? ActivityId, string? ItemId, bool NewAttempt = false);

public sealed record PreviewRequest(string? ItemId);

public sealed record LaunchActivityDto(string ItemId, string Title, bool IsSco, string Completion, string Success, double? Score);

/// <summary>
/// A launch, as the player needs it: the package's standard, whether this is a review, the activity opened with its
/// launch URL, commit URL and starting run-time data (<see cref="Data"/>, flattened <c>cmi.*</c> elements), and the
/// package's activities with their state, for navigation. The URLs carry the launch's token and expire with it.
/// </summary>
public sealed record LaunchDto(Guid AttemptId, int Attempt, string Standard, bool Review, string Title, string ItemId, string LaunchUrl, string CommitUrl,
    IReadOnlyDictionary<string, string> Data, IReadOnlyList<LaunchActivityDto> Activities, string Completion, string Success, double? Score,
    bool Satisfied, DateTimeOffset ExpiresAt, string? MediaType = null, double Position = 0, int Percent = 0)
{
    /// <summary>Where the player reports content that did not start (a SCORM launch that records, not a review), and after how many seconds.</summary>
    public string? ProblemUrl { get; init; }
    public int StartSeconds { get; init; }
}

/// <summary>What a player saw go wrong: <c>notStarted</c>, the content did not start its session within <see cref="Seconds"/>.</summary>
public sealed record LaunchProblemRequest(string? Kind, int? Seconds);

/// <summary>What a media player reports: where the learner is, how long the media is (once known), and the stretches played.</summary>
public sealed record MediaProgressRequest(double? Position, double? Duration, double[][]? Played);

public sealed record ScoStateDto(string ItemId, string Title, string Completion, string Success, double? Score, string? Location, double Seconds,
    int Launches, DateTimeOffset? LastCommitAt, bool Satisfied = false, bool Waived = false);

/// <summary>
/// An attempt at a package, or a learner's progress on a document or media file (then <see cref="Percent"/> is the share
/// played or read, <see cref="Seconds"/> the time played, and <see cref="PackageId"/> the content item's id). <see cref="Kind"/>
/// says which: scorm, cmi5 (a registration: its id is what a waiver names), media or xapi.
/// </summary>
public sealed record AttemptDto(Guid Id, Guid EnrolmentId, Guid UserId, Guid CourseId, Guid ActivityId, Guid PackageId, string PackageTitle, int Number,
    string Completion, string Success, double? Score, bool Satisfied, double Seconds, int Commits, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, IReadOnlyList<ScoStateDto> Activities, int? Percent = null, string Kind = "scorm");

/// <summary>
/// The learning runtime: launching a package activity (a signed-in learner, through their own enrolment), the
/// package's files and the commits of the run-time API (through the launch's token, which is the only credential a
/// frame's requests and an unload beacon can carry), and attempts for the learner or whoever reads enrolments.
/// </summary>
public static class RuntimeApi
{
    /// <summary>The most a commit's body may hold (the run-time data's own limit, and room for JSON's quoting).</summary>
    private const int MaxCommitBytes = 2 * ScormCmi.MaxCharacters;

    public static IEndpointRouteBuilder MapRuntimeApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content").WithTags("Runtime");
        api.MapPost("/launches", Launch).WithName("LaunchActivity")
            .WithSummary("Open a package activity of one of your enrolments: resumes the latest attempt, or starts one (newAttempt once it is finished)")
            .RequireAuthorization(Permissions.ContentRead);
        api.MapPost("/packages/{id:guid}/preview", Preview).WithName("PreviewPackage")
            .WithSummary("Open a package as its learners would, without an enrolment: nothing is recorded")
            .RequireAuthorization(Permissions.ContentManage);
        api.MapMethods("/runtime/{token}/files/{**path}", [HttpMethods.Get, HttpMethods.Head], File).WithName("PackageFile")
            .WithSummary("A file of the launched package (ranges, ETags); the token is the launch's").AllowAnonymous();
        api.MapPost("/runtime/{token}/scos/{itemId}/commit", Commit).WithName("CommitRuntimeData").DisableAntiforgery()
            .WithSummary("The run-time API's commit for one activity: flattened cmi elements (JSON, also as text/plain from an unload beacon)").AllowAnonymous();
        api.MapPost("/runtime/{token}/scos/{itemId}/problem", Problem).WithName("ReportLaunchProblem").DisableAntiforgery()
            .WithSummary("The player's report that the content did not start its SCORM session: recorded as broken content").AllowAnonymous();
        api.MapGet("/launch-problems", ListLaunchProblems).WithName("ListLaunchProblems")
            .WithSummary("Package activities that failed to launch in the last 7 days: the file missing, or the content not starting")
            .RequireAuthorization(Permissions.ContentManage);
        api.MapPost("/runtime/{token}/progress", Progress).WithName("RecordMediaProgress").DisableAntiforgery()
            .WithSummary("A media player's report: position, duration and the stretches played (JSON, also as text/plain from an unload beacon)").AllowAnonymous();
        api.MapGet("/attempts", Attempts).WithName("ListAttempts")
            .WithSummary("Attempts of a person (yours, or anyone's with enrolments.read), optionally of one enrolment, newest first")
            .RequireAuthorization(Permissions.ContentRead);
        return app;
    }

    public static async Task<Results<Ok<LaunchDto>, ValidationProblem, ProblemHttpResult>> Launch(LaunchRequest request, HttpContext http, Launches launches,
        Microsoft.Extensions.Options.IOptions<RuntimeOptions> runtime, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.EnrolmentId is null || request.EnrolmentId == Guid.Empty) errors["enrolmentId"] = ["is required"];
        if (request.ActivityId is null || request.ActivityId == Guid.Empty) errors["activityId"] = ["is required"];
        if (request.ItemId is { Length: > 200 }) errors["itemId"] = ["must be at most 200 characters"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (Caller.UserIdOf(http.User) is not { } userId) return TypedResults.Problem(statusCode: 403, title: "Only a person can launch learning");
        try
        {
            var (launch, media, refusal, cmi5, link) = await launches.OpenAsync(userId, request.EnrolmentId!.Value, request.ActivityId!.Value, request.ItemId,
                request.NewAttempt, ct, Caller.NameOf(http.User));
            if (refusal is not null) return TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);
            if (link is not null)
                return TypedResults.Ok(new LaunchDto(link.Id, 1, "link", false, link.Title, link.Id.ToString(), link.Url!, "", new Dictionary<string, string> { ["kind"] = link.Kind.ToString() },
                    [], "unknown", "unknown", null, false, DateTimeOffset.MaxValue));
            return TypedResults.Ok(media is not null ? ToDto(media) : cmi5 is not null ? ToDto(cmi5)
                : ToDto(launch!, Caller.NameOf(http.User), userId) with
                {
                    // Only a SCO talks to the run-time API; an asset (a page with no SCORM) never starts a session.
                    ProblemUrl = launch!.Grant.Review || !launch.Activity.IsSco ? null
                        : $"/api/content/runtime/{launch.Token}/scos/{Uri.EscapeDataString(launch.Activity.ItemId)}/problem",
                    StartSeconds = (int)runtime.Value.StartTimeout.TotalSeconds,
                });
        }
        catch (DomainRuleException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] });
        }
    }

    /// <summary>
    /// A preview for whoever manages content: the package opened in review (no credit, nothing recorded), through a
    /// token of no attempt, so the player works as for a learner and commits are answered and dropped.
    /// </summary>
    public static async Task<Results<Ok<LaunchDto>, NotFound, ValidationProblem>> Preview(Guid id, PreviewRequest? request, HttpContext http,
        ContentDbContext db, RuntimeTokens tokens, Application.Xapi.Cmi5Launches cmi5, TimeProvider time, CancellationToken ct)
    {
        if (await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is not { } package) return TypedResults.NotFound();
        if (package.Standard == ScormVersion.Cmi5)
        {
            if (request?.ItemId is { } auId && package.Activities.All(a => a.ItemId != auId))
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["itemId"] = [$"The package has no AU '{auId}'."] });
            // cmi5's Browse mode: the AU runs against the LRS as for a learner, but nothing it says completes anything.
            return TypedResults.Ok(ToDto(await cmi5.PreviewAsync(Caller.UserIdOf(http.User) ?? Guid.Empty, Caller.NameOf(http.User) ?? "", package, request?.ItemId, ct)));
        }
        var activity = request?.ItemId is { } itemId ? package.Activities.FirstOrDefault(a => a.ItemId == itemId) : package.Activities[0];
        if (activity is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["itemId"] = [$"The package has no activity '{request!.ItemId}'."] });
        var now = time.GetUtcNow();
        var token = tokens.Issue(Guid.Empty, package.Id, review: true, now);
        var person = Caller.UserIdOf(http.User)?.ToString() ?? "preview";
        return TypedResults.Ok(ToDto(package, activity, token, tokens.Read(token, now)!, 0, new Dictionary<string, ScoState>(),
            ScormCmi.ResumeData(package.Standard, new Dictionary<string, string>(), activity, person, Caller.NameOf(http.User), 0, review: true),
            Completion.NotAttempted, Success.Unknown, null, false));
    }

    /// <summary>
    /// A cmi5 AU, as the player opens it: the launch URL with cmi5's parameters (the AU talks to the LRS itself, so there
    /// is no commit URL), the AUs with what the registration knows of each, and whether the course is satisfied.
    /// </summary>
    private static LaunchDto ToDto(Application.Xapi.OpenedCmi5 cmi5)
    {
        var (registration, au) = (cmi5.Registration, cmi5.Au);
        static (string Completion, string Success) Words(Model.Xapi.Cmi5AuState s) =>
            (s.Completed || s.Satisfied && s.Launches > 0 ? "completed" : s.Launches > 0 ? "incomplete" : "not-attempted",
                s.Passed ? "passed" : s.Failed ? "failed" : "unknown");
        var activities = cmi5.Package.Activities.Select(a =>
        {
            var state = registration.Au(a.ItemId);
            var (completion, success) = Words(state);
            return new LaunchActivityDto(a.ItemId, a.Title, true, completion, success, state.Score);
        }).ToList();
        var data = new Dictionary<string, string> { ["launchMethod"] = au.LaunchMethod ?? "AnyWindow", ["moveOn"] = au.MoveOn ?? "NotApplicable" };
        return new LaunchDto(registration.Id, registration.Number, "cmi5", registration.IsPreview, cmi5.Package.Title, au.ItemId, cmi5.LaunchUrl, "", data, activities,
            registration.Satisfied ? "completed" : "incomplete", registration.Aus.Any(a => a.Passed) ? "passed" : "unknown", null, registration.Satisfied,
            cmi5.Session.ExpiresAt);
    }

    /// <summary>A document or media file, as the player opens it: its URL, where to report progress, where the learner was.</summary>
    private static LaunchDto ToDto(OpenedMedia media)
    {
        var (progress, item) = (media.Progress, media.Item);
        var root = $"/api/content/runtime/{media.Token}";
        var completion = progress.Completed ? "completed" : "incomplete";
        return new LaunchDto(progress.Id, 1, item.Kind == ContentKind.Video ? "media" : "document", false, item.Title, item.Id.ToString(),
            $"{root}/files/{Uri.EscapeDataString(item.FileName!)}", $"{root}/progress", new Dictionary<string, string>(),
            [new LaunchActivityDto(item.Id.ToString(), item.Title, false, completion, "unknown", null)], completion, "unknown", null, progress.Completed,
            media.Grant.ExpiresAt, item.MediaType, progress.Position, progress.Percent);
    }

    private static LaunchDto ToDto(OpenedLaunch launch, string learnerName, Guid userId)
    {
        var (attempt, sco, activity) = (launch.Attempt, launch.Sco, launch.Activity);
        var data = ScormCmi.ResumeData(launch.Package.Standard, sco.Data, activity, userId.ToString(), learnerName, sco.TotalSeconds, launch.Grant.Review);
        return ToDto(launch.Package, activity, launch.Token, launch.Grant, attempt.Number, attempt.Scos.ToDictionary(s => s.ItemId), data,
            attempt.Completion, attempt.Success, attempt.Score, attempt.Satisfied);
    }

    private static LaunchDto ToDto(ContentPackage package, PackageActivity activity, string token, RuntimeGrant grant, int number,
        IReadOnlyDictionary<string, ScoState> states, IReadOnlyDictionary<string, string> data, Completion completion, Success success, double? score, bool satisfied)
    {
        var root = $"/api/content/runtime/{token}";
        return new LaunchDto(grant.AttemptId, number, package.Standard == ScormVersion.Scorm12 ? "scorm12" : "scorm2004", grant.Review, package.Title,
            activity.ItemId, $"{root}/files/{EscapePath(activity.Path)}{(activity.Query is { Length: > 0 } q ? "?" + q : "")}",
            $"{root}/scos/{Uri.EscapeDataString(activity.ItemId)}/commit", data,
            [.. package.Activities.Select(a => states.TryGetValue(a.ItemId, out var s)
                ? new LaunchActivityDto(a.ItemId, a.Title, a.IsSco, ScormAttempt.Words(s.Completion), ScormAttempt.Words(s.Success), s.Score)
                : new LaunchActivityDto(a.ItemId, a.Title, a.IsSco, "not-attempted", "unknown", null))],
            ScormAttempt.Words(completion), ScormAttempt.Words(success), score, satisfied, grant.ExpiresAt);
    }

    private static string EscapePath(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));

    /// <summary>
    /// A package file. The token's signature and expiry are checked, and the path is normalised as at import (nothing
    /// outside the package); the response takes ranges and conditional requests, and may be cached by this browser
    /// only (the URL is the launch's own).
    /// </summary>
    public static async Task<IResult> File(string token, string path, HttpContext http, Launches launches, IObjectStore store, CancellationToken ct)
    {
        if (await launches.GrantAsync(token, ct) is not { } grant)
            return TypedResults.Problem(statusCode: 403, title: "This launch has expired", detail: "Open the activity again from the course.");
        if (PackageArchive.Normalise(path) is not { } file) return TypedResults.NotFound();
        var key = (grant.IsFile ? ContentItem.StoragePrefixOf(grant.ContentId) : ContentPackage.StoragePrefixOf(grant.ContentId)) + file;
        if (await store.HeadAsync(key, ct) is not { } stored)
        {
            await MissingAsync(grant, file, http.RequestServices, ct);
            return TypedResults.NotFound();
        }
        var stream = new ObjectReadStream(store, key, stored.Length);
        http.Response.Headers.CacheControl = "private, max-age=3600";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return TypedResults.Stream(stream, stored.ContentType, lastModified: stored.LastModified, entityTag: EntityTagHeaderValue.Parse(stored.ETag),
            enableRangeProcessing: true);
    }

    /// <summary>A package's activity whose launch file is not in the store: broken content, recorded (another missing file may be optional).</summary>
    private static async Task MissingAsync(RuntimeGrant grant, string file, IServiceProvider services, CancellationToken ct)
    {
        if (grant.IsFile || grant.Review) return;
        var db = services.GetRequiredService<ContentDbContext>();
        var package = await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == grant.ContentId, ct);
        if (package?.Activities.FirstOrDefault(a => a.Path == file) is not { } activity) return;
        await services.GetRequiredService<LaunchProblems>().RecordAsync(grant, activity.ItemId, LaunchProblemKind.FileMissing,
            $"Its launch file {file} is not in the content store.", ct);
    }

    /// <summary>The player's report of content that did not start; a review's is answered and dropped.</summary>
    public static async Task<IResult> Problem(string token, string itemId, LaunchProblemRequest? request, Launches launches, LaunchProblems problems,
        ContentDbContext db, CancellationToken ct)
    {
        if (await launches.GrantAsync(token, ct) is not { } grant)
            return TypedResults.Problem(statusCode: 403, title: "This launch has expired", detail: "Open the activity again from the course.");
        var errors = new Dictionary<string, string[]>();
        if (request?.Kind != "notStarted") errors["kind"] = ["must be notStarted"];
        if (request?.Seconds is not (> 0 and <= 3600)) errors["seconds"] = ["must be between 1 and 3600"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == grant.ContentId, ct) is not { } package
            || package.Activities.All(a => a.ItemId != itemId || !a.IsSco))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["itemId"] = ["is not a SCO of the launched package"] });
        await problems.RecordAsync(grant, itemId, LaunchProblemKind.NotStarted,
            $"The content did not start its SCORM session within {request!.Seconds} s of opening (it did not find or call the run-time API).", ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<LaunchProblemRow>>> ListLaunchProblems(LaunchProblems problems, TimeProvider time, CancellationToken ct) =>
        TypedResults.Ok(await problems.ListAsync(time.GetUtcNow() - LaunchProblems.Window, ct));

    /// <summary>
    /// A commit: <c>{"cmi.core.lesson_status": "passed", ..., "commitSequence": 3}</c>. Answers as the runtime library
    /// expects (<c>{"result": true, "errorCode": 0}</c>), or a problem with <c>result: false</c>.
    /// </summary>
    public static async Task<IResult> Commit(string token, string itemId, HttpContext http, Launches launches, CancellationToken ct)
    {
        if (await launches.GrantAsync(token, ct) is not { } grant)
            return Refused(403, "This launch has expired", "Open the activity again from the course; what was not saved is lost.", 101);
        if (http.Request.ContentLength > MaxCommitBytes) return Refused(413, "The run-time data is too large", null, 101);
        Dictionary<string, string> cmi = [];
        long? sequence = null;
        try
        {
            using var body = await JsonDocument.ParseAsync(new LimitedStream(http.Request.Body, MaxCommitBytes), cancellationToken: ct);
            if (body.RootElement.ValueKind != JsonValueKind.Object) return Refused(400, "A commit is a JSON object of cmi elements", null, 201);
            foreach (var property in body.RootElement.EnumerateObject())
            {
                if (property.Name == "commitSequence" && property.Value.TryGetInt64(out var number)) sequence = number;
                else if (!property.Name.StartsWith("cmi.", StringComparison.Ordinal)) continue;
                else if (property.Value.ValueKind is JsonValueKind.String) cmi[property.Name] = property.Value.GetString()!;
                else if (property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False) cmi[property.Name] = property.Value.GetRawText();
                // Anything else is an empty collection the flattening left as it was (no interactions yet): nothing to keep.
            }
        }
        catch (JsonException ex)
        {
            return Refused(400, "A commit is a JSON object of cmi elements", ex.Message, 201);
        }
        catch (InvalidDataException)
        {
            return Refused(413, "The run-time data is too large", null, 101);
        }
        try
        {
            // The content's finish (Terminate / LMSFinish) is marked by the player with ?final=true.
            await launches.CommitAsync(grant, itemId, cmi, sequence, http.Request.Query["final"] == "true", ct);
        }
        catch (DomainRuleException ex)
        {
            return Refused(400, "The commit was refused", ex.Message, 201);
        }
        return TypedResults.Ok(new { result = true, errorCode = 0 });
    }

    /// <summary>A video's or audio's progress (a document's is recorded by opening it).</summary>
    public static async Task<IResult> Progress(string token, HttpContext http, Launches launches, CancellationToken ct)
    {
        if (await launches.GrantAsync(token, ct) is not { IsFile: true } grant)
            return TypedResults.Problem(statusCode: 403, title: "This launch has expired", detail: "Open the activity again from the course.");
        MediaProgressRequest? report;
        try
        {
            report = await JsonSerializer.DeserializeAsync<MediaProgressRequest>(new LimitedStream(http.Request.Body, 64 * 1024), ProgressJson, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"is not a progress report: {ex.Message}"] });
        }
        if (report?.Position is not { } position) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["position"] = ["is required"] });
        if (report.Played?.Any(p => p is not { Length: 2 }) == true)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["played"] = ["each stretch is [start, end]"] });
        try
        {
            await launches.RecordMediaAsync(grant, position, report.Duration, [.. (report.Played ?? []).Select(p => new WatchedSpan(p[0], p[1]))], ct);
        }
        catch (DomainRuleException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] });
        }
        return TypedResults.NoContent();
    }

    private static readonly JsonSerializerOptions ProgressJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private static IResult Refused(int status, string title, string? detail, int errorCode) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail,
            extensions: new Dictionary<string, object?> { ["result"] = false, ["errorCode"] = errorCode });

    public static async Task<Results<Ok<List<AttemptDto>>, ValidationProblem, ForbidHttpResult>> Attempts(Guid? userId, Guid? enrolmentId, HttpContext http,
        ContentDbContext db, CancellationToken ct)
    {
        var self = Caller.UserIdOf(http.User);
        var person = userId ?? self;
        if (person is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = ["is required"] });
        if (person != self && !http.User.HasClaim(LmsClaims.Permission, Permissions.EnrolmentsRead)) return TypedResults.Forbid();
        var query = db.Attempts.AsNoTracking().Where(a => a.UserId == person);
        if (enrolmentId is { } enrolment) query = query.Where(a => a.EnrolmentId == enrolment);
        var attempts = await query.OrderByDescending(a => a.StartedAt).Take(200).ToListAsync(ct);
        var packageIds = attempts.Select(a => a.PackageId).Distinct().ToList();
        var packages = await db.Packages.AsNoTracking().Where(p => packageIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var progress = await db.MediaProgress.AsNoTracking().Where(p => p.UserId == person && (enrolmentId == null || p.EnrolmentId == enrolmentId))
            .Join(db.ContentItems.AsNoTracking(), p => p.ContentItemId, i => i.Id, (p, i) => new { Progress = p, i.Title }).Take(200).ToListAsync(ct);
        var media = progress.Select(x => new AttemptDto(x.Progress.Id, x.Progress.EnrolmentId, x.Progress.UserId, x.Progress.CourseId, x.Progress.ActivityId,
            x.Progress.ContentItemId, x.Title, 1, x.Progress.Completed ? "completed" : "incomplete", "unknown", null, x.Progress.Completed,
            Math.Round(x.Progress.WatchedSeconds), x.Progress.Opens, x.Progress.StartedAt, x.Progress.UpdatedAt, x.Progress.CompletedAt, [], x.Progress.Percent, "media"));
        return TypedResults.Ok(attempts.Select(a =>
        {
            var package = packages.GetValueOrDefault(a.PackageId);
            var titles = package?.Activities.ToDictionary(x => x.ItemId, x => x.Title) ?? [];
            var location = package?.Standard == ScormVersion.Scorm12 ? "cmi.core.lesson_location" : "cmi.location";
            return new AttemptDto(a.Id, a.EnrolmentId, a.UserId, a.CourseId, a.ActivityId, a.PackageId, package?.Title ?? "", a.Number,
                ScormAttempt.Words(a.Completion), ScormAttempt.Words(a.Success), a.Score, a.Satisfied, Math.Round(a.TotalSeconds), a.Commits, a.StartedAt,
                a.UpdatedAt, a.FinishedAt,
                [.. a.Scos.Select(s => new ScoStateDto(s.ItemId, titles.GetValueOrDefault(s.ItemId, s.ItemId), ScormAttempt.Words(s.Completion),
                    ScormAttempt.Words(s.Success), s.Score, s.Data.GetValueOrDefault(location), Math.Round(s.TotalSeconds + s.SessionSeconds), s.Launches,
                    s.LastCommitAt))]);
        }).Concat(media).Concat(await OtherAttemptsAsync(db, person.Value, enrolmentId, ct)).OrderByDescending(a => a.UpdatedAt).ToList());
    }

    /// <summary>cmi5 registrations (each AU as a part) and what xAPI statements said about xAPI activities, as attempts.</summary>
    private static async Task<IEnumerable<AttemptDto>> OtherAttemptsAsync(ContentDbContext db, Guid person, Guid? enrolmentId, CancellationToken ct)
    {
        var registrations = await db.Cmi5Registrations.AsNoTracking().Where(r => r.UserId == person && !r.IsPreview && (enrolmentId == null || r.EnrolmentId == enrolmentId))
            .OrderByDescending(r => r.StartedAt).Take(200).ToListAsync(ct);
        var packageIds = registrations.Select(r => r.PackageId).Distinct().ToList();
        var packages = await db.Packages.AsNoTracking().Where(p => packageIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        var statements = await db.StatementProgress.AsNoTracking().Where(p => p.UserId == person && (enrolmentId == null || p.EnrolmentId == enrolmentId))
            .Join(db.ContentItems.AsNoTracking(), p => p.ContentItemId, i => i.Id, (p, i) => new { Progress = p, i.Title }).Take(200).ToListAsync(ct);
        static string Success(bool passed, bool failed) => passed ? "passed" : failed ? "failed" : "unknown";
        return registrations.Select(r =>
        {
            var package = packages.GetValueOrDefault(r.PackageId);
            var scores = r.Aus.Where(a => a.Score is not null).Select(a => a.Score!.Value).ToList();
            return new AttemptDto(r.Id, r.EnrolmentId, r.UserId, r.CourseId, r.ActivityId, r.PackageId, package?.Title ?? "", r.Number,
                r.Satisfied ? "completed" : r.Aus.Any(a => a.Launches > 0) ? "incomplete" : "not-attempted", Success(r.Aus.Any(a => a.Passed), r.Aus.Any(a => a.Failed)),
                scores.Count == 0 ? null : scores.Average(), r.Satisfied, 0, r.Aus.Sum(a => a.Launches), r.StartedAt, r.SatisfiedAt ?? r.StartedAt, r.SatisfiedAt,
                [.. r.Aus.Select(a => new ScoStateDto(a.AuId, package?.Activities.FirstOrDefault(x => x.ItemId == a.AuId)?.Title ?? a.AuId,
                    a.Completed || a.Waived ? "completed" : a.Launches > 0 ? "incomplete" : "not-attempted", Success(a.Passed, a.Failed), a.Score, null, 0, a.Launches,
                    null, a.Satisfied, a.Waived))], Kind: "cmi5");
        }).Concat(statements.Select(x => new AttemptDto(x.Progress.Id, x.Progress.EnrolmentId, x.Progress.UserId, x.Progress.CourseId, x.Progress.ActivityId,
            x.Progress.ContentItemId, x.Title, 1, x.Progress.Completed ? "completed" : "incomplete", Success(x.Progress.Passed == true, x.Progress.Passed == false),
            x.Progress.Score, x.Progress.Satisfied, 0, x.Progress.Statements, x.Progress.UpdatedAt, x.Progress.UpdatedAt,
            x.Progress.Satisfied ? x.Progress.UpdatedAt : null, [], Kind: "xapi")));
    }

    /// <summary>A request body read up to a limit: past it, reading fails (the body is never held whole beyond it).</summary>
    private sealed class LimitedStream(Stream inner, long limit) : LmsPlatform.ContentDelivery.Model.BoundedReadStream(inner, limit)
    {
        protected override void Counted(long total, int read)
        {
            if (total > Length) throw new InvalidDataException("The body is larger than allowed.");
        }
    }
}
