using System.Net;
using System.Text;
using LmsPlatform.Gateway.Extensions;
using Microsoft.AspNetCore.Http;

namespace LmsPlatform.UnitTests;

/// <summary>The gateway's budgets on sign-in and password endpoints: per caller address and per account, chained.</summary>
public class AuthRateLimitsTests
{
    private static async Task<HttpContext> RequestAsync(string path, string address, string body, string contentType = "application/x-www-form-urlencoded", string method = "POST")
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = path;
        http.Request.ContentType = contentType;
        var bytes = Encoding.UTF8.GetBytes(body);
        http.Request.Body = new MemoryStream(bytes);
        http.Request.ContentLength = bytes.Length;
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);
        await AuthRateLimits.NameAccountAsync(http);
        return http;
    }

    private static async Task<bool> AllowedAsync(System.Threading.RateLimiting.PartitionedRateLimiter<HttpContext> limiter, HttpContext http)
    {
        using var lease = await limiter.AcquireAsync(http);
        return lease.IsAcquired;
    }

    [Fact]
    public async Task An_account_has_its_budget_whichever_address_it_is_tried_from()
    {
        using var limiter = AuthRateLimits.Limiter(new AuthRateLimitOptions { PerAccountPermits = 3, PerAddressPermits = 100 });
        for (var i = 0; i < 3; i++)
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/account/login", $"203.0.113.{i + 1}", "email=Ada%40example.org&password=x")));
        Assert.False(await AllowedAsync(limiter, await RequestAsync("/account/login", "198.51.100.9", "email=ada%40EXAMPLE.org&password=y")));
        // Forgot password (JSON) counts against the same account.
        Assert.False(await AllowedAsync(limiter, await RequestAsync("/api/identity/password/forgot", "198.51.100.10", """{"email":"ada@example.org"}""", "application/json")));
        Assert.True(await AllowedAsync(limiter, await RequestAsync("/account/login", "198.51.100.9", "email=grace%40example.org&password=y")));

        // Everyone's code exchange names the portal's client id: that is no account, only the address counts.
        for (var i = 0; i < 5; i++)
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/connect/token", $"203.0.113.{i + 1}", "grant_type=authorization_code&client_id=lms-portal&code=x")));
        for (var i = 0; i < 3; i++)
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/connect/token", $"203.0.113.{i + 1}", "grant_type=client_credentials&client_id=hr-feed")));
        Assert.False(await AllowedAsync(limiter, await RequestAsync("/connect/token", "203.0.113.9", "grant_type=client_credentials&client_id=hr-feed")));
    }

    [Fact]
    public async Task An_address_has_its_budget_across_accounts_and_other_requests_are_not_counted()
    {
        using var limiter = AuthRateLimits.Limiter(new AuthRateLimitOptions { PerAddressPermits = 3, PerAccountPermits = 100 });
        for (var i = 0; i < 3; i++)
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/connect/token", "203.0.113.7", $"grant_type=client_credentials&client_id=c{i}")));
        Assert.False(await AllowedAsync(limiter, await RequestAsync("/account/forgot-password", "203.0.113.7", "email=new%40example.org")));
        Assert.True(await AllowedAsync(limiter, await RequestAsync("/account/login", "203.0.113.8", "email=new%40example.org")));
        for (var i = 0; i < 10; i++)
        {
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/api/catalogue/search", "203.0.113.7", "", method: "GET")));
            Assert.True(await AllowedAsync(limiter, await RequestAsync("/api/identity/users", "203.0.113.7", """{"email":"x@example.org"}""", "application/json")));
        }
    }

    [Fact]
    public async Task A_token_is_a_budget_of_its_own_known_only_by_its_hash_and_the_body_stays_readable()
    {
        var http = await RequestAsync("/account/set-password", "203.0.113.1", "token=secret-token-value&password=p");
        var account = Assert.IsType<string>(http.Items.Values.Single());
        Assert.StartsWith("token:", account);
        Assert.DoesNotContain("secret-token-value", account);
        Assert.Equal("token=secret-token-value&password=p", await new StreamReader(http.Request.Body).ReadToEndAsync());

        var invitation = await RequestAsync($"/api/identity/users/{Guid.Empty}/invitation", "203.0.113.1", "");
        Assert.Equal($"user:{Guid.Empty}", invitation.Items.Values.Single());
    }
}
