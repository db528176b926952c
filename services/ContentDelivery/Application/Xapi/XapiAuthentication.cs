using System.Text;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model.Xapi;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using OpenIddict.Validation.AspNetCore;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>
/// Who is calling the LRS, and as whom their statements are stored: the scopes they hold, the authority the LRS
/// writes on their statements (and reads "my statements" by), and the person or client behind it.
/// </summary>
public sealed record XapiCaller(IReadOnlyCollection<string> Scopes, JsonObject Authority, string AuthorityKey, Guid? UserId, Guid? ClientId);

/// <summary>
/// The LRS's two doors: HTTP Basic with a client's key and secret (an administrator creates them; xAPI's own
/// authentication), and the platform's bearer tokens (a signed-in person, from identity). Anything else is 401.
/// A client is looked up once every 30 s at most: a revoked credential stops working within that time.
/// </summary>
public sealed class XapiAuthentication(ContentDbContext db, IMemoryCache cache, IConfiguration configuration)
{
    private static readonly TimeSpan ClientCacheTime = TimeSpan.FromSeconds(30);

    /// <summary>The platform's public address: the home page of the accounts the LRS names people and clients by.</summary>
    public string HomePage => (configuration[SecurityExtensions.IssuerKey] ?? "http://localhost").TrimEnd('/');

    public async Task<XapiCaller?> AuthenticateAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return await BasicAsync(header["Basic ".Length..].Trim(), http.RequestAborted);
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var result = await http.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (!result.Succeeded || Caller.UserIdOf(result.Principal) is not { } userId) return null;
        http.User = result.Principal;
        var authority = PersonAgent(userId, Caller.NameOf(result.Principal));
        return new XapiCaller(XapiScopes.Person, authority, AgentKey.Of(System.Text.Json.JsonSerializer.SerializeToElement(authority))!, userId, null);
    }

    /// <summary>A person of the platform as an xAPI Agent: an account on the platform's home page named by their user id.</summary>
    public JsonObject PersonAgent(Guid userId, string? name)
    {
        var agent = new JsonObject { ["objectType"] = "Agent" };
        if (!string.IsNullOrWhiteSpace(name)) agent["name"] = name;
        agent["account"] = new JsonObject { ["homePage"] = HomePage, ["name"] = userId.ToString() };
        return agent;
    }

    /// <summary>The person a statement's actor names, when it is an account on the platform's home page.</summary>
    public Guid? UserIdOf(System.Text.Json.JsonElement actor) =>
        actor.TryGetProperty("account", out var account) && account.GetProperty("homePage").GetString()?.TrimEnd('/') == HomePage
        && Guid.TryParse(account.GetProperty("name").GetString(), out var id) ? id : null;

    private async Task<XapiCaller?> BasicAsync(string encoded, CancellationToken cancellationToken)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return null;
        var key = decoded[..colon];
        var secret = decoded[(colon + 1)..];
        var client = await cache.GetOrCreateAsync($"xapi-client:{key}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = ClientCacheTime;
            return await db.XapiClients.AsNoTracking().FirstOrDefaultAsync(c => c.Key == key, cancellationToken);
        });
        if (client is null || !client.Verify(secret)) return null;
        var authority = new JsonObject
        {
            ["objectType"] = "Agent",
            ["name"] = client.Name,
            ["account"] = new JsonObject { ["homePage"] = HomePage + "/xapi/clients", ["name"] = client.Key },
        };
        return new XapiCaller(client.Scopes, authority, AgentKey.Of(System.Text.Json.JsonSerializer.SerializeToElement(authority))!, null, client.Id);
    }
}
