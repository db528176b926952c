using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>
/// Provisioned people can sign in: an administrator invites them, the single-use link reaches the notification service,
/// the person sets a password on the link's page and signs in; administrators see who has not signed in yet.
/// </summary>
public class InvitationTests(PlatformFixture platform)
{
    /// <summary>The link as the notification service receives it: from the newest UserInvited event for the user.</summary>
    private async Task<string> InvitationLinkAsync(Guid userId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(platform.App.GetConnectionString(ResourceNames.IdentityDb));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT payload->>'setPasswordUrl' FROM outbox_messages WHERE type LIKE '%.UserInvited' AND payload->>'userId' = @id ORDER BY occurred_at DESC, id DESC LIMIT 1", connection);
        command.Parameters.AddWithValue("id", userId.ToString());
        var url = (string?)await command.ExecuteScalarAsync() ?? throw new InvalidOperationException("no UserInvited event");
        return new Uri(url).PathAndQuery;
    }

    private async Task<HttpResponseMessage> SetPasswordAsync(string link, string password)
    {
        using var browser = Oidc.Browser(platform.App);
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(platform.App.GatewayUrl, link).Query)["token"]!;
        return await Oidc.PostFormAsync(browser, link, "/account/set-password", new() { ["token"] = token, ["password"] = password });
    }

    [Fact]
    public async Task A_provisioned_person_is_invited_sets_a_password_and_signs_in()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..8];
        var email = $"invited.{t}@example.org";
        using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Ines", familyName = $"Vited{t}" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        async Task<bool> ListedAsync(string filter) =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?search=Vited{t}&{filter}")).GetProperty("totalCount").GetInt32() == 1;
        Assert.True(await ListedAsync("signedIn=false&invited=false"));

        using var invited = await admin.PostAsync($"/api/identity/users/{id}/invitation", null);
        Assert.Equal(HttpStatusCode.Accepted, invited.StatusCode);
        var first = await InvitationLinkAsync(id);
        Assert.StartsWith("/account/set-password?token=", first);
        Assert.True(await ListedAsync("signedIn=false&invited=true"));

        // A re-send: the new link works, the old one no longer does.
        using var resent = await admin.PostAsync($"/api/identity/users/{id}/invitation", null);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        var second = await InvitationLinkAsync(id);
        Assert.NotEqual(first, second);
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        using var browser = Oidc.Browser(platform.App);
        async Task AssertUnusableAsync(string link)
        {
            using var page = await browser.GetAsync(link);
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
            Assert.Contains("invalid, used or expired", await page.Content.ReadAsStringAsync());
        }
        await AssertUnusableAsync(first);
        Assert.Contains($"You will sign in as <strong>{email}</strong>", await browser.GetStringAsync(second));
        using (var set = await SetPasswordAsync(second, password))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Contains("Your password has been set", await set.Content.ReadAsStringAsync());
        }
        await AssertUnusableAsync(second); // single use

        var tokens = await Oidc.SignInAsync(platform.App, email, password);
        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
        Assert.True(await ListedAsync("signedIn=true"));
        using var late = await admin.PostAsync($"/api/identity/users/{id}/invitation", null);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);

        // Both invitations were mailed to the person, each with its own link, as plain text and HTML, with no
        // unsubscribe (an invitation is always sent).
        var mails = await Mailbox.WaitForAsync(platform.App, email, m => m.Subject == "You are invited to learning", count: 2);
        Assert.Equal(2, mails.Count);
        var links = mails.Select(m => new Uri(System.Text.RegularExpressions.Regex.Match(m.Text!, @"https?://\S+set-password\?token=\S+").Value).PathAndQuery).ToHashSet();
        Assert.Equal(new HashSet<string> { first, second }, links);
        Assert.All(mails, m =>
        {
            Assert.Contains("Ines", m.Text);
            Assert.Contains("set-password?token=", m.Html);
            Assert.False(m.Headers.ContainsKey("List-Unsubscribe"));
            Assert.Equal("auto-generated", m.Headers["Auto-Submitted"]);
        });
        // The delivery log shows they went, but not the links: those were for the person alone, and are not kept.
        var log = await Eventually.ReachesAsync(
            () => admin.GetFromJsonAsync<JsonElement>($"/api/notification/deliveries?userId={id}"),
            page => page.GetProperty("items").EnumerateArray().Count(n => n.GetProperty("status").GetString() == "Sent") == 2,
            TimeSpan.FromSeconds(30), "both invitations sent in the delivery log");
        foreach (var entry in log.GetProperty("items").EnumerateArray())
        {
            var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/notification/deliveries/{entry.GetProperty("id").GetGuid()}");
            Assert.DoesNotContain("token=", detail.GetProperty("text").GetString());
        }
        Assert.Equal(0, await platform.CountAsync(ResourceNames.NotificationDb,
            $"SELECT count(*) FROM emails WHERE \"UserId\" = '{id}' AND (\"TextBody\" LIKE '%token=%' OR \"HtmlBody\" LIKE '%token=%')"));
    }

    [Fact]
    public async Task People_from_an_import_are_invited_together_and_refusals_say_why()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..8];
        var job = await Imports.UploadAsync(admin,
            $"external_id,email,given_name,family_name,status\n{t}-1,one.{t}@example.org,One,Imported{t},active\n{t}-2,two.{t}@example.org,Two,Imported{t},active\n{t}-3,three.{t}@example.org,Three,Imported{t},inactive\n");
        Assert.Equal("Completed", (await Imports.ApplyAsync(admin, job)).GetProperty("status").GetString());
        var ids = (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?search=Imported{t}")).GetProperty("items")
            .EnumerateArray().Select(u => u.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(3, ids.Count);

        var stranger = Guid.NewGuid();
        using var response = await admin.PostAsJsonAsync("/api/identity/invitations", new { userIds = ids.Append(stranger) });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("invited").GetInt32());
        var skipped = result.GetProperty("skipped").EnumerateArray().ToDictionary(s => s.GetProperty("userId").GetGuid(), s => s.GetProperty("reason").GetString());
        Assert.Equal(2, skipped.Count);
        Assert.Contains("not active", skipped.Single(s => s.Key != stranger).Value);
        Assert.Contains("No such user", skipped[stranger]);

        foreach (var id in result.GetProperty("invitedUserIds").EnumerateArray().Select(i => i.GetGuid()))
            Assert.StartsWith("/account/set-password?token=", await InvitationLinkAsync(id));
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?search=Imported{t}&invited=true")).GetProperty("totalCount").GetInt32());
    }
}
