using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Auth;

public sealed record SkippedInvitation(Guid UserId, string Reason);

public sealed record InvitationResult(IReadOnlyList<Guid> Invited, IReadOnlyList<SkippedInvitation> Skipped, DateTimeOffset ExpiresAt);

/// <summary>
/// Invitations to set a password: a single-use link valid for <see cref="Lifetime"/>, sent as <c>UserInvited</c> for
/// the notification service to deliver. Only the token's hash is kept (the same tickets as password resets, with their
/// own purpose); a new invitation (a re-send) makes the earlier link stop working. Who may be invited is
/// <see cref="User.CannotInvite"/>.
/// </summary>
public sealed class Invitations(IdentityDbContext db, IConfiguration configuration, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>At most this many people are invited by one request.</summary>
    public const int MaxPerRequest = 5000;

    public async Task<InvitationResult> InviteAsync(IReadOnlyCollection<User> users, Actor actor, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + Lifetime;
        var issuer = configuration[SecurityExtensions.IssuerKey]!.TrimEnd('/');
        var (invited, skipped) = (new List<Guid>(), new List<SkippedInvitation>());
        var invitable = users.Where(u => u.CannotInvite() is null).Select(u => u.Id).ToList();
        db.PasswordResetTickets.RemoveRange(await db.PasswordResetTickets
            .Where(t => invitable.Contains(t.UserId) && t.Purpose == PasswordResetTicket.Invitation && t.UsedAt == null).ToListAsync(ct));
        foreach (var user in users)
        {
            if (user.CannotInvite() is { } reason)
            {
                skipped.Add(new SkippedInvitation(user.Id, reason));
                continue;
            }
            var token = PasswordResets.NewToken();
            db.PasswordResetTickets.Add(new PasswordResetTicket
            {
                Id = Guid.CreateVersion7(now), UserId = user.Id, Purpose = PasswordResetTicket.Invitation,
                TokenHash = PasswordResets.Hash(token), CreatedAt = now, ExpiresAt = expiresAt,
            });
            user.Invite($"{issuer}/account/set-password?token={token}", expiresAt, actor, now);
            invited.Add(user.Id);
        }
        await db.SaveChangesAsync(ct);
        return new InvitationResult(invited, skipped, expiresAt);
    }
}
