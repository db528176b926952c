extern alias portal;
using System.Reflection;
using LmsPlatform.Contracts.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;
using PortalMenu = portal::LmsPlatform.Portal.Security.PortalMenu;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// Every page of the portal × each role, with each person's signed-in browser session: each page says which permission
/// it needs, a person without it gets the 403 page naming it, a person with it gets the page, and the menu offers exactly
/// the pages the person may open. The APIs check again (AuthorizationMatrixTests); this is what a person is served. The
/// pages are asked for with the session's cookies rather than drawn (drawing 60 pages for five people took three minutes
/// of every CI run); the screens are drawn, and checked with axe, by their own tests.
/// </summary>
public class PortalPageMatrixTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    private static readonly Assembly Portal = typeof(PortalMenu).Assembly;

    /// <summary>Each routable page and the permission its [Authorize] names (null: any signed-in person).</summary>
    private static IEnumerable<(string Route, string? Permission)> Pages() =>
        Portal.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (r.Template, Type: t)))
            .Select(p => (p.Template, p.Type.GetCustomAttribute<AuthorizeAttribute>()?.Policy));

    /// <summary>Pages anyone may open, signed in or not (a certificate's verification is for employers and auditors).</summary>
    private static readonly HashSet<string> Public = ["/not-found", "/error", "/forbidden", "/verify/{Id:guid}"];

    [Fact]
    public void Every_page_is_behind_sign_in_and_names_a_known_permission_and_the_menu_asks_for_the_same_one()
    {
        var pages = Portal.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any()).ToList();
        Assert.NotEmpty(pages);
        foreach (var page in pages)
        {
            var routes = page.GetCustomAttributes<RouteAttribute>().Select(r => r.Template).ToList();
            if (routes.All(Public.Contains)) continue;
            var authorize = page.GetCustomAttribute<AuthorizeAttribute>();
            Assert.True(authorize is not null, $"{page.Name} ({string.Join(", ", routes)}) has no [Authorize]");
            Assert.True(authorize!.Policy is null || Permissions.All.Contains(authorize.Policy), $"{page.Name} asks for an unknown permission {authorize.Policy}");
        }
        var byRoute = Pages().ToDictionary(p => p.Route.TrimStart('/'), p => p.Permission);
        foreach (var link in PortalMenu.Sections.SelectMany(s => s.Links))
        {
            Assert.True(byRoute.TryGetValue(link.Href, out var permission), $"the menu links to {link.Href}, which no page serves");
            Assert.Equal(permission, link.Permission);
        }
    }

    [Fact]
    public async Task Each_role_gets_the_pages_it_may_open_and_the_403_page_naming_the_permission_for_the_others()
    {
        // Every role but the administrator signs in as a person holding it; the administrator then opens every page.
        foreach (var role in new[] { Roles.Learner, Roles.Instructor, Roles.Manager, Roles.TrainingManager })
        {
            var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "matrix", null, role == Roles.Learner ? [] : [role]);
            var page = await Browser.NewPageAsync();
            await SignInAsync(page, email, password);
            var holds = Roles.PermissionsOf(Roles.Learner).Concat(Roles.PermissionsOf(role)).ToHashSet();
            await EachPageAsync(page, Pages().Where(p => !Public.Contains(p.Route)), (heading, html, route, permission) =>
            {
                if (permission is null || holds.Contains(permission))
                    Assert.True(heading != "You cannot open this page", $"{role} was refused {route}");
                else
                {
                    Assert.True(heading == "You cannot open this page", $"{role} opened {route}, which needs {permission}");
                    Assert.Contains($"({permission})", html);
                }
            });

            // The menu offers each person only what they may open.
            var menu = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
            foreach (var link in PortalMenu.Sections.SelectMany(s => s.Links))
            {
                var shown = link.Permission is null || holds.Contains(link.Permission);
                await Assertions.Expect(menu.Locator($"a[href='{link.Href}']")).ToHaveCountAsync(shown ? 1 : 0);
            }
            await page.Context.CloseAsync();
        }

        var admin = await Browser.NewPageAsync();
        await Browser.SignInAsAdminAsync(admin);
        await EachPageAsync(admin, Pages().Where(p => !Public.Contains(p.Route)), (heading, _, route, _) =>
            Assert.True(heading != "You cannot open this page", $"the administrator was refused {route}"));
    }

    /// <summary>
    /// Each page as the portal serves it to the person signed in to <paramref name="signedIn"/> (its cookies, without
    /// drawing it: who may open what is decided on the server before anything is drawn, and the screens have their own
    /// browser tests): its first heading and its HTML.
    /// </summary>
    private static async Task EachPageAsync(IPage signedIn, IEnumerable<(string Route, string? Permission)> pages, Action<string, string, string, string?> check)
    {
        foreach (var (route, permission) in pages.Select(p => (Route: Concrete(p.Route), p.Permission)))
        {
            var response = await signedIn.APIRequest.GetAsync(route);
            var html = await response.TextAsync();
            var h1 = System.Text.RegularExpressions.Regex.Match(html, "<h1[^>]*>(.*?)</h1>", System.Text.RegularExpressions.RegexOptions.Singleline);
            Assert.True(h1.Success, $"{route} answered {response.Status} with no heading");
            var heading = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Replace(h1.Groups[1].Value, "<[^>]+>", "")).Trim();
            check(heading, html, route, permission);
        }
    }

    /// <summary>A route with its parameters filled with ids nobody has: the page's authorisation runs before it looks.</summary>
    private static string Concrete(string route) =>
        "/" + string.Join('/', route.Trim('/').Split('/').Select(segment => segment.StartsWith('{') ? Guid.NewGuid().ToString() : segment));
}
