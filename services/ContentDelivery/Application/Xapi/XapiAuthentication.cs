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
public sealed record XapiCaller(IReadOnlyCollection<string> Scopes, JsonObject Authority, string AuthorityKey, Guid? UserId, Guid? ClientId,
    Cmi5Launch? Cmi5 = null);

/// <summary>What a cmi5 AU's credential is bound to: its session, registration, actor, AU and launch mode.</summary>
public sealed record Cmi5Launch(Guid SessionId, Guid RegistrationId, string ActorKey, string AuId, string AuActivityId, string Mode, double? MasteryScore,
    bool Initialized = false, bool Completed = false, bool Passed = false, bool Terminated = false);

/// <summary>
/// The LRS's two doors: HTTP Basic with a client's key and secret (an administrator creates them; xAPI's own
/// authentication), and the platform's bearer tokens (a signed-in person, from identity). Anything else is 401.
/// A client is looked up once every 30 s at most: a revoked credential stops working within that time.
/// </summary>
public sealed class XapiAuthentication(ContentDbContext db, IMemoryCache cache, IConfiguration configuration, TimeProvider time)
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
        return new XapiCaller(XapiScopes.Person, authority, AgentKey.Of(authority)!, userId, null);
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

    /// <summary>The platform itself, as the authority of the statements it writes (cmi5's launched, abandoned, satisfied).</summary>
    public XapiCaller Platform => platform ??= new([XapiScopes.All], PlatformAgent, AgentKey.Of(PlatformAgent)!, null, null);

    private XapiCaller? platform;

    private JsonObject PlatformAgent => new()
    {
        ["objectType"] = "Agent", ["name"] = "LmsPlatform", ["account"] = new JsonObject { ["homePage"] = HomePage, ["name"] = "lms" },
    };

    /// <summary>
    /// An AU's credential, from its session's fetch URL: good while the session is open. Its statements' authority is
    /// the platform and the learner together (xAPI's application-and-person Group), and it reads what that authority stored.
    /// </summary>
    private async Task<XapiCaller?> Cmi5Async(string key, string secret, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key[Cmi5Session.KeyPrefix.Length..], "N", out var sessionId)) return null;
        var session = await db.Cmi5Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null || !session.Accepts(secret, time.GetUtcNow())) return null;
        var registration = await db.Cmi5Registrations.AsNoTracking().FirstAsync(r => r.Id == session.RegistrationId, cancellationToken);
        var package = await db.Packages.AsNoTracking().FirstAsync(p => p.Id == registration.PackageId, cancellationToken);
        var learner = PersonAgent(session.UserId, null);
        var learnerKey = AgentKey.Of(learner)!;
        var authority = new JsonObject { ["objectType"] = "Group", ["member"] = new JsonArray(PlatformAgent, learner) };
        return new XapiCaller([XapiScopes.StatementsWrite, XapiScopes.StatementsReadMine, XapiScopes.State, XapiScopes.Profile], authority, learnerKey,
            session.UserId, null, new Cmi5Launch(session.Id, session.RegistrationId, learnerKey, session.AuId, session.AuActivityId, session.Mode,
                package.Activities.FirstOrDefault(a => a.ItemId == session.AuId)?.MasteryScore, session.InitializedAt is not null,
                registration.Au(session.AuId).Completed, registration.Au(session.AuId).Passed, session.TerminatedAt is not null));
    }

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
        if (key.StartsWith(Cmi5Session.KeyPrefix, StringComparison.Ordinal)) return await Cmi5Async(key, secret, cancellationToken);
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
        return new XapiCaller(client.Scopes, authority, AgentKey.Of(authority)!, null, client.Id);
    }
}
