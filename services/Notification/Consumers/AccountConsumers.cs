using LmsPlatform.Contracts.Identity;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>
/// The messages that carry a single-use link to an account (an invitation, a password reset): kept for delivery to
/// the recipient, and marked sensitive so that nobody else reads the link through the API. Until email delivery exists
/// they wait in the recipient's inbox.
/// </summary>
public static class AccountMessages
{
    public static async Task AddAsync(NotificationDbContext db, Guid userId, string email, string givenName, string subject, string body,
        DateTimeOffset at, CancellationToken ct)
    {
        var recipient = await db.Recipients.FirstOrDefaultAsync(r => r.UserId == userId, ct);
        if (recipient is { Erased: true }) return;
        // The event may overtake the user's creation (another queue): the copy starts from what this event knows.
        if (recipient is null) db.Recipients.Add(new Recipient { UserId = userId, Email = email, GivenName = givenName });
        db.Notifications.Add(new UserNotification
        {
            Id = Guid.CreateVersion7(at), UserId = userId, Channel = Channel.InApp, Subject = subject, Body = body, CreatedAt = at, Sensitive = true,
        });
    }
}

public sealed class UserInvitedConsumer(NotificationDbContext db, TimeProvider time) : IdempotentConsumer<UserInvited, NotificationDbContext>(db)
{
    protected override Task HandleAsync(UserInvited message, CancellationToken cancellationToken) =>
        AccountMessages.AddAsync(Db, message.UserId, message.Email, message.GivenName, "You are invited to learning",
            $"Hello {message.GivenName}, {message.InvitedBy} invited you. Choose your password here (the link works once, until {message.ExpiresAt:d MMMM yyyy HH:mm} UTC): {message.SetPasswordUrl}",
            time.GetUtcNow(), cancellationToken);
}

public sealed class PasswordResetRequestedConsumer(NotificationDbContext db, TimeProvider time) : IdempotentConsumer<PasswordResetRequested, NotificationDbContext>(db)
{
    protected override Task HandleAsync(PasswordResetRequested message, CancellationToken cancellationToken) =>
        AccountMessages.AddAsync(Db, message.UserId, message.Email, message.GivenName, "Reset your password",
            $"Hello {message.GivenName}, choose a new password here (the link works once, until {message.ExpiresAt:HH:mm} UTC): {message.ResetUrl}. If you did not ask for it, ignore this message.",
            time.GetUtcNow(), cancellationToken);
}
