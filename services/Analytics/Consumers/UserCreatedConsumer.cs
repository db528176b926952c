using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace LmsPlatform.Analytics.Consumers;

/// <summary>Counts the user into the reporting read model.</summary>
public sealed class UserCreatedConsumer(AnalyticsDbContext db) : IdempotentConsumer<UserCreated, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(UserCreated message, CancellationToken cancellationToken)
    {
        Db.Users.Add(new UserFact { UserId = message.UserId, CreatedAt = message.CreatedAt });
        return Task.CompletedTask;
    }
}
