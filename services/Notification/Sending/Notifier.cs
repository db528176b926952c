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
    private enum Written { Inbox, Email, Digest }
    // The dedupe keys already written: loaded for a batch by PrepareAsync, and what this unit of work added.
    private Dictionary<Written, HashSet<string>>? _known;
    // What this unit of work added, by key: counted while the context still holds it (a consumer's retry clears the context and starts again).
    private readonly Dictionary<Written, Dictionary<string, object>> _added = new() { [Written.Inbox] = [], [Written.Email] = [], [Written.Digest] = [] };
    private readonly Dictionary<Guid, Dictionary<string, object?>> _items = [];
    private Dictionary<Guid, int>? _mailedToday;
    private static readonly string[] MandatoryTypes = [.. NotificationTypes.All.Where(t => t.Mandatory).Select(t => t.Key)];

    /// <summary>
    /// For a consumer's batch: loads the people's choices and which of the keys were already sent, in two queries,
    /// instead of a few per message (a 100,000-person import reaches this service in batches).
    /// </summary>
    public async Task PrepareAsync(IReadOnlyCollection<Guid> userIds, IReadOnlyCollection<string> keys, CancellationToken ct)
    {
        _preferences = (await db.Preferences.AsNoTracking().Where(p => userIds.Contains(p.UserId)).ToListAsync(ct))
            .GroupBy(p => p.UserId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var id in userIds) _preferences.TryAdd(id, []);
        _known = new()
        {
            [Written.Inbox] = [.. await db.Notifications.Where(n => n.DedupeKey != null && keys.Contains(n.DedupeKey)).Select(n => n.DedupeKey!).ToListAsync(ct)],
            [Written.Email] = [.. await db.Emails.Where(e => e.DedupeKey != null && keys.Contains(e.DedupeKey)).Select(e => e.DedupeKey!).ToListAsync(ct)],
            [Written.Digest] = [.. await db.DigestItems.Where(d => keys.Contains(d.DedupeKey)).Select(d => d.DedupeKey).ToListAsync(ct)],
        };
        // Today's mails per person, from the earliest start of day any time zone has (a little generous for some).
        var now = time.GetUtcNow();
        var since = now.AddHours(-38);
        var zones = db.Recipients.Local.Where(r => r.TimeZone is not null).ToDictionary(r => r.UserId, r => r.TimeZone!);
        _mailedToday = (await db.Emails.Where(e => e.UserId != null && userIds.Contains(e.UserId.Value) && e.CreatedAt >= since && !MandatoryTypes.Contains(e.Type!))
                .Select(e => new { e.UserId, e.CreatedAt }).ToListAsync(ct))
            .GroupBy(e => e.UserId!.Value)
            .ToDictionary(g => g.Key, g => g.Count(e => e.CreatedAt >= MailRules.StartOfDay(Zone(zones.GetValueOrDefault(g.Key) ?? Options.DefaultTimeZone), now)));
        foreach (var id in userIds) _mailedToday.TryAdd(id, 0);
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
            FooterFor(language, kind.Mandatory));
        var now = time.GetUtcNow();

        if (channels.HasFlag(Channels.InApp) && !await SeenAsync(Written.Inbox, dedupeKey, ct))
            Add(Written.Inbox, dedupeKey, new UserNotification
            {
                Id = Guid.CreateVersion7(now), UserId = to.UserId, Channel = Channel.InApp, Type = type, Subject = Clip(message.Subject, 200),
                Body = Clip(message.Text, 4000), Link = link, CreatedAt = now, Sensitive = kind.Sensitive, DedupeKey = dedupeKey,
            });
        if (!channels.HasFlag(Channels.Email) || to.Email is not { Length: > 0 } address) return;
        // One mail or one digest entry per key, whichever it went to the first time.
        if (await SeenAsync(Written.Email, dedupeKey, ct) || await SeenAsync(Written.Digest, dedupeKey, ct)) return;
        if (kind.Digestible && MailRules.DigestInstead(Window(to), now, await MailedTodayAsync(to, now, ct), Options.EmailsPerDay) is { } digestAt)
        {
            Add(Written.Digest, dedupeKey, new DigestItem
            {
                Id = Guid.CreateVersion7(now), UserId = to.UserId, Type = type, Subject = Clip(message.Subject, 200), Text = Clip(message.Text, 4000), Link = link,
                DedupeKey = dedupeKey, CreatedAt = now, DueAt = digestAt,
            });
            return;
        }
        if (_mailedToday is not null) _mailedToday[to.UserId] = _mailedToday.GetValueOrDefault(to.UserId) + 1;
        Add(Written.Email, dedupeKey, new EmailMessage
        {
            Id = Guid.CreateVersion7(now), UserId = to.UserId, Type = type, ToAddress = address, Subject = Clip(message.Subject, 200),
            TextBody = message.EmailText, HtmlBody = message.Html, Sensitive = kind.Sensitive, DedupeKey = dedupeKey,
            UnsubscribeUrl = kind.Mandatory ? null : unsubscribe.UrlFor(PortalUrl, to.UserId, type),
            Status = EmailStatus.Queued, CreatedAt = now, QueuedAt = now, NextAttemptAt = now,
        });
    }

    private Footer FooterFor(string language, bool mandatory) => new(language, Options.Organisation, $"{PortalUrl}/settings/notifications", mandatory);

    /// <summary>When mail may come to the person: their time zone, quiet hours and digest, else the organisation's.</summary>
    public MailWindow Window(Recipient to) => new(Zone(to.TimeZone ?? Options.DefaultTimeZone), to.QuietFrom ?? Options.QuietFrom,
        to.QuietUntil ?? Options.QuietUntil, to.Digest ?? DigestFrequency.None, Options.DigestAt);

    private async Task<int> MailedTodayAsync(Recipient to, DateTimeOffset now, CancellationToken ct)
    {
        if (_mailedToday?.TryGetValue(to.UserId, out var known) == true) return known;
        var since = MailRules.StartOfDay(Zone(to.TimeZone ?? Options.DefaultTimeZone), now);
        var count = db.Emails.Local.Count(e => e.UserId == to.UserId && e.Type is { } t && !MandatoryTypes.Contains(t))
            + await db.Emails.CountAsync(e => e.UserId == to.UserId && e.CreatedAt >= since && !MandatoryTypes.Contains(e.Type!), ct);
        if (_mailedToday is not null) _mailedToday[to.UserId] = count;
        return count;
    }

    /// <summary>
    /// One mail with everything that waited for the person's digest, in their language's digest template; it goes
    /// whatever the day's budget (it is the budget's answer) and only the types' email preference decides it.
    /// </summary>
    public async Task<EmailMessage?> DigestAsync(Recipient to, IReadOnlyList<DigestItem> items, CancellationToken ct)
    {
        var kind = NotificationTypes.Get(NotificationTypes.Digest);
        if (!(await ChannelsAsync(to.UserId, kind, ct)).HasFlag(Channels.Email) || items.Count == 0) return null;
        var language = to.Language ?? Options.DefaultLanguage;
        var data = WithCommon(new Dictionary<string, object?>
        {
            ["count"] = items.Count,
            ["items"] = items.Select(i => (object?)new Dictionary<string, object?> { ["subject"] = i.Subject, ["text"] = i.Text, ["link"] = i.Link }).ToList(),
        }, to);
        var message = MessageTemplates.Render(await TemplateAsync(kind.Key, language, ct), data, language,
            FooterFor(language, false));
        var now = time.GetUtcNow();
        var email = new EmailMessage
        {
            Id = Guid.CreateVersion7(now), UserId = to.UserId, Type = kind.Key, ToAddress = to.Email, Subject = Clip(message.Subject, 200),
            TextBody = message.EmailText, HtmlBody = message.Html, DedupeKey = $"digest:{items[0].Id:N}",
            UnsubscribeUrl = unsubscribe.UrlFor(PortalUrl, to.UserId, kind.Key),
            Status = EmailStatus.Queued, CreatedAt = now, QueuedAt = now, NextAttemptAt = now,
        };
        db.Emails.Add(email);
        return email;
    }

    /// <summary>A type's sample, rendered with a template being edited, to the editor's own address (a test send).</summary>
    public EmailMessage TestEmail(NotificationType kind, TemplateSource source, string language, string address)
    {
        var now = time.GetUtcNow();
        var message = MessageTemplates.Render(source, new Dictionary<string, object?>(kind.Sample), language,
            FooterFor(language, kind.Mandatory));
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

    /// <summary>Whether <paramref name="key"/> was written on that channel: the one dedupe check (what a batch loaded or this unit of work wrote; otherwise the database).</summary>
    private async Task<bool> SeenAsync(Written channel, string key, CancellationToken ct) =>
        (_added[channel].TryGetValue(key, out var added) && db.Entry(added).State != EntityState.Detached) || (_known?[channel].Contains(key) ?? channel switch
        {
            Written.Inbox => await db.Notifications.AnyAsync(n => n.DedupeKey == key, ct),
            Written.Email => await db.Emails.AnyAsync(e => e.DedupeKey == key, ct),
            _ => await db.DigestItems.AnyAsync(d => d.DedupeKey == key, ct),
        });

    private void Add(Written channel, string key, object message)
    {
        _added[channel][key] = message;
        db.Add(message);
    }

    /// <summary>What messages say about a course or path: its title and where it is, from notification's copy (read once per unit of work).</summary>
    public async Task<Dictionary<string, object?>> ItemAsync(Guid id, CancellationToken ct)
    {
        if (!_items.TryGetValue(id, out var item))
        {
            var copy = db.Items.Local.FirstOrDefault(i => i.Id == id) ?? await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
            var path = copy?.Kind == "learning-path" ? "paths" : "courses";
            _items[id] = item = new()
            {
                ["title"] = copy?.Title ?? "a course", ["code"] = copy?.Code ?? "", ["link"] = $"{PortalUrl}/catalogue/{path}/{id}",
            };
        }
        return new(item); // each message its own copy: templates' data may be changed by the caller
    }

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
