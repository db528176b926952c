using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Notification.Apis;

public sealed record TypePreferenceDto(string Type, string Title, string Description, bool Mandatory, bool InAppPossible, bool EmailPossible, bool InApp, bool Email);

public sealed record PreferencesDto(string Language, string TimeZone, TimeOnly? QuietFrom, TimeOnly? QuietUntil, string Digest,
    IReadOnlyList<string> Languages, IReadOnlyList<TypePreferenceDto> Types);

public sealed record TypeChoice(string? Type, bool InApp, bool Email);

/// <summary>What to change (what is absent stays); quiet hours both or neither (<see cref="NoQuietHours"/> true to have none).</summary>
public sealed record UpdatePreferencesRequest(string? Language, string? TimeZone, IReadOnlyList<TypeChoice>? Types, TimeOnly? QuietFrom = null,
    TimeOnly? QuietUntil = null, bool? NoQuietHours = null, string? Digest = null);

/// <summary>
/// The signed-in person's choices: per type and channel (a mandatory type cannot be turned off), the language and
/// time zone their messages are written in. The one-click unsubscribe of a mail lands here too, without a sign-in.
/// </summary>
public static class PreferencesApi
{
    public static IEndpointRouteBuilder MapPreferencesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/preferences").WithTags("Preferences").RequireAuthorization();
        api.MapGet("/", Get).WithName("MyPreferences").WithSummary("The signed-in person's notification preferences, per type and channel");
        api.MapPut("/", Put).WithName("UpdateMyPreferences").WithSummary("Replace the signed-in person's notification preferences");
        // RFC 8058: a mail client posts here (no sign-in; the link is signed for the person and type). A GET (a person
        // clicking, or a scanner fetching) changes nothing and shows the preferences page.
        app.MapPost(Unsubscribe.Path, OneClick).WithTags("Preferences").WithName("OneClickUnsubscribe")
            .WithSummary("Turn one notification type's email off for its recipient (RFC 8058 one-click, from the mail's signed link)").AllowAnonymous().DisableAntiforgery();
        app.MapGet(Unsubscribe.Path, (Notifier notifier) => TypedResults.Redirect($"{notifier.PortalUrl}/settings/notifications"))
            .WithTags("Preferences").WithName("UnsubscribePage").WithSummary("Where a person who follows an unsubscribe link chooses").AllowAnonymous();
        return app;
    }

    public static readonly IReadOnlyList<string> Languages = ["en", "fr", "de", "es", "nl", "it", "pt", "pl"];

    public static async Task<Results<Ok<PreferencesDto>, ForbidHttpResult, NotFound>> Get(HttpContext http, NotificationDbContext db,
        IOptions<NotificationOptions> options, CancellationToken ct)
    {
        if (Caller.UserIdOf(http.User) is not { } me) return TypedResults.Forbid();
        var recipient = await db.Recipients.AsNoTracking().FirstOrDefaultAsync(r => r.UserId == me, ct);
        if (recipient is null) return TypedResults.NotFound();
        var choices = await db.Preferences.AsNoTracking().Where(p => p.UserId == me).ToListAsync(ct);
        var (quietFrom, quietUntil) = recipient.QuietFrom is null && recipient.QuietUntil is null
            ? (options.Value.QuietFrom, options.Value.QuietUntil) : (recipient.QuietFrom, recipient.QuietUntil);
        return TypedResults.Ok(new PreferencesDto(recipient.Language ?? options.Value.DefaultLanguage, recipient.TimeZone ?? options.Value.DefaultTimeZone,
            quietFrom == quietUntil ? null : quietFrom, quietFrom == quietUntil ? null : quietUntil, (recipient.Digest ?? DigestFrequency.None).ToString(),
            Languages, [.. NotificationTypes.All.Select(t =>
            {
                var channels = PreferenceRules.Channels(t, choices);
                return new TypePreferenceDto(t.Key, t.Title, t.Description, t.Mandatory, t.Possible.HasFlag(Channels.InApp), t.Possible.HasFlag(Channels.Email),
                    channels.HasFlag(Channels.InApp), channels.HasFlag(Channels.Email));
            })]));
    }

    public static async Task<Results<Ok<PreferencesDto>, ValidationProblem, ForbidHttpResult, NotFound>> Put(UpdatePreferencesRequest request, HttpContext http,
        NotificationDbContext db, IOptions<NotificationOptions> options, CancellationToken ct)
    {
        if (Caller.UserIdOf(http.User) is not { } me) return TypedResults.Forbid();
        var errors = new Dictionary<string, string[]>();
        if (request.Language is { } language && !Languages.Contains(language)) errors["language"] = [$"is not one of {string.Join(", ", Languages)}"];
        if (request.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _)) errors["timeZone"] = ["is not a known time zone (an IANA name such as Europe/Paris)"];
        if ((request.QuietFrom is null) != (request.QuietUntil is null)) errors["quietUntil"] = ["quiet hours need both a start and an end"];
        else if (request.QuietFrom is { } qf && qf == request.QuietUntil) errors["quietUntil"] = ["must differ from the start"];
        DigestFrequency? digest = null;
        if (request.Digest is { } d)
        {
            if (Enum.TryParse<DigestFrequency>(d, true, out var parsed)) digest = parsed;
            else errors["digest"] = ["is None, Daily or Weekly"];
        }
        var choices = request.Types ?? [];
        for (var i = 0; i < choices.Count; i++)
        {
            var kind = choices[i].Type is { } key ? NotificationTypes.Find(key) : null;
            if (kind is null) { errors[$"types[{i}].type"] = ["is not a notification type"]; continue; }
            var wanted = (choices[i].InApp ? Channels.InApp : Channels.None) | (choices[i].Email ? Channels.Email : Channels.None);
            if (kind.Mandatory && (wanted & kind.DefaultChannels) != kind.DefaultChannels)
                errors[$"types[{i}]"] = [$"{kind.Title} is always sent; it cannot be turned off"];
            else if ((wanted & ~kind.Possible) != Channels.None)
                errors[$"types[{i}]"] = [$"{kind.Title} cannot go on that channel"];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var recipient = await db.Recipients.FirstOrDefaultAsync(r => r.UserId == me, ct);
        if (recipient is null) return TypedResults.NotFound();

        if (request.Language is not null) recipient.Language = request.Language;
        if (request.TimeZone is not null) recipient.TimeZone = request.TimeZone;
        if (request.NoQuietHours == true) recipient.QuietFrom = recipient.QuietUntil = TimeOnly.MinValue; // equal: none
        else if (request.QuietFrom is { } from) (recipient.QuietFrom, recipient.QuietUntil) = (from, request.QuietUntil);
        if (digest is { } frequency) recipient.Digest = frequency;
        foreach (var choice in choices)
        {
            var kind = NotificationTypes.Get(choice.Type!);
            if (kind.Mandatory) continue;
            await db.Preferences.Where(p => p.UserId == me && p.Type == kind.Key).ExecuteDeleteAsync(ct);
            // Only what differs from the type's defaults is kept, so a changed default reaches whoever did not choose.
            foreach (var (channel, flag, enabled) in new[] { (Channel.InApp, Channels.InApp, choice.InApp), (Channel.Email, Channels.Email, choice.Email) })
                if (kind.Possible.HasFlag(flag) && kind.DefaultChannels.HasFlag(flag) != enabled)
                    db.Preferences.Add(new Preference { UserId = me, Type = kind.Key, Channel = channel, Enabled = enabled });
        }
        await db.SaveChangesAsync(ct);
        return (await Get(http, db, options, ct)).Result switch
        {
            Ok<PreferencesDto> ok => ok,
            _ => TypedResults.NotFound(),
        };
    }

    /// <summary>One type's email off for the person the signed link names.</summary>
    public static async Task<Results<Ok<string>, BadRequest<string>>> OneClick(Guid user, string type, string sig, Unsubscribe unsubscribe,
        NotificationDbContext db, CancellationToken ct)
    {
        if (NotificationTypes.Find(type) is not { Mandatory: false } kind || !unsubscribe.Verify(user, type, sig))
            return TypedResults.BadRequest("This unsubscribe link is not valid.");
        var existing = await db.Preferences.FirstOrDefaultAsync(p => p.UserId == user && p.Type == kind.Key && p.Channel == Channel.Email, ct);
        if (!await db.Recipients.AnyAsync(r => r.UserId == user && !r.Erased, ct)) return TypedResults.Ok("Unsubscribed.");
        if (existing is null) db.Preferences.Add(new Preference { UserId = user, Type = kind.Key, Channel = Channel.Email, Enabled = false });
        else existing.Enabled = false;
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok($"You will no longer get \"{kind.Title}\" by email.");
    }
}
