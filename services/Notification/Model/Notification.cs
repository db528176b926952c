using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Notification.Model;

/// <summary>Notification's copy of a user: where to reach them (see <see cref="PersonCopy"/>).</summary>
public sealed class Recipient : PersonCopy;

public enum Channel { InApp, Email }

/// <summary>A message to one recipient on one channel (the in-app inbox for now).</summary>
public sealed class UserNotification
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Channel Channel { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
    /// <summary>Carries a single-use link to the recipient's account: its body is shown to the recipient only.</summary>
    public bool Sensitive { get; set; }
}
