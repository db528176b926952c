using LmsPlatform.Contracts.Notification;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Notification.Model;

public enum EmailStatus
{
    /// <summary>Waiting for its first attempt.</summary>
    Queued,
    /// <summary>An attempt failed for a reason that may pass (the relay away, a 4xx answer): tried again at <see cref="EmailMessage.NextAttemptAt"/>.</summary>
    Retrying,
    /// <summary>The relay accepted it.</summary>
    Sent,
    /// <summary>The relay refused it for good (a 5xx answer: no such mailbox, say).</summary>
    Bounced,
    /// <summary>Retried until <see cref="DeliveryPolicy.GiveUpAfter"/> without success.</summary>
    GaveUp,
}

/// <summary>
/// One email to one person: the delivery log's row and the delivery queue's item at once. It is written with the
/// change that caused it (the consumer's transaction), so an email is never lost, and a sender takes it only while
/// holding its lease, so two replicas never send it both. Each outcome (sent, bounced, given up) is announced
/// (<see cref="EmailDeliveryChanged"/>) for the delivery report.
/// </summary>
public sealed class EmailMessage : Aggregate
{
    public Guid Id { get; set; }
    public Guid? UserId { get; set; }
    public string? Type { get; set; }
    public required string ToAddress { get; set; }
    public required string Subject { get; set; }
    public required string TextBody { get; set; }
    public required string HtmlBody { get; set; }
    /// <summary>A one-click unsubscribe address (RFC 8058) for the type, or null for the mandatory ones.</summary>
    public string? UnsubscribeUrl { get; set; }
    public bool Sensitive { get; set; }
    public string? DedupeKey { get; set; }
    public EmailStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When its current delivery began: its creation, or an operator's retry. <see cref="DeliveryPolicy"/> gives up two days after.</summary>
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LeasedUntil { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>The Message-ID header: the same for every attempt, so a mail sent twice can be recognised as one.</summary>
    public string MessageId => $"{Id:N}@lms.notification";

    public const string Withheld = "(withheld: this mail held a single-use link to the recipient's account)";

    /// <summary>The relay took it. A sensitive mail's body (a sign-in link) is not kept once delivered.</summary>
    public void Delivered(DateTimeOffset at)
    {
        Status = EmailStatus.Sent;
        SentAt = at;
        Attempts++;
        LastError = null;
        LeasedUntil = null;
        if (Sensitive) TextBody = HtmlBody = Withheld;
        Announce(at);
    }

    /// <summary>An attempt failed: bounced when <paramref name="permanent"/>, otherwise tried again later or given up.</summary>
    public void Failed(string error, bool permanent, DateTimeOffset at)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        LeasedUntil = null;
        if (permanent) Status = EmailStatus.Bounced;
        else if (DeliveryPolicy.NextAttempt(Attempts, QueuedAt, at) is { } next) (Status, NextAttemptAt) = (EmailStatus.Retrying, next);
        else Status = EmailStatus.GaveUp;
        if (Status != EmailStatus.Retrying) Announce(at);
    }

    /// <summary>An outcome, for the reports: an attempt still to come (retrying) is not one.</summary>
    private void Announce(DateTimeOffset at) => Record(new EmailDeliveryChanged(Id, UserId, Type, Status.ToString(), Attempts, QueuedAt, at));

    /// <summary>A sender holds it at this moment: its outcome is that sender's to record.</summary>
    public bool BeingSent(DateTimeOffset at) => LeasedUntil > at;

    /// <summary>An operator sends it again (a bounce after the address was corrected, a give-up after an outage).</summary>
    public bool Retry(DateTimeOffset at)
    {
        if (Status is not (EmailStatus.Bounced or EmailStatus.GaveUp or EmailStatus.Retrying) || BeingSent(at)) return false;
        if (Sensitive && TextBody == Withheld) return false;
        Status = EmailStatus.Queued;
        NextAttemptAt = at;
        QueuedAt = at;
        return true;
    }
}

/// <summary>
/// One outcome of an email (<see cref="EmailDeliveryChanged"/>), in notification's log: the history the delivery report
/// counts, kept so a read model can be rebuilt from it. It holds no address or content, so it outlives the email (an
/// erasure deletes the person's mail, not the figures).
/// </summary>
public sealed class EmailOutcome
{
    public Guid Id { get; set; }
    public Guid EmailId { get; set; }
    public Guid? UserId { get; set; }
    public string? Type { get; set; }
    public string Status { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset At { get; set; }

    public static EmailOutcome Of(EmailDeliveryChanged e) => new()
    {
        Id = Guid.CreateVersion7(e.At), EmailId = e.EmailId, UserId = e.UserId, Type = e.Type, Status = e.Status, Attempts = e.Attempts,
        QueuedAt = e.QueuedAt, At = e.At,
    };

    public EmailDeliveryChanged Announced() => new(EmailId, UserId, Type, Status, Attempts, QueuedAt, At);
}

/// <summary>When a failed email is tried again: after 15 s, doubling to at most 10 minutes between attempts, for two days.</summary>
public static class DeliveryPolicy
{
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(2);

    /// <summary>The time of the next attempt after <paramref name="attempts"/> failed ones, or null to give up.</summary>
    public static DateTimeOffset? NextAttempt(int attempts, DateTimeOffset queuedAt, DateTimeOffset now)
    {
        var delay = TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, FirstDelay.Ticks * (1L << Math.Clamp(attempts - 1, 0, 20))));
        var next = now + delay;
        return next - queuedAt > GiveUpAfter ? null : next;
    }
}
