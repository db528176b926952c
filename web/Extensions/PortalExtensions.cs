using System.Security.Claims;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Portal.Components;
using LmsPlatform.Portal.Security;
using LmsPlatform.Portal.Services;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Radzen;
using StackExchange.Redis;

namespace LmsPlatform.Portal.Extensions;

/// <summary>
/// The portal: a Blazor web app behind the gateway at <c>/</c>. People sign in with OpenID Connect (authorization code
/// with PKCE, the public client <c>lms-portal</c>) against identity on the same origin; the portal keeps their tokens in
/// the session store (<see cref="SessionTickets"/>) and calls the APIs through the gateway with the access token
/// (<see cref="GatewayApi"/>). It has no database.
/// </summary>
public static class PortalExtensions
{
    public const string GatewayClient = "gateway";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var issuer = builder.Configuration[SecurityExtensions.IssuerKey]
                     ?? throw new InvalidOperationException($"{SecurityExtensions.IssuerKey} (the gateway's public address) is not configured.");
        // Sign-ins and the keys that protect the cookies live in Redis: every replica serves every person, and a
        // restart of the portal signs nobody out.
        builder.AddRedisCache(ResourceNames.Redis);
        builder.Services.AddStackExchangeRedisCache(_ => { });
        builder.Services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, services) =>
            options.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));
        builder.Services.AddDataProtection().SetApplicationName("lms-portal");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, services) =>
            options.XmlRepository = new RedisXmlRepository(() => services.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), "portal:data-protection-keys"));

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
                // A working day; not sliding, because a sliding renewal writes back the ticket read at the start of
                // the request and would undo a token refresh made during it.
                options.ExpireTimeSpan = TimeSpan.FromHours(10);
                options.SlidingExpiration = false;
                options.AccessDeniedPath = "/forbidden";
                // A page the person may not open: the 403 page names the permissions its endpoint asks for that they lack.
                options.Events.OnRedirectToAccessDenied = context =>
                {
                    var missing = (context.HttpContext.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>() ?? [])
                        .Select(a => a.Policy).OfType<string>().Where(p => !context.HttpContext.User.Can(p)).Distinct();
                    var target = QueryHelpers.AddQueryString("/forbidden", missing.Select(p => new KeyValuePair<string, string?>("missing", p)));
                    context.Response.Redirect(context.Request.PathBase + target);
                    return Task.CompletedTask;
                };
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
                // The id token says who the person is; what they may do comes from identity, once, at sign-in.
                options.Events.OnTokenValidated = async context =>
                {
                    if (context.TokenEndpointResponse?.AccessToken is { } token && context.Principal?.Identity is ClaimsIdentity identity)
                        await PortalSession.LoadPermissionsAsync(
                            context.HttpContext.RequestServices.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayClient),
                            token, identity, context.HttpContext.RequestAborted);
                };
            });
        builder.Services.AddSingleton<SessionTickets>();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IPostConfigureOptions<CookieAuthenticationOptions>, UseSessionTickets>();
        builder.Services.AddSingleton<IAuthorizationPolicyProvider, PermissionPolicies>();
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddRadzenComponents();
        // The APIs, through the gateway, as the signed-in person. A change is never sent twice: only reads are retried.
        builder.Services.AddScoped<PortalSession>();
        builder.Services.AddScoped<GatewayApi>();
        builder.Services.AddScoped<InboxCount>();
        builder.Services.AddScoped<OrgUnitNames>();
        builder.Services.AddScoped<AudienceNames>();
#pragma warning disable EXTEXP0001 // replacing the defaults' handler is the documented way to change it for one client
        builder.Services.AddHttpClient(GatewayClient, client => client.BaseAddress = new Uri(issuer.TrimEnd('/') + "/"))
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
#pragma warning restore EXTEXP0001
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
        // Files the APIs stream, passed on with the person's token (a browser's link cannot carry it).
        app.MapGet("/admin/audit/export", (HttpContext http, GatewayApi api) =>
            api.DownloadAsync("api/identity/audit/export" + http.Request.QueryString, http.RequestAborted)).RequireAuthorization(Permissions.AuditRead);
        // The reports' CSV exports: the page's filters pass through as they are; the API applies the person's scope.
        app.MapGet("/reports/{report:regex(^(completion|compliance|overdue|usage|provisioning)$)}/export", (string report, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/analytics/reports/{report}/export" + http.Request.QueryString, http.RequestAborted)).RequireAuthorization(Permissions.ReportsRead);
        app.MapGet("/reports/certifications/expiring/export", (HttpContext http, GatewayApi api) =>
            api.DownloadAsync("api/analytics/reports/certifications/expiring/export" + http.Request.QueryString, http.RequestAborted)).RequireAuthorization(Permissions.ReportsRead);
        app.MapGet("/reports/compliance/audit-pack", (HttpContext http, GatewayApi api) =>
            api.DownloadAsync("api/analytics/reports/compliance/audit-pack" + http.Request.QueryString, http.RequestAborted)).RequireAuthorization(Permissions.ReportsRead);
        app.MapGet("/reports/exports/{id:guid}/file", (Guid id, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/analytics/exports/{id}/file", http.RequestAborted)).RequireAuthorization(Permissions.ReportsRead);
        app.MapGet("/reports/transcript/{userId:guid}/export", (Guid userId, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/analytics/reports/transcript/{userId}/export" + http.Request.QueryString, http.RequestAborted)).RequireAuthorization(Permissions.ReportsRead);
        app.MapGet("/admin/imports/{id:guid}/errors", (Guid id, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/identity/imports/{id}/errors", http.RequestAborted)).RequireAuthorization(Permissions.ImportsRun);
        // A certificate's PDF and Open Badges credential: the API decides who may have them (the holder, or a reader of enrolments).
        app.MapGet("/manage/enrolment-imports/{id:guid}/errors", (Guid id, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/enrolment/imports/{id}/errors?format=csv", http.RequestAborted)).RequireAuthorization(Permissions.EnrolmentsManage);
        app.MapGet("/certificates/{id:guid}/pdf", (Guid id, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/enrolment/certificates/{id}/pdf", http.RequestAborted)).RequireAuthorization();
        app.MapGet("/certificates/{id:guid}/credential", (Guid id, HttpContext http, GatewayApi api) =>
            api.DownloadAsync($"api/enrolment/certificates/{id}/credential", http.RequestAborted)).RequireAuthorization();
        app.MapPost("/sign-out", () => TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme])).RequireAuthorization();
        // Every device: identity revokes the person's grants and tokens, and every portal session of theirs is removed.
        app.MapPost("/sign-out-everywhere", async (HttpContext http, GatewayApi api, SessionTickets tickets) =>
        {
            var revoked = await api.PostAsync<Unit>("api/identity/me/sign-out-everywhere", null, http.RequestAborted);
            if (!revoked.Ok) return Results.Redirect("/profile?signOutFailed=true");
            if (http.User.FindFirst("sub")?.Value is { } subject) await tickets.RemoveAllAsync(subject);
            return TypedResults.SignOut(new AuthenticationProperties { RedirectUri = "/" },
                [CookieAuthenticationDefaults.AuthenticationScheme, OpenIdConnectDefaults.AuthenticationScheme]);
        }).RequireAuthorization();
        return app;
    }
}
