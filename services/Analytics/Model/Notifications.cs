using LmsPlatform.Contracts.Notification;

namespace LmsPlatform.Analytics.Model;

/// <summary>
/// An email's delivery outcome (sent, bounced, given up), copied from notification's events: what the delivery report
/// counts. A later outcome (an operator sent it again) replaces an earlier one, whatever order they arrive in.
/// </summary>
public sealed class EmailFact
{
    public const string Sent = "Sent", Bounced = "Bounced", GaveUp = "GaveUp";

    public Guid EmailId { get; set; }
    public Guid? UserId { get; set; }
    /// <summary>The notification type ("assignment-created", "reminder", ...), or "other" for mail of no type.</summary>
    public string Type { get; set; } = "";
    public string Status { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    /// <summary>When the outcome happened.</summary>
    public DateTimeOffset At { get; set; }

    public void Apply(EmailDeliveryChanged e)
    {
        if (e.At < At) return;
        (UserId, Type, Status, Attempts, QueuedAt, At) = (e.UserId, e.Type ?? "other", e.Status, e.Attempts, e.QueuedAt, e.At);
    }
}
