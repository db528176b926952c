using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Notification;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Consumers;

/// <summary>Email outcomes, for the delivery report: one row per email, its latest outcome.</summary>
public sealed class EmailDeliveryChangedConsumer(AnalyticsDbContext db) : IdempotentConsumer<EmailDeliveryChanged, AnalyticsDbContext>(db)
{
    private Dictionary<Guid, EmailFact> _facts = [];

    protected override async Task BeforeHandlingAsync(IReadOnlyList<EmailDeliveryChanged> messages, CancellationToken cancellationToken)
    {
        var ids = messages.Select(m => m.EmailId).Distinct().ToList();
        _facts = await Db.EmailFacts.Where(f => ids.Contains(f.EmailId)).ToDictionaryAsync(f => f.EmailId, cancellationToken);
    }

    protected override Task HandleAsync(EmailDeliveryChanged message, CancellationToken cancellationToken)
    {
        if (!_facts.TryGetValue(message.EmailId, out var fact))
        {
            fact = new EmailFact { EmailId = message.EmailId };
            _facts[message.EmailId] = fact;
            Db.EmailFacts.Add(fact);
        }
        fact.Apply(message);
        return Task.CompletedTask;
    }
}
