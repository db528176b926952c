using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>Sign-in with PKCE through the gateway, refresh, userinfo, lockout, and tokens that must be refused.</summary>
public class SignInTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_authorization_code_flow_with_PKCE_issues_tokens_that_the_gateway_and_services_accept()
    {
        var tokens = await Oidc.SignInAsync(platform.App, LmsTopology.AdminEmail, Oidc.AdminPassword(platform.App));
        Assert.NotNull(tokens.IdToken);
        Assert.NotNull(tokens.RefreshToken);

        var claims = new JsonWebToken(tokens.AccessToken);
        Assert.Equal(Oidc.GatewayUrl(platform.App).ToString(), claims.Issuer);
        Assert.Contains(LmsClaims.Audience, claims.Audiences);
        Assert.Contains(claims.Claims, c => c.Type == LmsClaims.Permission && c.Value == Permissions.UsersWrite);
        Assert.Contains(claims.Claims, c => c.Type == "role" && c.Value == Roles.Administrator);

        using var gateway = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        var me = await gateway.GetFromJsonAsync<JsonElement>("/api/identity/me");
        Assert.Equal(LmsTopology.AdminEmail, me.GetProperty("user").GetProperty("email").GetString());
        using var userInfo = await gateway.GetAsync("/connect/userinfo");
        Assert.Equal(HttpStatusCode.OK, userInfo.StatusCode);
        using var catalogue = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.CatalogueApi), tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await catalogue.GetAsync("/api/catalogue/courses")).StatusCode);

        // The refresh token gives a new access token.
        using var refreshed = await platform.Anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token", ["refresh_token"] = tokens.RefreshToken!, ["client_id"] = Oidc.PortalClient,
        }));
        var renewed = await Oidc.ReadTokensAsync(refreshed);
        Assert.NotEqual(tokens.AccessToken, renewed.AccessToken);
    }

    [Fact]
    public async Task A_code_needs_the_right_verifier_and_works_once()
    {
        using var browser = Oidc.Browser(platform.App);
        var (verifier, challenge) = Oidc.Pkce();
        var redirect = Oidc.RedirectUri(platform.App);
        var authorize = $"/connect/authorize?client_id={Oidc.PortalClient}&response_type=code&scope=openid&redirect_uri={Uri.EscapeDataString(redirect)}&code_challenge={challenge}&code_challenge_method=S256";

        // Without PKCE the portal client is refused outright.
        using var noPkce = await browser.GetAsync($"/connect/authorize?client_id={Oidc.PortalClient}&response_type=code&scope=openid&redirect_uri={Uri.EscapeDataString(redirect)}");
        Assert.Equal(HttpStatusCode.BadRequest, noPkce.StatusCode);
        Assert.Contains("invalid_request", await noPkce.Content.ReadAsStringAsync());

        var login = (await browser.GetAsync(authorize)).Headers.Location!.ToString();
        using var signedIn = await Oidc.PostLoginAsync(browser, login, LmsTopology.AdminEmail, Oidc.AdminPassword(platform.App));
        var code = System.Web.HttpUtility.ParseQueryString((await browser.GetAsync(signedIn.Headers.Location!.ToString())).Headers.Location!.Query)["code"]!;

        using var wrong = await browser.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirect, ["client_id"] = Oidc.PortalClient, ["code_verifier"] = Oidc.Pkce().Verifier,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("invalid_grant", await wrong.Content.ReadAsStringAsync());

        // The right verifier redeems it, once.
        FormUrlEncodedContent Exchange() => new(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirect, ["client_id"] = Oidc.PortalClient, ["code_verifier"] = verifier,
        });
        using var right = await browser.PostAsync("/connect/token", Exchange());
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using var again = await browser.PostAsync("/connect/token", Exchange());
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("invalid_grant", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused()
    {
        var (_, email, _) = await People.CreateSignedInAsync(platform.App, platform.Gateway, "lockout");
        using var browser = Oidc.Browser(platform.App);
        for (var i = 0; i < 5; i++)
        {
            using var failed = await Oidc.PostLoginAsync(browser, "/account/login", email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        }
        var password = "not-known-here"; // the real one is random; even a correct password must now fail with the lockout text
        using var locked = await Oidc.PostLoginAsync(browser, "/account/login", email, password);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
        var audit = await platform.Gateway.GetFromJsonAsync<JsonElement>("/api/identity/audit?action=user.locked_out&pageSize=200");
        Assert.True(audit.GetProperty("totalCount").GetInt32() >= 1);
    }

    [Fact]
    public async Task A_wrong_password_says_nothing_about_whether_the_account_exists()
    {
        using var browser = Oidc.Browser(platform.App);
        using var unknown = await Oidc.PostLoginAsync(browser, "/account/login", $"nobody.{Guid.NewGuid():N}@example.org", "whatever-password");
        using var known = await Oidc.PostLoginAsync(browser, "/account/login", LmsTopology.AdminEmail, "whatever-password-1");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("The email or password is incorrect.", await unknown.Content.ReadAsStringAsync());
        Assert.Contains("The email or password is incorrect.", await known.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Tampered_expired_and_foreign_tokens_are_refused_by_the_gateway_and_the_services()
    {
        var (keyId, key) = await SigningKeyAsync();
        var issuer = Oidc.GatewayUrl(platform.App).ToString();
        string Forge(string? iss = null, string? aud = null, DateTime? expires = null, SecurityKey? signingKey = null) =>
            new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = iss ?? issuer,
                Audience = aud ?? LmsClaims.Audience,
                TokenType = "at+jwt",
                IssuedAt = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
                NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(10)).AddMinutes(-20),
                Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
                Subject = new ClaimsIdentity([new Claim("sub", Guid.NewGuid().ToString()), new Claim(LmsClaims.Permission, Permissions.CatalogueRead), new Claim("scope", "lms_api")]),
                SigningCredentials = new SigningCredentials(signingKey ?? key, SecurityAlgorithms.RsaSha256),
            });

        var control = Forge();
        var signature = platform.AdminToken[^10..];
        var tampered = platform.AdminToken[..^10] + new string(signature.Reverse().ToArray()) is var t && t != platform.AdminToken ? t : platform.AdminToken[..^4] + "AAAA";
        var cases = new (string Name, string Token, HttpStatusCode Expected)[]
        {
            ("control, signed with the real key", control, HttpStatusCode.OK),
            ("signature tampered", tampered, HttpStatusCode.Unauthorized),
            ("expired", Forge(expires: DateTime.UtcNow.AddMinutes(-5)), HttpStatusCode.Unauthorized),
            ("wrong audience", Forge(aud: "some-other-api"), HttpStatusCode.Unauthorized),
            ("wrong issuer", Forge(iss: "http://evil.example/"), HttpStatusCode.Unauthorized),
            ("signed with another key", Forge(signingKey: new RsaSecurityKey(RSA.Create(2048)) { KeyId = keyId }), HttpStatusCode.Unauthorized),
            ("unsigned", control[..(control.LastIndexOf('.') + 1)], HttpStatusCode.Unauthorized),
        };
        foreach (var target in new[] { ResourceNames.Gateway, ResourceNames.CatalogueApi })
            foreach (var (name, token, expected) in cases)
            {
                using var client = Oidc.WithToken(platform.App.CreateHttpClient(target), token);
                using var response = await client.GetAsync("/api/catalogue/search?q=safety");
                Assert.True(expected == response.StatusCode, $"{target}, {name}: expected {expected}, got {response.StatusCode}");
            }
    }

    private async Task<(string KeyId, RsaSecurityKey Key)> SigningKeyAsync()
    {
        await using var connection = new NpgsqlConnection(platform.App.GetConnectionString(ResourceNames.IdentityDb));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT \"Id\", \"PrivateKey\" FROM signing_keys WHERE \"Use\" = 'sig' ORDER BY \"CreatedAt\" LIMIT 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey((byte[])reader[1], out _);
        return (reader.GetString(0), new RsaSecurityKey(rsa) { KeyId = reader.GetString(0) });
    }
}
