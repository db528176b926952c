using LmsPlatform.Contracts.Identity;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>Keeps the recipient copy and welcomes the new user (in their inbox, unless they choose otherwise).</summary>
public sealed class UserCreatedConsumer(NotificationDbContext db, Notifier notifier) : PersonCopyConsumer<UserCreated, NotificationDbContext, Recipient>(db)
{
    protected override async Task BeforeHandlingAsync(IReadOnlyList<UserCreated> messages, CancellationToken cancellationToken)
    {
        await base.BeforeHandlingAsync(messages, cancellationToken);
        await notifier.PrepareAsync([.. messages.Select(m => m.UserId)], [.. messages.Select(Key)], cancellationToken);
    }

    protected override Task AfterApplyAsync(UserCreated message, Recipient copy, CancellationToken cancellationToken) =>
        notifier.SendAsync(copy, NotificationTypes.Welcome, [], Key(message), null, cancellationToken);

    private static string Key(UserCreated message) => $"welcome:{message.UserId:N}";
}

// Where to reach people (and whether to), one queue per event.
public sealed class UserUpdatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserUpdated, NotificationDbContext, Recipient>(db);
public sealed class UserDeactivatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserDeactivated, NotificationDbContext, Recipient>(db);
public sealed class UserReactivatedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserReactivated, NotificationDbContext, Recipient>(db);

/// <summary>
/// Drops the recipient's personal data, the messages addressed to them (they greet them by name) and their choices;
/// mail not yet sent to them is not sent.
/// </summary>
public sealed class UserErasedConsumer(NotificationDbContext db) : PersonCopyConsumer<UserErased, NotificationDbContext, Recipient>(db)
{
    protected override async Task AfterApplyAsync(UserErased message, Recipient copy, CancellationToken cancellationToken)
    {
        copy.Language = copy.TimeZone = null;
        await Db.Notifications.Where(n => n.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Emails.Where(e => e.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Preferences.Where(p => p.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
    }
}
