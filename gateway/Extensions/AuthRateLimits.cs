using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace LmsPlatform.Gateway.Extensions;

/// <summary>
/// Limits on the endpoints where someone guesses passwords or floods mailboxes: sign-in, the token endpoint, forgot
/// and reset password, setting a password from an invitation, and sending invitations. Each caller address has a
/// budget (generous: a company's offices sign in through few addresses), and so has each account (the email, the
/// client id, the reset token), whichever address it comes from. Beyond either: 429 with Retry-After. The budgets are
/// per gateway replica (ADR 0009).
/// </summary>
public sealed class AuthRateLimitOptions
{
    public int PerAddressPermits { get; set; } = 300;
    public TimeSpan PerAddressWindow { get; set; } = TimeSpan.FromMinutes(1);
    public int PerAccountPermits { get; set; } = 10;
    public TimeSpan PerAccountWindow { get; set; } = TimeSpan.FromMinutes(5);
}

public static class AuthRateLimits
{
    private const string AccountKey = "lms.rate-limit.account";

    /// <summary>The limited POST endpoints, and the form or JSON field that names the account each is about.</summary>
    private static readonly (string Path, string? AccountField)[] Limited =
    [
        ("/account/login", "email"),
        ("/account/forgot-password", "email"),
        ("/account/reset-password", "token"),
        ("/account/set-password", "token"),
        ("/connect/token", "client_id"),
        ("/api/identity/password/forgot", "email"),
        ("/api/identity/password/reset", "token"),
        ("/api/identity/invitations", null),
    ];

    public static void AddAuthRateLimits(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Gateway:RateLimits").Get<AuthRateLimitOptions>() ?? new AuthRateLimitOptions();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = Limiter(options);
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : options.PerAccountWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                // A person at the sign-in page gets a page, not JSON; programs get ProblemDetails.
                if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
                {
                    var minutes = (seconds + 59) / 60;
                    http.Response.ContentType = "text/html; charset=utf-8";
                    await http.Response.WriteAsync($"""
                        <!DOCTYPE html>
                        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                        <title>Too many attempts</title></head>
                        <body style="font: 1rem/1.5 system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">
                        <main><h1>Too many attempts</h1>
                        <p>There have been too many sign-in attempts from here or for this account. Wait {minutes} minute{(minutes == 1 ? "" : "s")}, then <a href="/">try again</a>.</p>
                        <p>If you did not make these attempts, tell your administrator.</p></main>
                        </body></html>
                        """, ct);
                    return;
                }
                await http.Response.WriteAsJsonAsync(new ProblemDetails
                {
                    Status = StatusCodes.Status429TooManyRequests,
                    Title = "Too many attempts",
                    Detail = $"Too many attempts from here or for this account; try again in {seconds} seconds.",
                }, (JsonSerializerOptions?)null, "application/problem+json", ct);
            };
        });
    }

    /// <summary>The two budgets, chained: a request is let through only when both its address and its account have one left.</summary>
    public static PartitionedRateLimiter<HttpContext> Limiter(AuthRateLimitOptions options) => PartitionedRateLimiter.CreateChained(
        // A limited request is one whose account NameAccountAsync looked for (found or not).
        PartitionedRateLimiter.Create<HttpContext, string>(http => !http.Items.ContainsKey(AccountKey)
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter("address:" + http.Connection.RemoteIpAddress, _ => Window(options.PerAddressPermits, options.PerAddressWindow))),
        PartitionedRateLimiter.Create<HttpContext, string>(http => http.Items[AccountKey] is not string account
            ? RateLimitPartition.GetNoLimiter("")
            : RateLimitPartition.GetFixedWindowLimiter("account:" + account, _ => Window(options.PerAccountPermits, options.PerAccountWindow))));

    private static FixedWindowRateLimiterOptions Window(int permits, TimeSpan window) =>
        new() { PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true };

    /// <summary>Names the account of a limited request (read from its small form or JSON body, which stays readable for the proxy), then applies the limits.</summary>
    public static void UseAuthRateLimits(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            await NameAccountAsync(http);
            await next(http);
        });
        app.UseRateLimiter();
    }

    public static async Task NameAccountAsync(HttpContext http)
    {
        if (IsLimited(http) is { } limited) http.Items[AccountKey] = limited.Account ?? await AccountOfAsync(http, limited.AccountField);
    }

    /// <summary>Whether the request is limited; if so, the field naming its account, or the account itself when the path names it.</summary>
    private static (string? AccountField, string? Account)? IsLimited(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method)) return null;
        var path = http.Request.Path.Value ?? "";
        foreach (var limited in Limited)
            if (string.Equals(path.TrimEnd('/'), limited.Path, StringComparison.OrdinalIgnoreCase)) return (limited.AccountField, null);
        // An invitation sent (again) to one person: the account is the person.
        return path.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["api", "identity", "users", var userId, "invitation"]
            ? (null, "user:" + userId.ToLowerInvariant())
            : null;
    }

    private static async Task<string?> AccountOfAsync(HttpContext http, string? field)
    {
        if (field is null || http.Request.ContentLength is > 16 * 1024) return null;
        http.Request.EnableBuffering();
        try
        {
            string? value;
            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                // At the token endpoint only a client's own secret is guessed: a code or refresh token is single-use or
                // long and random, and every person's sign-in uses the portal's one client id.
                if (field == "client_id" && form["grant_type"] != "client_credentials") return null;
                value = form[field].FirstOrDefault();
            }
            else
            {
                using var json = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                value = json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
                    ? v.GetString() : null;
            }
            if (string.IsNullOrWhiteSpace(value)) return null;
            // Tokens are secrets: the partition key holds their hash, never the token.
            return field == "token" ? "token:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..32] : $"{field}:{value.Trim().ToLowerInvariant()}";
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or BadHttpRequestException)
        {
            return null; // malformed: the service answers it
        }
        finally
        {
            http.Request.Body.Position = 0;
        }
    }
}
