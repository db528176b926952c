using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Notification.Model;

/// <summary>
/// Notification's copy of a user: where to reach them (see <see cref="PersonCopy"/>), and their own settings for how
/// (language and time zone, chosen in their preferences; the organisation's defaults until then).
/// </summary>
public sealed class Recipient : PersonCopy
{
    /// <summary>The same person written to at another address, untracked: everything else (language, zone, quiet hours, status) as theirs.</summary>
    public Recipient At(string email)
    {
        var copy = (Recipient)MemberwiseClone();
        copy.Email = email;
        return copy;
    }

    /// <summary>The language messages are written in (a template's language), or null for the organisation's.</summary>
    public string? Language { get; set; }
    /// <summary>An IANA time zone dates are written in, or null for the organisation's.</summary>
    public string? TimeZone { get; set; }
    /// <summary>Quiet hours (local): nothing that can wait is mailed between these times; null for the organisation's.</summary>
    public TimeOnly? QuietFrom { get; set; }
    public TimeOnly? QuietUntil { get; set; }
    /// <summary>Mails that can wait bundled in a daily or weekly digest instead of one each; null for the organisation's (none).</summary>
    public DigestFrequency? Digest { get; set; }
}

[Flags]
public enum Channels { None = 0, InApp = 1, Email = 2 }

public enum Channel { InApp, Email }

/// <summary>A message in a person's in-app inbox.</summary>
public sealed class UserNotification
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Channel Channel { get; set; }
    /// <summary>The notification type (<see cref="NotificationTypes"/>), or null for a message an administrator wrote.</summary>
    public string? Type { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    /// <summary>Where the message leads (a course, a certificate), relative to the portal.</summary>
    public string? Link { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    /// <summary>Carries a single-use link to the recipient's account: its body is shown to the recipient only.</summary>
    public bool Sensitive { get; set; }
    /// <summary>What makes this message the same as another (the same reminder twice): unique when set.</summary>
    public string? DedupeKey { get; set; }
}

/// <summary>One person's choice for one notification type on one channel (absent: the type's default).</summary>
public sealed class Preference
{
    public Guid UserId { get; set; }
    public required string Type { get; set; }
    public Channel Channel { get; set; }
    public bool Enabled { get; set; }
}
