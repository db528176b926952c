using Microsoft.EntityFrameworkCore;
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

    /// <summary>
    /// Outcomes (a batch of events, or a replayed page) applied to their emails' facts, the latest outcome winning
    /// whatever the order they come in; one query for the lot. A fact added earlier in the same transaction (another page
    /// of the batch) is still unsaved, and found among those tracked.
    /// </summary>
    public static async Task ApplyAsync(Infrastructure.AnalyticsDbContext db, IReadOnlyCollection<EmailDeliveryChanged> outcomes, CancellationToken ct)
    {
        if (outcomes.Count == 0) return;
        var ids = outcomes.Select(o => o.EmailId).Distinct().ToList();
        var facts = db.EmailFacts.Local.Where(f => ids.Contains(f.EmailId)).ToDictionary(f => f.EmailId);
        foreach (var fact in await db.EmailFacts.Where(f => ids.Contains(f.EmailId)).ToListAsync(ct)) facts.TryAdd(fact.EmailId, fact);
        foreach (var outcome in outcomes)
        {
            if (!facts.TryGetValue(outcome.EmailId, out var fact))
            {
                fact = new EmailFact { EmailId = outcome.EmailId };
                facts[outcome.EmailId] = fact;
                db.EmailFacts.Add(fact);
            }
            fact.Apply(outcome);
        }
    }
}
