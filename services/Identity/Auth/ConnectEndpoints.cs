using System.Security.Claims;
using LmsPlatform.Identity.Model;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Auth;

/// <summary>
/// The OpenID Connect endpoints OpenIddict passes through to us: authorize (authorization code with PKCE, from the
/// sign-in cookie), token (client credentials, code and refresh exchanges, re-checking that the user may still sign
/// in), end session and userinfo. Discovery, JWKS, revocation and introspection are answered by OpenIddict itself.
/// </summary>
public static class ConnectEndpoints
{
    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        var connect = app.MapGroup("/connect").AllowAnonymous().ExcludeFromDescription();
        connect.MapMethods("/authorize", ["GET", "POST"], (Delegate)Authorize).DisableAntiforgery();
        connect.MapPost("/token", (Delegate)Token).DisableAntiforgery();
        connect.MapMethods("/logout", ["GET", "POST"], (Delegate)Logout).DisableAntiforgery();
        connect.MapMethods("/userinfo", ["GET", "POST"], (Delegate)UserInfo).DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> Authorize(HttpContext http, UserManager<User> users, TokenPrincipals principals, CancellationToken ct)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded && session.Principal.FindFirstValue(Claims.Subject) is { } sub ? await users.FindByIdAsync(sub) : null;

        if (user is null || user.Status != UserStatus.Active || request.HasPromptValue(PromptValues.Login)
            || session.Properties?.GetString("stamp") is { } stamp && stamp != user.SecurityStamp)
        {
            if (request.HasPromptValue(PromptValues.None))
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            // Back to this very request once the user has signed in.
            var returnUrl = http.Request.PathBase + http.Request.Path + (http.Request.HasFormContentType
                ? QueryString.Create(http.Request.Form.Select(f => KeyValuePair.Create(f.Key, (string?)f.Value.ToString())))
                : http.Request.QueryString);
            return Results.Redirect($"{http.Request.PathBase}/account/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
        }

        var principal = await principals.ForUserAsync(user, request.GetScopes(), ct);
        return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> Token(HttpContext http, UserManager<User> users, TokenPrincipals principals, CancellationToken ct)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsClientCredentialsGrantType())
        {
            var principal = await principals.ForClientAsync(request.ClientId!, null, request.GetScopes(), ct);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = result.Principal?.GetClaim(Claims.Subject) is { } sub ? await users.FindByIdAsync(sub) : null;
            if (user is null || user.Status != UserStatus.Active)
                return Forbid(Errors.InvalidGrant, "The user can no longer sign in.");
            // Rebuilt, so that a refresh picks up changed roles and org unit.
            var principal = await principals.ForUserAsync(user, result.Principal!.GetScopes(), ct);
            return Results.SignIn(principal, authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }
        return Forbid(Errors.UnsupportedGrantType, "The grant type is not supported.");
    }

    private static async Task<IResult> Logout(HttpContext http)
    {
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        return Results.SignOut(new AuthenticationProperties { RedirectUri = "/account/signed-out" },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static async Task<IResult> UserInfo(HttpContext http, UserManager<User> users)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        var user = result.Principal?.GetClaim(Claims.Subject) is { } sub ? await users.FindByIdAsync(sub) : null;
        if (user is null || result.Principal is null)
            return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        var claims = new Dictionary<string, object?> { [Claims.Subject] = user.Id.ToString() };
        if (result.Principal!.HasScope(Scopes.Email)) claims[Claims.Email] = user.Email;
        if (result.Principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.DisplayName;
            claims[Claims.GivenName] = user.GivenName;
            claims[Claims.FamilyName] = user.FamilyName;
        }
        if (result.Principal.HasScope(Scopes.Roles)) claims[Claims.Role] = result.Principal.GetClaims(Claims.Role);
        return Results.Ok(claims);
    }

    private static IResult Forbid(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
