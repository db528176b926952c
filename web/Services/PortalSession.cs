using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using LmsPlatform.Portal.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Portal.Services;

/// <summary>
/// The signed-in person's tokens, for the page or interactive screen being served. They live in the session store
/// (<see cref="SessionTickets"/>), so a page request and a long-lived interactive screen read the same copy; an access
/// token about to expire is refreshed here, once per session at a time, and the new tokens go back to the store. A
/// refresh that fails ends the session: the next page asks the person to sign in again.
/// </summary>
public sealed class PortalSession(
    AuthenticationStateProvider authentication, IHttpContextAccessor http, SessionTickets tickets, IOptionsMonitor<OpenIdConnectOptions> oidc,
    IHttpClientFactory clients, TimeProvider clock, ILogger<PortalSession> logger)
{
    /// <summary>Refresh this long before the access token expires, so a call never leaves with a token about to die.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Refreshing = new();

    /// <summary>
    /// The person: from the request when there is one (pages, and the portal's own endpoints, where no authentication
    /// state is set), else from the interactive screen's authentication state.
    /// </summary>
    public async Task<ClaimsPrincipal> UserAsync() =>
        http.HttpContext?.User is { Identity.IsAuthenticated: true } user ? user : (await authentication.GetAuthenticationStateAsync()).User;

    /// <summary>A valid access token for the signed-in person, or null when nobody is signed in or the session ended.</summary>
    public async Task<string?> AccessTokenAsync(CancellationToken ct = default)
    {
        if ((await UserAsync()).FindFirst(SessionTickets.SessionClaim)?.Value is not { } key) return null;
        var ticket = await tickets.RetrieveAsync(key);
        if (ticket is null) return null;
        if (!NeedsRefresh(ticket)) return ticket.Properties.GetTokenValue("access_token");

        var gate = Refreshing.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            // Another page of the same person may have refreshed while this one waited.
            ticket = await tickets.RetrieveAsync(key);
            if (ticket is null) return null;
            if (!NeedsRefresh(ticket)) return ticket.Properties.GetTokenValue("access_token");
            if (await RefreshAsync(ticket, ct) is not { } access)
            {
                await tickets.RemoveAsync(key);
                return null;
            }
            await tickets.RenewAsync(key, ticket);
            return access;
        }
        finally
        {
            gate.Release();
            if (gate.CurrentCount == 1) Refreshing.TryRemove(new KeyValuePair<string, SemaphoreSlim>(key, gate));
        }
    }

    private bool NeedsRefresh(AuthenticationTicket ticket) =>
        !DateTimeOffset.TryParse(ticket.Properties.GetTokenValue("expires_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expires)
        || expires - Margin <= clock.GetUtcNow();

    private async Task<string?> RefreshAsync(AuthenticationTicket ticket, CancellationToken ct)
    {
        if (ticket.Properties.GetTokenValue("refresh_token") is not { } refresh) return null;
        var options = oidc.Get(OpenIdConnectDefaults.AuthenticationScheme);
        var configuration = await options.ConfigurationManager!.GetConfigurationAsync(ct);
        using var response = await options.Backchannel.PostAsync(configuration.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refresh,
            ["client_id"] = options.ClientId!,
        }), ct);
        if (!response.IsSuccessStatusCode)
        {
            logger.LogInformation("A portal session ended: its refresh was refused ({Status})", (int)response.StatusCode);
            return null;
        }
        using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
        var root = json.RootElement;
        var access = root.GetProperty("access_token").GetString()!;
        var expiresIn = root.TryGetProperty("expires_in", out var e) ? e.GetInt32() : 300;
        var tokens = new List<AuthenticationToken>
        {
            new() { Name = "access_token", Value = access },
            new() { Name = "refresh_token", Value = root.TryGetProperty("refresh_token", out var r) ? r.GetString()! : refresh },
            new() { Name = "token_type", Value = "Bearer" },
            new() { Name = "expires_at", Value = clock.GetUtcNow().AddSeconds(expiresIn).ToString("o", CultureInfo.InvariantCulture) },
        };
        tokens.Add(new AuthenticationToken
        {
            Name = "id_token",
            Value = root.TryGetProperty("id_token", out var id) ? id.GetString()! : ticket.Properties.GetTokenValue("id_token") ?? "",
        });
        ticket.Properties.StoreTokens(tokens);
        // Roles may have changed since sign-in: the menu follows the permissions of the new token.
        if (ticket.Principal.Identity is ClaimsIdentity identity)
            await LoadPermissionsAsync(clients.CreateClient(PortalExtensions.GatewayClient), access, identity, ct);
        return access;
    }

    /// <summary>
    /// Puts the person's permissions (which the id token does not carry) on their sign-in, from <c>/api/identity/me</c>,
    /// so the menu and the pages' checks know what the person may do.
    /// </summary>
    public static async Task LoadPermissionsAsync(HttpClient gateway, string accessToken, ClaimsIdentity identity, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/identity/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await gateway.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        var me = await response.Content.ReadFromJsonAsync<MeResponse>(ct);
        foreach (var claim in identity.FindAll(PortalClaims.Permission).ToList()) identity.RemoveClaim(claim);
        foreach (var claim in identity.FindAll(PortalClaims.ScopedRole).ToList()) identity.RemoveClaim(claim);
        foreach (var permission in me?.Permissions ?? []) identity.AddClaim(new Claim(PortalClaims.Permission, permission));
        foreach (var scoped in me?.ScopedRoles ?? []) identity.AddClaim(new Claim(PortalClaims.ScopedRole, scoped));
    }

    private sealed record MeResponse(string[]? Permissions, string[]? ScopedRoles);
}

public static class PortalClaims
{
    public const string Permission = "permission";
    public const string ScopedRole = "scoped_role";

    public static bool Can(this ClaimsPrincipal user, string permission) => user.HasClaim(Permission, permission);
}
