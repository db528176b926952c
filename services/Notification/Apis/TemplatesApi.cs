using LmsPlatform.Contracts.Security;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Apis;

public sealed record TemplateSummaryDto(string Type, string Title, string Description, string Recipient, bool Mandatory, IReadOnlyList<string> CustomLanguages);

public sealed record TemplateVersionDto(int Version, string Language, string Subject, string Text, string? Html, Guid? EditedBy, DateTimeOffset CreatedAt);

/// <summary>A type's template in one language: what is sent now (version 0 is the built-in one), the variables it may use, and its history.</summary>
public sealed record TemplateDto(string Type, string Title, string Description, string Recipient, bool Mandatory, string Language, int Version,
    string Subject, string Text, string? Html, IReadOnlyDictionary<string, object?> Sample, IReadOnlyList<TemplateVersionDto> Versions);

public sealed record TemplateRequest(string? Language, string? Subject, string? Text, string? Html, int? BaseVersion);

public sealed record PreviewDto(string Subject, string Text, string Html);

public sealed record TestSentDto(Guid EmailId, string To);

/// <summary>
/// Administrators' templates: per type and language, Liquid, checked when saved (a broken template is refused with
/// the parser's words), previewed with the type's sample data, sent as a test to oneself, and versioned.
/// </summary>
public static class TemplatesApi
{
    public static IEndpointRouteBuilder MapTemplatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/templates").WithTags("Templates").RequireAuthorization(Permissions.NotificationsManage);
        api.MapGet("/", List).WithName("ListTemplates").WithSummary("Every notification type, with the languages it has templates of its own in");
        api.MapGet("/{type}", Get).WithName("GetTemplate").WithSummary("A type's template in a language (the built-in one until edited), with its history");
        api.MapPut("/{type}", Save).WithName("SaveTemplate").WithSummary("Save a new version of a type's template in a language; refused if it does not parse or render");
        api.MapPost("/{type}/preview", Preview).WithName("PreviewTemplate").WithSummary("Render a template with the type's sample data, without saving it");
        api.MapPost("/{type}/test", SendTest).WithName("SendTestTemplate").WithSummary("Mail a template, rendered with the sample data, to the caller's own address");
        return app;
    }

    public static async Task<Ok<List<TemplateSummaryDto>>> List(NotificationDbContext db, CancellationToken ct)
    {
        var custom = await db.Templates.AsNoTracking().Select(t => new { t.Type, t.Language }).Distinct().ToListAsync(ct);
        return TypedResults.Ok(NotificationTypes.All.Select(t => new TemplateSummaryDto(t.Key, t.Title, t.Description, t.Recipient, t.Mandatory,
            [.. custom.Where(c => c.Type == t.Key).Select(c => c.Language).Order()])).ToList());
    }

    public static async Task<Results<Ok<TemplateDto>, NotFound, ValidationProblem>> Get(string type, string? language, NotificationDbContext db, CancellationToken ct)
    {
        if (NotificationTypes.Find(type) is not { } kind) return TypedResults.NotFound();
        var lang = language ?? MessageTemplates.DefaultLanguage;
        if (!PreferencesApi.Languages.Contains(lang)) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["language"] = ["is not a supported language"] });
        var versions = await db.Templates.AsNoTracking().Where(t => t.Type == type && t.Language == lang).OrderByDescending(t => t.Version).ToListAsync(ct);
        var current = versions.FirstOrDefault();
        return TypedResults.Ok(new TemplateDto(kind.Key, kind.Title, kind.Description, kind.Recipient, kind.Mandatory, lang, current?.Version ?? 0,
            current?.Subject ?? kind.Subject, current?.Text ?? kind.Text, current?.Html, kind.Sample,
            [.. versions.Select(v => new TemplateVersionDto(v.Version, v.Language, v.Subject, v.Text, v.Html, v.EditedBy, v.CreatedAt))]));
    }

    public static async Task<Results<Ok<TemplateDto>, NotFound, ValidationProblem, Conflict<ProblemDetails>>> Save(string type, TemplateRequest request,
        HttpContext http, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (NotificationTypes.Find(type) is not { } kind) return TypedResults.NotFound();
        if (Check(kind, request) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var language = request.Language!;
        var latest = await db.Templates.Where(t => t.Type == type && t.Language == language).MaxAsync(t => (int?)t.Version, ct) ?? 0;
        // Two editors at once: the second is told, not silently overwritten.
        if (request.BaseVersion is { } seen && seen != latest)
            return Problems.Conflict($"Version {latest} was saved since you opened version {seen}; reload to see it.", "baseVersion");
        db.Templates.Add(new TemplateVersion
        {
            Id = Guid.CreateVersion7(), Type = type, Language = language, Version = latest + 1, Subject = request.Subject!.Trim(), Text = request.Text!,
            Html = string.IsNullOrWhiteSpace(request.Html) ? null : request.Html, EditedBy = Caller.UserIdOf(http.User), CreatedAt = time.GetUtcNow(),
        });
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { return Problems.Conflict("Another version was saved at the same moment; reload to see it.", "baseVersion"); }
        return (await Get(type, language, db, ct)).Result switch { Ok<TemplateDto> ok => ok, _ => TypedResults.NotFound() };
    }

    public static Results<Ok<PreviewDto>, NotFound, ValidationProblem> Preview(string type, TemplateRequest request)
    {
        if (NotificationTypes.Find(type) is not { } kind) return TypedResults.NotFound();
        if (Check(kind, request) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var rendered = Render(kind, request);
        return TypedResults.Ok(new PreviewDto(rendered.Subject, rendered.EmailText, rendered.Html));
    }

    public static async Task<Results<Accepted<TestSentDto>, NotFound, ValidationProblem>> SendTest(string type, TemplateRequest request, HttpContext http,
        NotificationDbContext db, Notifier notifier, CancellationToken ct)
    {
        if (NotificationTypes.Find(type) is not { } kind) return TypedResults.NotFound();
        if (Check(kind, request) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var me = Caller.UserIdOf(http.User);
        var address = me is { } id ? await db.Recipients.Where(r => r.UserId == id).Select(r => r.Email).FirstOrDefaultAsync(ct) : null;
        if (string.IsNullOrEmpty(address))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["you have no email address to send the test to"] });
        var email = notifier.TestEmail(kind, Source(request), request.Language!, address);
        email.UserId = me;
        db.Emails.Add(email);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/notification/deliveries/{email.Id}", new TestSentDto(email.Id, address));
    }

    private static Dictionary<string, string[]> Check(NotificationType kind, TemplateRequest request)
    {
        var errors = MessageTemplates.Validate(kind, Source(request));
        if (request.Language is null || !PreferencesApi.Languages.Contains(request.Language))
            errors["language"] = [$"is required, one of {string.Join(", ", PreferencesApi.Languages)}"];
        return errors;
    }

    private static TemplateSource Source(TemplateRequest request) =>
        new(request.Subject ?? "", request.Text ?? "", string.IsNullOrWhiteSpace(request.Html) ? null : request.Html);

    private static RenderedMessage Render(NotificationType kind, TemplateRequest request) =>
        MessageTemplates.Render(Source(request), new Dictionary<string, object?>(kind.Sample), request.Language!,
            new Footer(request.Language!, "Example Rail", "https://learning.example.com/settings/notifications", kind.Mandatory));
}
