using Permissions = OpenIddict.Abstractions.OpenIddictConstants.Permissions;
using System.Security.Cryptography;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Infrastructure;

/// <summary>
/// Runs once per start, after migrations and before the service takes traffic: loads (or creates) the signing keys,
/// registers the portal's OpenID Connect client and makes sure there is a first administrator.
/// </summary>
public sealed class IdentityStartup(IServiceProvider services, SigningKeyRing keys, IConfiguration configuration, ILogger<IdentityStartup> logger) : IHostedService
{
    public const string PortalClientId = "lms-portal";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        await keys.LoadAsync(db, cancellationToken);
        await EnsurePortalClientAsync(scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>(), cancellationToken);
        await EnsureAdministratorAsync(db, scope.ServiceProvider.GetRequiredService<UserManager<User>>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsurePortalClientAsync(IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var issuer = configuration[SecurityExtensions.IssuerKey]!.TrimEnd('/');
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = PortalClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "LMS portal",
            ConsentType = ConsentTypes.Implicit, // first-party: no consent screen
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Scopes.Roles,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess, Permissions.Prefixes.Scope + LmsClaims.ApiScope,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        var redirects = (configuration["Identity:Portal:RedirectUris"] ?? $"{issuer}/portal/signin-callback")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var uri in redirects) descriptor.RedirectUris.Add(new Uri(uri));
        descriptor.PostLogoutRedirectUris.Add(new Uri($"{issuer}/portal/"));
        descriptor.PostLogoutRedirectUris.Add(new Uri($"{issuer}/portal/signout-callback"));

        if (await applications.FindByClientIdAsync(PortalClientId, ct) is { } existing)
            await applications.UpdateAsync(existing, descriptor, ct);
        else
            await applications.CreateAsync(descriptor, ct);
    }

    private async Task EnsureAdministratorAsync(IdentityDbContext db, UserManager<User> users, CancellationToken ct)
    {
        if (await db.RoleAssignments.AnyAsync(r => r.Role == Roles.Administrator && r.ScopeOrgUnitId == null, ct)) return;

        var email = configuration["Identity:BootstrapAdmin:Email"] is { Length: > 0 } configured ? configured : "admin@lms.local";
        var password = configuration["Identity:BootstrapAdmin:Password"];
        var generated = string.IsNullOrEmpty(password);
        if (generated) password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

        var now = DateTimeOffset.UtcNow;
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            // Saved by the user manager's own SaveChanges, with the UserCreated event and audit entry Register records.
            user = User.Register(new UserInput(email, "First", "Administrator"), Actor.System, now);
            var created = await users.CreateAsync(user, password!);
            if (!created.Succeeded)
                throw new InvalidOperationException("The first administrator could not be created: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        db.RoleAssignments.Add(RoleAssignment.Grant(user.Id, Roles.Administrator, null, Actor.System, now));
        await db.SaveChangesAsync(ct);

        if (generated)
            // Printed once, on the start that created the account; set Identity:BootstrapAdmin:Password to choose it.
            Console.WriteLine($"First administrator created: {email} / {password} (change this password after signing in)");
        else
            logger.LogInformation("First administrator {Email} created from configuration", email);
    }
}
