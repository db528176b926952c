using System.Net.Http.Headers;
using LmsPlatform.Portal.Components;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Radzen;

namespace LmsPlatform.Portal.Extensions;

/// <summary>
/// The portal: a Blazor web app behind the gateway at <c>/</c>. People sign in with OpenID Connect (authorization code
/// with PKCE, the public client <c>lms-portal</c>) against identity on the same origin; the portal keeps their tokens in
/// its cookie and calls the APIs through the gateway with the access token. It has no database.
/// </summary>
public static class PortalExtensions
{
    public const string GatewayClient = "gateway";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var issuer = builder.Configuration[SecurityExtensions.IssuerKey]
                     ?? throw new InvalidOperationException($"{SecurityExtensions.IssuerKey} (the gateway's public address) is not configured.");
        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "lms.portal";
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            })
            .AddOpenIdConnect(options =>
            {
                options.Authority = issuer;
                options.RequireHttpsMetadata = issuer.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                options.ClientId = "lms-portal";
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.UsePkce = true;
                options.Scope.Clear();
                foreach (var scope in new[] { "openid", "profile", "email", "roles", "offline_access", "lms_api" }) options.Scope.Add(scope);
                options.SaveTokens = true;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = "role";
                options.CallbackPath = "/portal/signin-callback";
                options.SignedOutCallbackPath = "/portal/signout-callback";
                options.SignedOutRedirectUri = "/";
                options.CorrelationCookie.SameSite = options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.CorrelationCookie.SecurePolicy = options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });
        // Sign-ins live on the server (SessionTickets); one replica's memory for now, the shared cache when there are more.
        builder.Services.AddDistributedMemoryCache();
        builder.Services.AddSingleton<SessionTickets>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>, UseSessionTickets>();
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        // The APIs, through the gateway, with the signed-in person's access token.
        builder.Services.AddTransient<AccessTokenHandler>();
        builder.Services.AddHttpClient(GatewayClient, client => client.BaseAddress = new Uri(issuer.TrimEnd('/') + "/"))
            .AddHttpMessageHandler<AccessTokenHandler>();
    }

    public static WebApplication UsePortal(this WebApplication app)
    {
        // Reached only through the gateway, which says who the caller is and which address they used.
        var forwarded = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.All };
        forwarded.KnownIPNetworks.Clear();
        forwarded.KnownProxies.Clear();
        app.UseForwardedHeaders(forwarded);
        // People get pages, never JSON: errors and unknown addresses are pages of the portal.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapPortal(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapGet("/sign-in", (string? returnUrl) => TypedResults.Challenge(new AuthenticationProperties
        {
            RedirectUri = returnUrl is { Length: > 0 } && returnUrl[0] == '/' && !returnUrl.StartsWith("//", StringComparison.Ordinal) ? returnUrl : "/",
        })).AllowAnonymous();
        app.MapPost("/sign-out", () => TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])).RequireAuthorization();
        return app;
    }
}

/// <summary>Adds the signed-in person's access token to a call to the gateway.</summary>
public sealed class AccessTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext is { } http && await http.GetTokenAsync("access_token") is { } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}
