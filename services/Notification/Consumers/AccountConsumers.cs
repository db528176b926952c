using LmsPlatform.Contracts.Identity;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>
/// The messages that carry a single-use link to an account (an invitation, a password reset): mailed to the person,
/// marked sensitive so that nobody else reads the link through the API, and not kept once the relay has taken them.
/// </summary>
public static class AccountMessages
{
    /// <summary>The person the event names; the event may overtake their creation (another queue), so the copy can start from it.</summary>
    public static async Task<Recipient?> RecipientAsync(NotificationDbContext db, Guid userId, string email, string givenName, CancellationToken ct)
    {
        var recipient = db.Recipients.Local.FirstOrDefault(r => r.UserId == userId) ?? await db.Recipients.FirstOrDefaultAsync(r => r.UserId == userId, ct);
        if (recipient is { Erased: true }) return null;
        if (recipient is null)
        {
            recipient = new Recipient { UserId = userId, Email = email, GivenName = givenName, DisplayName = givenName };
            db.Recipients.Add(recipient);
        }
        // The address the link was made for, even if the copy has not caught up with a change of address yet.
        return recipient.Email == email ? recipient : recipient.At(email);
    }
}

public sealed class UserInvitedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<UserInvited, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(UserInvited message, CancellationToken cancellationToken)
    {
        if (await AccountMessages.RecipientAsync(Db, message.UserId, message.Email, message.GivenName, cancellationToken) is not { } to) return;
        await notifier.SendAsync(to, NotificationTypes.Invitation, new()
        {
            ["invited_by"] = message.InvitedBy, ["link"] = message.SetPasswordUrl, ["expires_at"] = notifier.Date(message.ExpiresAt, to, withTime: true),
        }, $"invitation:{message.UserId:N}:{message.ExpiresAt.UtcTicks}", null, cancellationToken);
    }
}

public sealed class PasswordResetRequestedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<PasswordResetRequested, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(PasswordResetRequested message, CancellationToken cancellationToken)
    {
        if (await AccountMessages.RecipientAsync(Db, message.UserId, message.Email, message.GivenName, cancellationToken) is not { } to) return;
        await notifier.SendAsync(to, NotificationTypes.PasswordReset, new()
        {
            ["link"] = message.ResetUrl, ["expires_at"] = notifier.Date(message.ExpiresAt, to, withTime: true),
        }, $"password-reset:{message.UserId:N}:{message.ExpiresAt.UtcTicks}", null, cancellationToken);
    }
}
