using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LmsPlatform.Portal.Extensions;

/// <summary>
/// Keeps each person's sign-in (claims and tokens) on the server, in the shared cache (Redis), and only its key in the
/// cookie. The tokens would make a cookie of about 11 KB, split over several cookies, sent with every request; and
/// identity rolls refresh tokens (a refresh token is spent when used), so one copy of the tokens, shared by page
/// requests, interactive screens and every replica, is what keeps a refresh from signing the person out.
/// </summary>
/// Tickets are encrypted with the portal's data-protection keys (shared by the replicas, in Redis) before they are stored.
public sealed class SessionTickets(IDistributedCache cache, IDataProtectionProvider protection, IConnectionMultiplexer redis) : ITicketStore
{
    /// <summary>The claim that names the person's session, so an interactive screen can find its tokens.</summary>
    public const string SessionClaim = "portal_session";
    public const string Prefix = "portal:session:";
    public const string Purpose = "LmsPlatform.Portal.SessionTickets";
    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Guid.NewGuid().ToString("N");
        if (ticket.Principal.Identity is ClaimsIdentity identity)
        {
            foreach (var old in identity.FindAll(SessionClaim).ToList()) identity.RemoveClaim(old);
            identity.AddClaim(new Claim(SessionClaim, key));
        }
        await RenewAsync(key, ticket);
        // Each person's sessions are listed, so "sign out everywhere" can end them all at once.
        if (ticket.Principal.FindFirst("sub")?.Value is { } subject)
        {
            var database = redis.GetDatabase();
            await database.SetAddAsync(SubjectKey(subject), key);
            await database.KeyExpireAsync(SubjectKey(subject), TimeSpan.FromDays(2));
        }
        return key;
    }

    /// <summary>Ends every portal session of the person, on every device and replica.</summary>
    public async Task RemoveAllAsync(string subject)
    {
        var database = redis.GetDatabase();
        foreach (var key in await database.SetMembersAsync(SubjectKey(subject))) await RemoveAsync(key!);
        await database.KeyDeleteAsync(SubjectKey(subject));
    }

    private static string SubjectKey(string subject) => $"portal:subject:{subject}";

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        cache.SetAsync(Prefix + key, _protector.Protect(TicketSerializer.Default.Serialize(ticket)), new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow.AddHours(8),
        });

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        if (await cache.GetAsync(Prefix + key) is not { } bytes) return null;
        try
        {
            return TicketSerializer.Default.Deserialize(_protector.Unprotect(bytes));
        }
        catch (CryptographicException)
        {
            return null; // keys lost or rotated out: the person signs in again
        }
    }

    public Task RemoveAsync(string key) => cache.RemoveAsync(Prefix + key);
}

public sealed class UseSessionTickets(SessionTickets tickets) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options) => options.SessionStore = tickets;
}
