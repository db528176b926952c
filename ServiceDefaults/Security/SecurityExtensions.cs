using LmsPlatform.Contracts.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenIddict.Validation.AspNetCore;

namespace LmsPlatform.ServiceDefaults.Security;

/// <summary>
/// Access-token validation and permission policies, the same in every service and the gateway. Tokens are issued by
/// identity; their issuer is the gateway's public address (<c>Identity:Issuer</c>), whose discovery document and JWKS
/// are fetched and cached. Every permission of <see cref="Permissions"/> is a policy of the same name, and the fallback
/// policy requires an authenticated caller, so an endpoint that forgets its policy is still closed.
/// </summary>
public static class SecurityExtensions
{
    public const string IssuerKey = "Identity:Issuer";

    public static IHostApplicationBuilder AddTokenValidation(this IHostApplicationBuilder builder)
    {
        var issuer = builder.Configuration[IssuerKey]
                     ?? throw new InvalidOperationException($"{IssuerKey} (the gateway's public address) is not configured.");
        builder.Services.AddOpenIddict().AddValidation(options =>
        {
            options.SetIssuer(issuer);
            // Optional: fetch the discovery document from an internal address (e.g. inside a cluster).
            if (builder.Configuration["Identity:MetadataAddress"] is { Length: > 0 } metadata)
                options.Configure(o => o.ConfigurationEndpoint = new Uri(metadata));
            options.AddAudiences(LmsClaims.Audience);
            options.UseSystemNetHttp();
            // Bearer tokens only in the Authorization header: reading a form body here would consume it before the
            // gateway proxies it, and tokens in query strings end up in logs.
            options.UseAspNetCore().DisableAccessTokenExtractionFromBodyForm().DisableAccessTokenExtractionFromQueryString();
        });
        return builder.AddPermissionPolicies();
    }

    /// <summary>The policies alone, for identity, which validates its own tokens without discovery.</summary>
    public static IHostApplicationBuilder AddPermissionPolicies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        var authorization = builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().Build());
        foreach (var permission in Permissions.All)
            authorization.AddPolicy(permission, policy => policy
                .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireClaim(LmsClaims.Permission, permission));
        return builder;
    }
}
