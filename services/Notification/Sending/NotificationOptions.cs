namespace LmsPlatform.Notification.Sending;

/// <summary>The organisation's settings for what it sends (section <c>Notification</c>).</summary>
public sealed class NotificationOptions
{
    /// <summary>The portal's public address, which links in messages lead to; the token issuer's (the gateway's) by default.</summary>
    public string? PortalUrl { get; set; }
    /// <summary>The name messages sign with.</summary>
    public string Organisation { get; set; } = "LmsPlatform";
    public string DefaultLanguage { get; set; } = "en";
    public string DefaultTimeZone { get; set; } = "UTC";
    /// <summary>The quiet hours of whoever has not chosen their own (local time in their time zone).</summary>
    public TimeOnly QuietFrom { get; set; } = new(21, 0);
    public TimeOnly QuietUntil { get; set; } = new(7, 0);
    /// <summary>When digests go out (local time).</summary>
    public TimeOnly DigestAt { get; set; } = new(7, 0);
    /// <summary>At most this many mails that can wait go to one person a day; the rest go to their digest.</summary>
    public int EmailsPerDay { get; set; } = 5;
    /// <summary>How often reminders, escalations and digests are looked for.</summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The key one-click unsubscribe links are signed with (a secret); without one, mails carry no such link.</summary>
    public string? UnsubscribeKey { get; set; }
}
