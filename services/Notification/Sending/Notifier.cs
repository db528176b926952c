using System.Globalization;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Notification.Sending;

/// <summary>The recipient an event names is not in notification's copy yet (their creation is still on its way): try again.</summary>
public sealed class RecipientNotYetKnownException(Guid userId) : Exception($"User {userId} is not known to notification yet.");

/// <summary>
/// The one door every message goes through, whatever caused it: the person's preferences pick the channels (a
/// mandatory type goes on its defaults whatever they chose), the type's template in their language renders it, and
/// the in-app message and the email are written in the caller's transaction, each once per dedupe key.
/// </summary>
public sealed class Notifier(NotificationDbContext db, IOptions<NotificationOptions> options, Unsubscribe unsubscribe, IConfiguration configuration,
    TimeProvider time)
{
    private NotificationOptions Options => options.Value;
    private readonly Dictionary<(string Type, string Language), TemplateSource> _templates = [];
    private Dictionary<Guid, List<Preference>>? _preferences;
    private HashSet<string>? _inboxKeys, _emailKeys;

    /// <summary>
    /// For a consumer's batch: loads the people's choices and which of the keys were already sent, in two queries,
    /// instead of a few per message (a 100,000-person import reaches this service in batches).
    /// </summary>
    public async Task PrepareAsync(IReadOnlyCollection<Guid> userIds, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        _preferences = (await db.Preferences.AsNoTracking().Where(p => userIds.Contains(p.UserId)).ToListAsync(ct))
            .GroupBy(p => p.UserId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var id in userIds) _preferences.TryAdd(id, []);
        _inboxKeys = [.. await db.Notifications.Where(n => n.DedupeKey != null && keys.Contains(n.DedupeKey)).Select(n => n.DedupeKey!).ToListAsync(ct)];
        _emailKeys = [.. await db.Emails.Where(e => e.DedupeKey != null && keys.Contains(e.DedupeKey)).Select(e => e.DedupeKey!).ToListAsync(ct)];
    }

    /// <summary>The portal's public address.</summary>
    public string PortalUrl => (Options.PortalUrl ?? configuration["Identity:Issuer"] ?? "http://localhost:8080").TrimEnd('/');

    public async Task<Recipient> RecipientAsync(Guid userId, CancellationToken ct) =>
        db.Recipients.Local.FirstOrDefault(r => r.UserId == userId)
        ?? await db.Recipients.FirstOrDefaultAsync(r => r.UserId == userId, ct)
        ?? throw new RecipientNotYetKnownException(userId);

    /// <summary>Sends <paramref name="type"/> to <paramref name="to"/>: on the channels their preferences allow, at most once per <paramref name="dedupeKey"/>.</summary>
    public async Task SendAsync(Recipient to, string type, Dictionary<string, object?> data, string dedupeKey, string? link, CancellationToken ct)
    {
        if (to.Erased) return;
        var kind = NotificationTypes.Get(type);
        // Nobody is sent learning while deactivated; what concerns their account (an invitation to come back) still goes.
        if (!to.IsActive && !kind.Mandatory) return;
        var channels = await ChannelsAsync(to.UserId, kind, ct);
        if (channels == Channels.None) return;

        var language = to.Language ?? Options.DefaultLanguage;
        var message = MessageTemplates.Render(await TemplateAsync(type, language, ct), WithCommon(data, to), language,
            new Footer(language, Options.Organisation, $"{PortalUrl}/settings/notifications", kind.Mandatory));
        var now = time.GetUtcNow();

        if (channels.HasFlag(Channels.InApp) && !await InboxHasAsync(dedupeKey, ct))
            db.Notifications.Add(new UserNotification
            {
                Id = Guid.CreateVersion7(now), UserId = to.UserId, Channel = Channel.InApp, Type = type, Subject = Clip(message.Subject, 200),
                Body = Clip(message.Text, 4000), Link = link, CreatedAt = now, Sensitive = kind.Sensitive, DedupeKey = dedupeKey,
            });
        if (channels.HasFlag(Channels.Email) && to.Email is { Length: > 0 } address && !await EmailHasAsync(dedupeKey, ct))
            db.Emails.Add(new EmailMessage
            {
                Id = Guid.CreateVersion7(now), UserId = to.UserId, Type = type, ToAddress = address, Subject = Clip(message.Subject, 200),
                TextBody = message.EmailText, HtmlBody = message.Html, Sensitive = kind.Sensitive, DedupeKey = dedupeKey,
                UnsubscribeUrl = kind.Mandatory ? null : unsubscribe.UrlFor(PortalUrl, to.UserId, type),
                Status = EmailStatus.Queued, CreatedAt = now, QueuedAt = now, NextAttemptAt = now,
            });
    }

    /// <summary>A type's sample, rendered with a template being edited, to the editor's own address (a test send).</summary>
    public EmailMessage TestEmail(NotificationType kind, TemplateSource source, string language, string address)
    {
        var now = time.GetUtcNow();
        var message = MessageTemplates.Render(source, new Dictionary<string, object?>(kind.Sample), language,
            new Footer(language, Options.Organisation, $"{PortalUrl}/settings/notifications", kind.Mandatory));
        return new EmailMessage
        {
            Id = Guid.CreateVersion7(now), Type = kind.Key, ToAddress = address, Subject = Clip("[Test] " + message.Subject, 200),
            TextBody = message.EmailText, HtmlBody = message.Html, Status = EmailStatus.Queued, CreatedAt = now, QueuedAt = now, NextAttemptAt = now,
        };
    }

    /// <summary>The channels a type goes on for a person: its defaults, changed by their choices, unless it is mandatory.</summary>
    public async Task<Channels> ChannelsAsync(Guid userId, NotificationType kind, CancellationToken ct)
    {
        if (kind.Mandatory) return kind.DefaultChannels & kind.Possible;
        if (_preferences?.GetValueOrDefault(userId) is { } prepared) return PreferenceRules.Channels(kind, prepared);
        var choices = await db.Preferences.AsNoTracking().Where(p => p.UserId == userId && p.Type == kind.Key).ToListAsync(ct);
        return PreferenceRules.Channels(kind, choices);
    }

    /// <summary>The newest version in the language, else the newest in the default language, else the built-in one.</summary>
    public async Task<TemplateSource> TemplateAsync(string type, string language, CancellationToken ct)
    {
        if (_templates.TryGetValue((type, language), out var cached)) return cached;
        var versions = await db.Templates.AsNoTracking()
            .Where(t => t.Type == type && (t.Language == language || t.Language == Options.DefaultLanguage))
            .OrderByDescending(t => t.Version).ToListAsync(ct);
        var chosen = versions.FirstOrDefault(v => v.Language == language) ?? versions.FirstOrDefault(v => v.Language == Options.DefaultLanguage);
        return _templates[(type, language)] = chosen is null ? TemplateSource.Of(NotificationTypes.Get(type)) : TemplateSource.Of(chosen);
    }

    /// <summary>A date as the person reads it: in their time zone and language.</summary>
    public string Date(DateTimeOffset at, Recipient to, bool withTime = false)
    {
        var zone = Zone(to.TimeZone ?? Options.DefaultTimeZone);
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var culture = MessageTemplates.Culture(to.Language ?? Options.DefaultLanguage);
        return withTime
            ? local.ToString("d MMMM yyyy HH:mm", culture) + " " + ZoneLabel(zone, local)
            : local.ToString("d MMMM yyyy", culture);
    }

    private static string ZoneLabel(TimeZoneInfo zone, DateTimeOffset local) =>
        zone.Id is "UTC" or "Etc/UTC" ? "UTC" : $"(UTC{(local.Offset < TimeSpan.Zero ? "-" : "+")}{local.Offset:hh\\:mm})";

    public static TimeZoneInfo Zone(string id)
    {
        try { return TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException) { return TimeZoneInfo.Utc; }
    }

    private Dictionary<string, object?> WithCommon(Dictionary<string, object?> data, Recipient to)
    {
        data["person"] = new Dictionary<string, object?> { ["given_name"] = to.GivenName, ["family_name"] = to.FamilyName, ["display_name"] = to.DisplayName };
        data["portal_url"] = PortalUrl;
        data["organisation"] = Options.Organisation;
        return data;
    }

    private async Task<bool> InboxHasAsync(string key, CancellationToken ct) =>
        db.Notifications.Local.Any(n => n.DedupeKey == key)
        || (_inboxKeys is { } known ? known.Contains(key) : await db.Notifications.AnyAsync(n => n.DedupeKey == key, ct));

    private async Task<bool> EmailHasAsync(string key, CancellationToken ct) =>
        db.Emails.Local.Any(e => e.DedupeKey == key)
        || (_emailKeys is { } known ? known.Contains(key) : await db.Emails.AnyAsync(e => e.DedupeKey == key, ct));

    private static string Clip(string value, int max) => value.Length > max ? value[..(max - 1)] + "…" : value;
}

/// <summary>How a person's choices change a type's channels.</summary>
public static class PreferenceRules
{
    public static Channels Channels(NotificationType kind, IEnumerable<Preference> choices)
    {
        if (kind.Mandatory) return kind.DefaultChannels & kind.Possible;
        var channels = kind.DefaultChannels;
        foreach (var choice in choices.Where(c => c.Type == kind.Key))
        {
            var flag = choice.Channel == Channel.Email ? Model.Channels.Email : Model.Channels.InApp;
            channels = choice.Enabled ? channels | flag : channels & ~flag;
        }
        return channels & kind.Possible;
    }
}
