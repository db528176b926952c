namespace LmsPlatform.Notification.Model;

public enum DigestFrequency { None, Daily, Weekly }

/// <summary>A message held for the person's next digest email instead of a mail of its own.</summary>
public sealed class DigestItem
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Type { get; set; }
    public required string Subject { get; set; }
    public required string Text { get; set; }
    public string? Link { get; set; }
    public required string DedupeKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When the digest holding it is due: the person's next digest time, or the end of their quiet hours.</summary>
    public DateTimeOffset DueAt { get; set; }
    public Guid? SentInEmailId { get; set; }
}

/// <summary>A person's settings for when mail may come, in their time zone.</summary>
public sealed record MailWindow(TimeZoneInfo Zone, TimeOnly? QuietFrom, TimeOnly? QuietUntil, DigestFrequency Digest, TimeOnly DigestAt);

/// <summary>
/// The rules that keep mail from becoming spam, in one place: quiet hours in the person's time zone, the daily budget,
/// and the digest that takes what does not go out on its own.
/// </summary>
public static class MailRules
{
    /// <summary>Whether <paramref name="now"/> falls in the person's quiet hours (which may span midnight).</summary>
    public static bool InQuietHours(MailWindow w, DateTimeOffset now)
    {
        if (w.QuietFrom is not { } from || w.QuietUntil is not { } until || from == until) return false;
        var local = TimeOnly.FromTimeSpan(TimeZoneInfo.ConvertTime(now, w.Zone).TimeOfDay);
        return from < until ? local >= from && local < until : local >= from || local < until;
    }

    /// <summary>
    /// Where a message that may wait goes: its own mail now, or the digest (due when). To the digest when the person
    /// takes digests, during their quiet hours, or once today's budget of mails is spent.
    /// </summary>
    public static DateTimeOffset? DigestInstead(MailWindow w, DateTimeOffset now, int mailedToday, int budget)
    {
        if (w.Digest != DigestFrequency.None) return NextDigest(w, now);
        if (InQuietHours(w, now)) return QuietEnd(w, now);
        if (mailedToday >= budget) return NextDigest(w with { Digest = DigestFrequency.Daily }, now);
        return null;
    }

    /// <summary>The next digest time after <paramref name="now"/>: daily at its hour, weekly on Mondays; never inside quiet hours.</summary>
    public static DateTimeOffset NextDigest(MailWindow w, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, w.Zone);
        var candidate = At(w.Zone, DateOnly.FromDateTime(local.DateTime), w.DigestAt);
        if (candidate <= now) candidate = At(w.Zone, DateOnly.FromDateTime(local.DateTime).AddDays(1), w.DigestAt);
        if (w.Digest == DigestFrequency.Weekly)
            while (TimeZoneInfo.ConvertTime(candidate, w.Zone).DayOfWeek != DayOfWeek.Monday)
                candidate = At(w.Zone, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(candidate, w.Zone).DateTime).AddDays(1), w.DigestAt);
        return InQuietHours(w, candidate) ? QuietEnd(w, candidate) : candidate;
    }

    /// <summary>When the quiet hours that hold <paramref name="now"/> end.</summary>
    public static DateTimeOffset QuietEnd(MailWindow w, DateTimeOffset now)
    {
        var until = w.QuietUntil ?? TimeOnly.MinValue;
        var local = TimeZoneInfo.ConvertTime(now, w.Zone);
        var end = At(w.Zone, DateOnly.FromDateTime(local.DateTime), until);
        return end > now ? end : At(w.Zone, DateOnly.FromDateTime(local.DateTime).AddDays(1), until);
    }

    /// <summary>The start of the person's day, for counting today's mails.</summary>
    public static DateTimeOffset StartOfDay(TimeZoneInfo zone, DateTimeOffset now) =>
        At(zone, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime), TimeOnly.MinValue);

    private static DateTimeOffset At(TimeZoneInfo zone, DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        // A time skipped by a clock change is taken an hour later.
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
