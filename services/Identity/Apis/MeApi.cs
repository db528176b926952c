using Permissions = LmsPlatform.Contracts.Security.Permissions;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Auth;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Apis;

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
public sealed record ForgotPasswordRequest(string? Email);
public sealed record ResetPasswordRequest(string? Token, string? NewPassword);

/// <summary>The signed-in user's own account, their team, and password reset.</summary>
public static class MeApi
{
    public static IEndpointRouteBuilder MapMeApi(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/identity/me").WithTags("Me");
        me.MapGet("/", Get).WithName("Me").WithSummary("The signed-in user, with roles and permissions");
        me.MapPost("/password", ChangePassword).WithName("ChangePassword").WithSummary("Change the signed-in user's password");
        me.MapPost("/sign-out-everywhere", SignOutEverywhere).WithName("SignOutEverywhere")
            .WithSummary("End every session of the signed-in user: refresh tokens and grants revoked, sign-in cookies ended (access tokens run out within their lifetime)");
        me.MapGet("/team", MyTeam).WithName("MyTeam").WithSummary("The people who report to the signed-in user, directly or through the tree").RequireAuthorization(Permissions.TeamRead);

        var password = app.MapGroup("/api/identity/password").WithTags("Me").AllowAnonymous();
        password.MapPost("/forgot", Forgot).WithName("ForgotPassword").WithSummary("Ask for a reset link by email (always 202)");
        password.MapPost("/reset", Reset).WithName("ResetPassword").WithSummary("Set a new password with a reset token");
        return app;
    }

    public static async Task<Results<Ok<object>, NotFound>> Get(HttpContext http, UserManager<User> users)
    {
        var user = await FindAsync(http, users);
        if (user is null) return TypedResults.NotFound();
        return TypedResults.Ok<object>(new
        {
            user = UserDto.From(user),
            roles = http.User.GetClaims(Claims.Role),
            scopedRoles = http.User.GetClaims(LmsClaims.ScopedRole),
            permissions = http.User.GetClaims(LmsClaims.Permission),
        });
    }

    public static async Task<Results<NoContent, ValidationProblem, NotFound>> ChangePassword(ChangePasswordRequest request, HttpContext http, UserManager<User> users, IdentityDbContext db)
    {
        var user = await FindAsync(http, users);
        if (user is null) return TypedResults.NotFound();
        if (string.IsNullOrEmpty(request.CurrentPassword) || string.IsNullOrEmpty(request.NewPassword))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["newPassword"] = ["current and new password are required"] });
        var result = await users.ChangePasswordAsync(user, request.CurrentPassword, request.NewPassword);
        if (!result.Succeeded)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [result.Errors.Any(e => e.Code == "PasswordMismatch") ? "currentPassword" : "newPassword"] = [.. result.Errors.Select(e => e.Description)],
            });
        db.Audit(Actor.From(http), "user.password_changed", "user", user.Id, null, null);
        await db.SaveChangesAsync();
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<List<UserDto>>, NotFound>> MyTeam(bool? transitive, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        if (!Guid.TryParse(http.User.GetClaim(Claims.Subject), out var me)) return TypedResults.NotFound();
        return TypedResults.Ok((await Team.ReportsAsync(db, me, transitive ?? true, ct)).Select(UserDto.From).ToList());
    }

    public static async Task<Accepted> Forgot(ForgotPasswordRequest request, HttpContext http, PasswordResets resets, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(request.Email)) await resets.RequestAsync(request.Email, Actor.From(http), ct);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ValidationProblem>> Reset(ResetPasswordRequest request, HttpContext http, PasswordResets resets, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.Token) || string.IsNullOrEmpty(request.NewPassword))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["token and newPassword are required"] });
        var result = await resets.RedeemAsync(request.Token, request.NewPassword, Actor.From(http), ct);
        return result.Succeeded
            ? TypedResults.NoContent()
            : TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                [result.Errors.Any(e => e.Code == "InvalidToken") ? "token" : "newPassword"] = [.. result.Errors.Select(e => e.Description)],
            });
    }

    /// <summary>
    /// Signs the person out on every device: each grant and token issued to them is revoked (no refresh works any more)
    /// and the security stamp changes (identity's own sign-in cookies stop being accepted). Access tokens already issued
    /// stay valid until they expire, as the services check them locally (see Identity:AccessTokenMinutes).
    /// </summary>
    public static async Task<Results<NoContent, NotFound>> SignOutEverywhere(HttpContext http, UserManager<User> users, IdentityDbContext db,
        IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, CancellationToken ct)
    {
        var user = await FindAsync(http, users);
        if (user is null) return TypedResults.NotFound();
        var subject = user.Id.ToString();
        var revoked = 0;
        await foreach (var authorization in authorizations.FindBySubjectAsync(subject, ct))
            if (await authorizations.TryRevokeAsync(authorization, ct)) revoked++;
        await foreach (var token in tokens.FindBySubjectAsync(subject, ct))
            if (await tokens.TryRevokeAsync(token, ct)) revoked++;
        await users.UpdateSecurityStampAsync(user);
        db.Audit(Actor.From(http), "user.signed_out_everywhere", "user", user.Id, null, new { revoked });
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<User?> FindAsync(HttpContext http, UserManager<User> users) =>
        http.User.GetClaim(Claims.Subject) is { } sub && Guid.TryParse(sub, out _) ? await users.FindByIdAsync(sub) : null;
}
