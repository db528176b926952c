using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Identity;

public sealed record Tokens(string AccessToken, string? RefreshToken, string? IdToken);

/// <summary>
/// Drives the platform's OpenID Connect flows over plain HTTP through the gateway, as a browser and an integration
/// would: authorization code with PKCE through the login page, and client credentials.
/// </summary>
public static partial class Oidc
{
    public const string PortalClient = "lms-portal";
    public const string PortalScopes = "openid profile email roles offline_access lms_api";

    public static string AdminPassword(TestPlatform app) => app.AdminPassword;

    public static Uri GatewayUrl(TestPlatform app) => app.GatewayUrl;

    public static string RedirectUri(TestPlatform app) => $"{GatewayUrl(app).ToString().TrimEnd('/')}/portal/signin-callback";

    /// <summary>The full browser flow: authorize → login page → sign in → back to authorize → code → token exchange.</summary>
    public static async Task<Tokens> SignInAsync(TestPlatform app, string email, string password)
    {
        using var browser = Browser(app);
        var (verifier, challenge) = Pkce();
        var state = Guid.NewGuid().ToString("N");
        var redirect = RedirectUri(app);
        var authorize = $"/connect/authorize?client_id={PortalClient}&response_type=code&scope={Uri.EscapeDataString(PortalScopes)}" +
                        $"&redirect_uri={Uri.EscapeDataString(redirect)}&code_challenge={challenge}&code_challenge_method=S256&state={state}";

        using var first = await browser.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        var login = first.Headers.Location!.ToString();
        Assert.StartsWith("/account/login", login);

        using var loggedIn = await PostLoginAsync(browser, login, email, password);
        Assert.Equal(HttpStatusCode.Redirect, loggedIn.StatusCode);
        using var back = await browser.GetAsync(loggedIn.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var callback = back.Headers.Location!;
        Assert.StartsWith(redirect, callback.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.Equal(state, query["state"]);

        return await ExchangeCodeAsync(browser, query["code"]!, verifier, redirect);
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string loginUrl, string email, string password)
    {
        var page = await browser.GetStringAsync(loginUrl);
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the login page has an antiforgery field");
        var returnUrl = WebUtility.HtmlDecode(ReturnUrlField().Match(page).Groups[1].Value);
        return await browser.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value),
            ["email"] = email,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    public static async Task<Tokens> ExchangeCodeAsync(HttpClient client, string code, string verifier, string redirect)
    {
        using var response = await client.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirect, ["client_id"] = PortalClient, ["code_verifier"] = verifier,
        }));
        return await ReadTokensAsync(response);
    }

    public static async Task<Tokens> ClientCredentialsAsync(HttpClient gateway, string clientId, string secret, string scope)
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        }));
        return await ReadTokensAsync(response);
    }

    public static async Task<Tokens> ReadTokensAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"token endpoint answered {(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        return new Tokens(json.GetProperty("access_token").GetString()!,
            json.TryGetProperty("refresh_token", out var r) ? r.GetString() : null,
            json.TryGetProperty("id_token", out var i) ? i.GetString() : null);
    }

    /// <summary>An HTTP client to the gateway that keeps cookies and does not follow redirects, like a browser tab we inspect.</summary>
    public static HttpClient Browser(TestPlatform app) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = GatewayUrl(app) };

    public static HttpClient WithToken(HttpClient client, string token)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    /// <summary>Opens a page with a form, as a browser would, and posts the form with its antiforgery token and these fields.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string pageUrl, string action, Dictionary<string, string> fields)
    {
        var page = await browser.GetStringAsync(pageUrl);
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, $"{pageUrl} has an antiforgery field");
        fields[token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value);
        return await browser.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*RequestVerificationToken[^\"]*)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"returnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrlField();
}

/// <summary>People with each role, signed in for real (password set through the reset flow), and an admin.</summary>
public static class People
{
    /// <summary>Creates a user as the admin, grants the roles, sets a password with a reset token read from the outbox, signs in.</summary>
    public static Task<(Guid Id, string Email, Tokens Tokens)> CreateSignedInAsync(TestPlatform app, HttpClient admin, string tag, params string[] roles) =>
        CreateSignedInAsync(app, admin, tag, null, roles);

    public static async Task<(Guid Id, string Email, Tokens Tokens)> CreateSignedInAsync(TestPlatform app, HttpClient admin, string tag, Guid? scopeOrgUnitId, string[] roles, Guid? orgUnitId = null)
    {
        var (id, email, password) = await CreateWithPasswordAsync(app, admin, tag, scopeOrgUnitId, roles, orgUnitId);
        return (id, email, await Oidc.SignInAsync(app, email, password));
    }

    /// <summary>Creates a user as the admin, grants the roles and sets a password, for a test that signs in itself (a browser).</summary>
    public static async Task<(Guid Id, string Email, string Password)> CreateWithPasswordAsync(TestPlatform app, HttpClient admin, string tag, Guid? scopeOrgUnitId, string[] roles, Guid? orgUnitId = null)
    {
        var email = $"{tag}.{Guid.NewGuid():N}@example.org";
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = tag, familyName = "Tester", orgUnitId }))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?email={Uri.EscapeDataString(email)}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        foreach (var role in roles)
            using (var granted = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = id, role, scopeOrgUnitId }))
                Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await SetPasswordAsync(app, email, password);
        return (id, email, password);
    }

    public static async Task SetPasswordAsync(TestPlatform app, string email, string password)
    {
        using var anonymous = app.CreateHttpClient(ResourceNames.Gateway);
        using (var forgot = await anonymous.PostAsJsonAsync("/api/identity/password/forgot", new { email }))
            Assert.Equal(HttpStatusCode.Accepted, forgot.StatusCode);
        var token = await ResetTokenAsync(app, email);
        using var reset = await anonymous.PostAsJsonAsync("/api/identity/password/reset", new { token, newPassword = password });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
    }

    /// <summary>The reset token as the notification service would receive it: from the PasswordResetRequested event.</summary>
    public static async Task<string> ResetTokenAsync(TestPlatform app, string email)
    {
        await using var connection = new Npgsql.NpgsqlConnection(app.GetConnectionString(ResourceNames.IdentityDb));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT payload->>'resetUrl' FROM outbox_messages WHERE type LIKE '%PasswordResetRequested' AND lower(payload->>'email') = lower(@email) ORDER BY occurred_at DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("email", email);
        var url = (string?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException("no PasswordResetRequested event");
        return System.Web.HttpUtility.ParseQueryString(new Uri(url).Query)["token"]!;
    }
}

public static class OrgUnits
{
    /// <summary>Creates an org unit as the admin (under <paramref name="parentId"/>, or at the top) and returns its id.</summary>
    public static async Task<Guid> CreateAsync(HttpClient admin, string name, Guid? parentId = null)
    {
        using var created = await admin.PostAsJsonAsync("/api/identity/org-units", new { name, parentId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }
}
