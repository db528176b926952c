using System.Security.Claims;
using System.Text.Encodings.Web;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Auth;

/// <summary>
/// The plain, accessible sign-in pages identity serves (through the gateway): sign in, signed out, forgot password and
/// reset password. Server-rendered HTML with labelled fields, no script, antiforgery tokens, and errors announced with
/// role="alert". A failed sign-in never says whether the account exists.
/// </summary>
public static class AccountPages
{
    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/login", LoginForm);
        account.MapPost("/login", Login);
        account.MapGet("/signed-in", (HttpContext http) => Page(http, "Signed in", "<p role=\"status\">You are signed in. You can close this page.</p>"));
        account.MapGet("/signed-out", (HttpContext http) => Page(http, "Signed out", "<p>You have signed out.</p>"));
        account.MapGet("/forgot-password", ForgotForm);
        account.MapPost("/forgot-password", Forgot);
        account.MapGet("/reset-password", ResetForm);
        account.MapPost("/reset-password", Reset);
        // An invitation's link: the same single-use ticket as a reset, worded for someone setting their first password.
        account.MapGet("/set-password", async (HttpContext http, IAntiforgery antiforgery, string? token, PasswordResets resets, CancellationToken ct) =>
            await resets.InvitedEmailAsync(token, ct) is { } email
                ? ResetPage(http, antiforgery, token, error: null, invitation: true, account: email)
                // Said before anyone types a password: the link cannot be used.
                : Page(http, "This link cannot be used", "<p role=\"alert\">The invitation link is invalid, used or expired. Ask your administrator to send a new one, or <a href=\"/account/login\">sign in</a> if you have set your password already.</p>", 400));
        account.MapPost("/set-password", (HttpContext http, IAntiforgery antiforgery, [FromForm] string? token, [FromForm] string? password, PasswordResets resets, CancellationToken ct) =>
            Reset(http, antiforgery, token, password, resets, ct, invitation: true));
        return app;
    }

    private static IResult LoginForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        LoginPage(http, antiforgery, returnUrl, email: null, error: null);

    private static async Task<IResult> Login(HttpContext http, IAntiforgery antiforgery, [FromForm] string? email, [FromForm] string? password,
        [FromForm] string? returnUrl, UserManager<User> users, SignInManager<User> signIn, IdentityDbContext db, TimeProvider time)
    {
        const string invalid = "The email or password is incorrect.";
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
            return LoginPage(http, antiforgery, returnUrl, email, "Enter your email and password.");
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null || user.Status != UserStatus.Active)
            return LoginPage(http, antiforgery, returnUrl, email, invalid);

        var result = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            db.Audit(Actor.From(http) with { Name = user.Email! }, "user.locked_out", "user", user.Id, null, null);
            await db.SaveChangesAsync();
            return LoginPage(http, antiforgery, returnUrl, email, "Too many failed attempts. The account is locked for a while; try again later or reset your password.");
        }
        if (!result.Succeeded) return LoginPage(http, antiforgery, returnUrl, email, invalid);

        user.SignedIn("password", time.GetUtcNow());
        await users.UpdateAsync(user);
        var identity = new ClaimsIdentity(IdentityConstants.ApplicationScheme, Claims.Name, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, user.Id.ToString()));
        identity.AddClaim(new Claim(Claims.Name, user.DisplayName));
        var properties = new AuthenticationProperties();
        properties.SetString("stamp", user.SecurityStamp); // a password change ends the session
        await http.SignInAsync(IdentityConstants.ApplicationScheme, new ClaimsPrincipal(identity), properties);
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl! : "/account/signed-in");
    }

    private static IResult ForgotForm(HttpContext http, IAntiforgery antiforgery) => Page(http, "Forgot password", $"""
        <form method="post" action="/account/forgot-password">
          {Token(http, antiforgery)}
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required>
          <button type="submit">Send reset link</button>
        </form>
        """);

    private static async Task<IResult> Forgot(HttpContext http, [FromForm] string? email, PasswordResets resets, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(email)) await resets.RequestAsync(email, Actor.From(http), ct);
        return Page(http, "Check your email", "<p role=\"status\">If an account exists for that address, a reset link is on its way. It works once, within an hour.</p>");
    }

    private static IResult ResetForm(HttpContext http, IAntiforgery antiforgery, string? token) =>
        ResetPage(http, antiforgery, token, error: null);

    private static async Task<IResult> Reset(HttpContext http, IAntiforgery antiforgery, [FromForm] string? token, [FromForm] string? password,
        PasswordResets resets, CancellationToken ct, bool invitation = false)
    {
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(password)) return ResetPage(http, antiforgery, token, "Enter a new password.", invitation);
        var result = await resets.RedeemAsync(token, password, Actor.From(http), ct);
        return result.Succeeded
            ? Page(http, invitation ? "Password set" : "Password changed",
                $"<p role=\"status\">Your password has been {(invitation ? "set" : "changed")}. <a href=\"/account/login\">Sign in</a>.</p>")
            : ResetPage(http, antiforgery, token, string.Join(" ", result.Errors.Select(e => e.Description)), invitation);
    }

    private static IResult LoginPage(HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? email, string? error) => Page(http, "Sign in", $"""
        {Error(error)}
        <form method="post" action="/account/login">
          {Token(http, antiforgery)}
          <input type="hidden" name="returnUrl" value="{Encode(IsLocal(returnUrl) ? returnUrl : null)}">
          <label for="email">Email</label>
          <input id="email" name="email" type="email" autocomplete="username" required value="{Encode(email)}"{Described(error)}>
          <label for="password">Password</label>
          <input id="password" name="password" type="password" autocomplete="current-password" required{Described(error)}>
          <button type="submit">Sign in</button>
        </form>
        <p><a href="/account/forgot-password">Forgot your password?</a></p>
        """, error is null ? 200 : 400);

    private static IResult ResetPage(HttpContext http, IAntiforgery antiforgery, string? token, string? error, bool invitation = false, string? account = null) =>
        Page(http, invitation ? "Welcome: choose your password" : "Choose a new password", $"""
        {Error(error)}
        {(account is null ? "" : $"<p>You will sign in as <strong>{Encode(account)}</strong>.</p>")}
        <form method="post" action="/account/{(invitation ? "set-password" : "reset-password")}">
          {Token(http, antiforgery)}
          <input type="hidden" name="token" value="{Encode(token)}">
          <label for="password">New password (at least 12 characters)</label>
          <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12"{Described(error)}>
          <button type="submit">{(invitation ? "Set password" : "Change password")}</button>
        </form>
        """, error is null ? 200 : 400);

    private static string Error(string? error) => error is null ? "" : $"<p id=\"error\" role=\"alert\">{Encode(error)}</p>";

    private static string Described(string? error) => error is null ? "" : " aria-describedby=\"error\" aria-invalid=\"true\"";

    private static string Token(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken)}\">";
    }

    private static IResult Page(HttpContext http, string title, string body, int status = 200)
    {
        http.Response.Headers["X-Frame-Options"] = "DENY";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content($$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{Encode(title)}} · LMS</title>
              <style>
                body { font: 1.1rem/1.5 system-ui, sans-serif; max-width: 26rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
                label { display: block; margin-top: 1rem; font-weight: 600; }
                input { display: block; width: 100%; padding: .5rem; font: inherit; border: 1px solid #555; border-radius: 4px; box-sizing: border-box; }
                input:focus, button:focus, a:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
                button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; }
                [role=alert] { color: #991b1b; border-left: 4px solid #991b1b; padding-left: .75rem; }
              </style>
            </head>
            <body>
              <main>
                <h1>{{Encode(title)}}</h1>
                {{body}}
              </main>
            </body>
            </html>
            """, "text/html; charset=utf-8", statusCode: status);
    }

    private static string Encode(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>Only paths on this site: never "//host" or "/\host", which browsers treat as another site.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || url[1] != '/' && url[1] != '\\');
}
