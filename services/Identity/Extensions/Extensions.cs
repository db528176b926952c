using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Auth;
using LmsPlatform.Identity.Consumers;
using LmsPlatform.Identity.Imports;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<IdentityDbContext>(ResourceNames.IdentityDb);
        builder.AddEventBus<IdentityDbContext>(LmsPlatform.Contracts.ResourceNames.Bus.Identity, bus =>
        {
            bus.AddIdempotentConsumer<FailedMessageHandledConsumer>();
            // A read model rebuilding itself asks for the people, the org tree, the roles, the imports, the sign-ins and the moves again.
            bus.AddIdempotentConsumer<ReplayRequestedConsumer>();
        });
        builder.AddReplays<IdentityDbContext>(typeof(PeopleReplaySource), typeof(OrgUnitReplaySource), typeof(RoleReplaySource), typeof(ImportReplaySource),
            typeof(SignInReplaySource), typeof(PlacementReplaySource));
        builder.Services.AddIdentityChecks();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();

        // Cookies and ASP.NET Core Identity tokens must survive restarts and be shared by replicas.
        builder.Services.AddDataProtection().SetApplicationName("lms-identity").PersistKeysToDbContext<IdentityDbContext>();

        builder.Services.AddIdentityCore<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = builder.Configuration.GetValue("Identity:Password:RequiredLength", 12);
                options.Password.RequiredUniqueChars = 4;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = builder.Configuration.GetValue("Identity:Lockout:MaxFailedAttempts", 5);
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(builder.Configuration.GetValue("Identity:Lockout:Minutes", 15));
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<IdentityDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        // The sign-in session of the login pages (not an API credential: APIs take bearer tokens only).
        builder.Services.AddAuthentication().AddCookie(IdentityConstants.ApplicationScheme, options =>
        {
            options.Cookie.Name = "lms.session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            options.LoginPath = "/account/login";
        });
        builder.Services.AddAntiforgery(options => options.Cookie.Name = "lms.antiforgery");

        var issuer = builder.Configuration[SecurityExtensions.IssuerKey]
                     ?? throw new InvalidOperationException($"{SecurityExtensions.IssuerKey} (the gateway's public address) is not configured.");
        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>().ReplaceDefaultEntities<Guid>())
            .AddServer(options =>
            {
                options.SetIssuer(new Uri(issuer));
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetEndSessionEndpointUris("connect/logout")
                    .SetUserInfoEndpointUris("connect/userinfo")
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetIntrospectionEndpointUris("connect/introspect");
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow();
                options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess,
                    LmsClaims.ApiScope, LmsClaims.ScimScope);
                // Access tokens are signed JWTs (not encrypted) so that every service can validate them with the JWKS.
                options.DisableAccessTokenEncryption();
                options.SetAccessTokenLifetime(TimeSpan.FromMinutes(builder.Configuration.GetValue("Identity:AccessTokenMinutes", 30)));
                options.SetRefreshTokenLifetime(TimeSpan.FromDays(14));
                var aspNetCore = options.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough();
                // Behind the gateway, TLS ends at the ingress; an http issuer is for local runs and tests.
                if (issuer.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) aspNetCore.DisableTransportSecurityRequirement();
            })
            .AddValidation(options =>
            {
                options.UseLocalServer();
                options.AddAudiences(LmsClaims.Audience);
                // Bearer tokens only in the Authorization header: reading a form body here would consume it before the
                // gateway proxies it, and tokens in query strings end up in logs.
                options.UseAspNetCore().DisableAccessTokenExtractionFromBodyForm().DisableAccessTokenExtractionFromQueryString();
            });
        builder.Services.AddSingleton<SigningKeyRing>();
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, ConfigureSigningKeys>();
        builder.Services.AddHostedService<IdentityStartup>();
        builder.Services.AddHostedService<TokenPruning>();
        builder.AddPermissionPolicies();

        builder.Services.AddScoped<TokenPrincipals>();
        builder.Services.AddScoped<PasswordResets>();
        builder.Services.AddScoped<Invitations>();
        builder.Services.AddScoped<LmsPlatform.Identity.Application.UserService>();
        builder.Services.AddScoped<LmsPlatform.Identity.Application.OrgUnitService>();
        builder.Services.Configure<ImportOptions>(builder.Configuration.GetSection("Identity:Imports"));
        builder.Services.AddSingleton<ImportSignal>();
        builder.Services.AddHostedService<ImportWorker>();
    }
}
