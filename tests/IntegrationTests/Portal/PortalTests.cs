using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StackExchange.Redis;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>The portal's shell in a real browser: sign-in and sign-out, the menu by permission, the 403 page, sessions and their refresh.</summary>
public class PortalTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_person_signs_in_with_the_keyboard_from_the_front_door_lands_on_an_accessible_home_page_and_signs_out()
    {
        var page = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(page, "sign-in", async () =>
        {
            await page.GotoAsync("/");
            // Keyboard only: the sign-in form's fields and button in order, Enter to send.
            await TabToAsync(page, page.GetByLabel("Email"));
            await page.Keyboard.TypeAsync(LmsTopology.AdminEmail);
            await page.Keyboard.PressAsync("Tab");
            await page.Keyboard.TypeAsync(Identity.Oidc.AdminPassword(Platform.App));
            await page.Keyboard.PressAsync("Enter");

            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Welcome, First");
            Assert.Equal(Platform.App.GatewayUrl.ToString().TrimEnd('/') + "/", page.Url);
            await AssertAccessibleAsync(page, "home-360");

            // Signing out ends the portal's session: the home page asks for a sign-in again.
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GotoAsync("/");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Sign in");
        });
    }

    [Fact]
    public async Task A_learner_sees_only_learner_pages_and_a_page_they_may_not_open_says_which_permission_is_missing()
    {
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "learner", null, []);
        var page = await Browser.NewPageAsync();
        await JourneyAsync(page, "learner-menu", async () =>
        {
            await SignInAsync(page, email, password);
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
            await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Catalogue" })).ToBeVisibleAsync();
            await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);

            await page.GotoAsync("/admin/users");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("You cannot open this page");
            await Assertions.Expect(page.GetByText("see people (users.read)")).ToBeVisibleAsync();
            await AssertAccessibleAsync(page, "forbidden-1280");

            await page.GotoAsync("/no/such/page");
            await Assertions.Expect(Heading(page)).ToHaveTextAsync("Page not found");
            await AssertAccessibleAsync(page, "not-found-1280");
        });
        // The administrator's menu has the administration pages.
        var admin = await Browser.NewPageAsync();
        await Browser.SignInAsAdminAsync(admin);
        await Assertions.Expect(admin.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Users" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_person_changes_their_password_on_their_profile_and_is_told_beside_the_field_what_was_wrong()
    {
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "changer", null, []);
        var page = await Browser.NewPageAsync(Narrow);
        var newPassword = "Nw-" + Guid.NewGuid().ToString("N");
        await JourneyAsync(page, "password-change", async () =>
        {
            await SignInAsync(page, email, password, "/profile");
            async Task SubmitAsync(string current, string next, string again)
            {
                await page.GetByLabel("Current password").FillAsync(current);
                await page.GetByLabel("New password", new() { Exact = true }).FillAsync(next);
                await page.GetByLabel("New password again").FillAsync(again);
                await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
            }
            // The wrong current password: identity's refusal, beside that field.
            await SubmitAsync("not-my-password", newPassword, newPassword);
            await Assertions.Expect(page.GetByLabel("Current password")).ToHaveAttributeAsync("aria-invalid", "true");
            await AssertAccessibleAsync(page, "password-wrong-360");
            // Two different new passwords: said before anything is sent.
            await SubmitAsync(password, newPassword, newPassword + "x");
            await Assertions.Expect(page.GetByLabel("New password again")).ToHaveAttributeAsync("aria-invalid", "true");
            await SubmitAsync(password, newPassword, newPassword);
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your password has been changed.");
        });
        // The new password signs in; the old one no longer does.
        Assert.NotNull((await Identity.Oidc.SignInAsync(Platform.App, email, newPassword)).AccessToken);
        await Assert.ThrowsAnyAsync<Exception>(() => Identity.Oidc.SignInAsync(Platform.App, email, password));
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_the_persons_sessions_on_every_device()
    {
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "everywhere", null, []);
        var laptop = await Browser.NewPageAsync();
        var phone = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(phone, "sign-out-everywhere", async () =>
        {
            await SignInAsync(laptop, email, password, "/profile");
            await SignInAsync(phone, email, password);
            await Assertions.Expect(Heading(phone)).ToHaveTextAsync("Welcome, everywhere");
            await AssertAccessibleAsync(laptop, "profile-1280");

            await laptop.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
            await laptop.GotoAsync("/");
            await Assertions.Expect(Heading(laptop)).ToHaveTextAsync("Sign in");
            // The phone's session is gone too, and identity asks for the password again: no silent sign-in.
            await phone.ReloadAsync();
            await Assertions.Expect(Heading(phone)).ToHaveTextAsync("Sign in");
        });
    }

    /// <summary>
    /// A session is kept in Redis, encrypted with keys every replica shares: this test reads it as another replica would
    /// and moves its access token's expiry into the past. The next page must still work, with a refreshed token written
    /// back, and (identity rolls refresh tokens) a refresh token that was not spent before.
    /// </summary>
    [Fact]
    public async Task An_expiring_access_token_is_refreshed_from_the_shared_session_and_the_person_stays_signed_in()
    {
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "refresh", null, []);
        var page = await Browser.NewPageAsync();
        await SignInAsync(page, email, password);
        await Assertions.Expect(Heading(page)).ToHaveTextAsync("Welcome, refresh");

        await using var redis = await ConnectionMultiplexer.ConnectAsync(Platform.App.GetConnectionString(ResourceNames.Redis)!);
        var protector = Replica(redis).CreateProtector("LmsPlatform.Portal.SessionTickets");
        var database = redis.GetDatabase();
        var key = await SessionOfAsync(redis, protector, email);
        var ticket = TicketSerializer.Default.Deserialize(protector.Unprotect((byte[])(await database.HashGetAsync(key, "data"))!))!;
        var (access, refresh) = (ticket.Properties.GetTokenValue("access_token"), ticket.Properties.GetTokenValue("refresh_token"));
        ticket.Properties.UpdateTokenValue("expires_at", DateTimeOffset.UtcNow.AddMinutes(-1).ToString("o"));
        await database.HashSetAsync(key, "data", protector.Protect(TicketSerializer.Default.Serialize(ticket)));

        await page.GotoAsync("/profile");
        await JourneyAsync(page, "refresh", () => Assertions.Expect(page.GetByText(email).First).ToBeVisibleAsync());
        var renewed = TicketSerializer.Default.Deserialize(protector.Unprotect((byte[])(await database.HashGetAsync(key, "data"))!))!;
        Assert.NotEqual(access, renewed.Properties.GetTokenValue("access_token"));
        Assert.NotEqual(refresh, renewed.Properties.GetTokenValue("refresh_token"));
        Assert.True(DateTimeOffset.Parse(renewed.Properties.GetTokenValue("expires_at")!) > DateTimeOffset.UtcNow.AddMinutes(5));

        // Another page after the refresh uses the new tokens, not the spent ones.
        await page.GotoAsync("/");
        await Assertions.Expect(Heading(page)).ToHaveTextAsync("Welcome, refresh");
    }

    /// <summary>The portal's data protection as a second replica sees it: the same application name and key ring in Redis.</summary>
    private static IDataProtectionProvider Replica(IConnectionMultiplexer redis)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("lms-portal");
        services.Configure<KeyManagementOptions>(o => o.XmlRepository = new RedisXmlRepository(() => redis.GetDatabase(), "portal:data-protection-keys"));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>();
    }

    private static async Task<RedisKey> SessionOfAsync(IConnectionMultiplexer redis, IDataProtector protector, string email)
    {
        var server = redis.GetServers()[0];
        await foreach (var key in server.KeysAsync(pattern: "portal:session:*"))
        {
            var ticket = TicketSerializer.Default.Deserialize(protector.Unprotect((byte[])(await redis.GetDatabase().HashGetAsync(key, "data"))!));
            if (ticket?.Principal.FindFirst("email")?.Value == email) return key;
        }
        throw new InvalidOperationException($"no portal session in Redis for {email}");
    }
}
