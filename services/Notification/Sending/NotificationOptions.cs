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
    /// <summary>The key one-click unsubscribe links are signed with (a secret); without one, mails carry no such link.</summary>
    public string? UnsubscribeKey { get; set; }
}
