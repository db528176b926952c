using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Portal.Extensions;

/// <summary>
/// Keeps each person's sign-in (claims and tokens) on the server, in the distributed cache, and only its key in the
/// cookie. The tokens would make a cookie of about 11 KB, split over several cookies, sent with every request; and
/// identity rolls refresh tokens (a refresh token is spent when used), so one copy of the tokens, shared by page
/// requests and interactive screens, is what keeps a refresh from signing the person out.
/// </summary>
public sealed class SessionTickets(IDistributedCache cache) : ITicketStore
{
    private const string Prefix = "portal:session:";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Guid.NewGuid().ToString("N");
        await RenewAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        cache.SetAsync(Prefix + key, TicketSerializer.Default.Serialize(ticket), new DistributedCacheEntryOptions
        {
            AbsoluteExpiration = ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow.AddHours(8),
        });

    public async Task<AuthenticationTicket?> RetrieveAsync(string key) =>
        await cache.GetAsync(Prefix + key) is { } bytes ? TicketSerializer.Default.Deserialize(bytes) : null;

    public Task RemoveAsync(string key) => cache.RemoveAsync(Prefix + key);
}

public sealed class UseSessionTickets(SessionTickets tickets) : IPostConfigureOptions<CookieAuthenticationOptions>
{
    public void PostConfigure(string? name, CookieAuthenticationOptions options) => options.SessionStore = tickets;
}
