using System.Security.Cryptography;
using System.Text;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Auth;

/// <summary>
/// Password reset by a single-use token that expires. Only the token's SHA-256 hash is stored; the token itself goes
/// out once, inside <see cref="PasswordResetRequested"/> for the notification service, and is never logged.
/// </summary>
public sealed class PasswordResets(IdentityDbContext db, UserManager<User> users, IConfiguration configuration, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>Always succeeds from the caller's point of view, so the answer does not reveal whether an account exists.</summary>
    public async Task RequestAsync(string email, Actor actor, CancellationToken ct)
    {
        var normalized = User.Normalize(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, ct);
        if (user is null || user.Status != UserStatus.Active) return;

        var token = NewToken();
        var now = time.GetUtcNow();
        db.PasswordResetTickets.Add(new PasswordResetTicket
        {
            Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = Hash(token), CreatedAt = now, ExpiresAt = now + Lifetime,
        });
        var issuer = configuration[SecurityExtensions.IssuerKey]!.TrimEnd('/');
        db.AddIntegrationEvent(new PasswordResetRequested(user.Id, user.Email!, user.GivenName,
            $"{issuer}/account/reset-password?token={token}", now + Lifetime));
        db.Audit(actor, "user.password_reset_requested", "user", user.Id, null, null, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Whose account a usable invitation link is for (its email), without spending it; null when the link is invalid, used or expired.</summary>
    public async Task<string?> InvitedEmailAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var hash = Hash(token);
        var now = time.GetUtcNow();
        return await (from t in db.PasswordResetTickets
                      join u in db.Users on t.UserId equals u.Id
                      where t.TokenHash == hash && t.Purpose == PasswordResetTicket.Invitation && t.UsedAt == null && t.ExpiresAt > now && u.Status == UserStatus.Active
                      select u.Email).FirstOrDefaultAsync(ct);
    }

    /// <summary>Sets the new password if the token is known, unused and unexpired; the token is spent either way it is used.</summary>
    public async Task<IdentityResult> RedeemAsync(string token, string newPassword, Actor actor, CancellationToken ct)
    {
        var hash = Hash(token);
        var now = time.GetUtcNow();
        var ticket = await db.PasswordResetTickets.FirstOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (ticket is null || ticket.UsedAt is not null || ticket.ExpiresAt <= now)
            return IdentityResult.Failed(new IdentityError { Code = "InvalidToken", Description = "The reset link is invalid, used or expired." });
        var user = await users.FindByIdAsync(ticket.UserId.ToString());
        if (user is null || user.Status != UserStatus.Active || ticket.Purpose == PasswordResetTicket.Invitation && user.InvitedAt is null)
            return IdentityResult.Failed(new IdentityError { Code = "InvalidToken", Description = "The reset link is invalid, used or expired." });

        foreach (var validator in users.PasswordValidators)
            if (await validator.ValidateAsync(users, user, newPassword) is { Succeeded: false } invalid) return invalid;

        var identityToken = await users.GeneratePasswordResetTokenAsync(user);
        var result = await users.ResetPasswordAsync(user, identityToken, newPassword); // also renews the security stamp
        if (!result.Succeeded) return result;
        ticket.UsedAt = now;
        // The link reached them: the address is theirs.
        if (ticket.Purpose == PasswordResetTicket.Invitation) user.EmailConfirmed = true;
        await users.ResetAccessFailedCountAsync(user);
        await users.SetLockoutEndDateAsync(user, null);
        db.Audit(actor with { Id = user.Id.ToString(), Name = user.Email! },
            ticket.Purpose == PasswordResetTicket.Invitation ? "user.invitation_accepted" : "user.password_reset", "user", user.Id, null, null, now);
        await db.SaveChangesAsync(ct);
        return result;
    }

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
