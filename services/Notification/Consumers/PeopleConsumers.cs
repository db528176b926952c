using LmsPlatform.Contracts.Identity;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>Keeps the recipient copy and puts a welcome message in the new user's in-app inbox.</summary>
public sealed class UserCreatedConsumer(NotificationDbContext db, TimeProvider time) : PersonCopyConsumer<UserCreated, NotificationDbContext, Recipient>(db)
{
    protected override Task AfterApplyAsync(UserCreated message, Recipient copy, CancellationToken cancellationToken)
    {
        if (copy.Erased) return Task.CompletedTask; // erased before its creation arrived: nobody to greet
        Db.Notifications.Add(new UserNotification
        {
            Id = Guid.CreateVersion7(),
            UserId = message.UserId,
            Channel = Channel.InApp,
            Subject = "Welcome to learning",
            Body = $"Hello {copy.GivenName}, your learning account is ready.",
            CreatedAt = time.GetUtcNow(),
        });
        return Task.CompletedTask;
    }
}

// Where to reach people (and whether to), one queue per event.
public sealed class UserUpdatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserUpdated, NotificationDbContext, Recipient>(db);
public sealed class UserDeactivatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserDeactivated, NotificationDbContext, Recipient>(db);
public sealed class UserReactivatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserReactivated, NotificationDbContext, Recipient>(db);

/// <summary>Drops the recipient's personal data, and the messages addressed to them (they greet them by name).</summary>
public sealed class UserErasedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserErased, NotificationDbContext, Recipient>(db)
{
    protected override async Task AfterApplyAsync(UserErased message, Recipient copy, CancellationToken cancellationToken)
    {
        await Db.Notifications.Where(n => n.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
    }
}
