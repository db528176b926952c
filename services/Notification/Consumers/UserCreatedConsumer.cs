using LmsPlatform.Contracts.Identity;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using MassTransit;

namespace LmsPlatform.Notification.Consumers;

/// <summary>Keeps the recipient copy and puts a welcome message in the new user's in-app inbox.</summary>
public sealed class UserCreatedConsumer(NotificationDbContext db, TimeProvider time) : IdempotentConsumer<UserCreated, NotificationDbContext>(db)
{
    protected override Task HandleAsync(UserCreated message, CancellationToken cancellationToken)
    {
        Db.Recipients.Add(new Recipient
        {
            UserId = message.UserId,
            Email = message.Email,
            DisplayName = $"{message.GivenName} {message.FamilyName}",
        });
        Db.Notifications.Add(new UserNotification
        {
            Id = Guid.CreateVersion7(),
            UserId = message.UserId,
            Channel = Channel.InApp,
            Subject = "Welcome to learning",
            Body = $"Hello {message.GivenName}, your learning account is ready.",
            CreatedAt = time.GetUtcNow(),
        });
        return Task.CompletedTask;
    }
}
