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
/// Every page of the portal × a learner and an administrator, in the browser: each page says which permission it
/// needs, a person without it gets the 403 page naming it, a person with it gets the page, and the menu offers exactly
/// the pages the person may open. The APIs check again (AuthorizationMatrixTests); this is what a person sees.
/// </summary>
public class PortalPageMatrixTests(PlatformFixture platform) : BrowserTests(platform)
{
    private static readonly Assembly Portal = typeof(PortalMenu).Assembly;

    /// <summary>Each routable page and the permission its [Authorize] names (null: any signed-in person).</summary>
    private static IEnumerable<(string Route, string? Permission)> Pages() =>
        Portal.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (r.Template, Type: t)))
            .Select(p => (p.Template, p.Type.GetCustomAttribute<AuthorizeAttribute>()?.Policy));

    private static readonly HashSet<string> Public = ["/not-found", "/error", "/forbidden"];

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
    public async Task A_learner_gets_each_page_they_may_open_and_the_403_page_naming_the_permission_for_the_others()
    {
        var (_, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, "matrix", null, []);
        var learner = await Browser.NewPageAsync();
        var admin = await Browser.NewPageAsync();
        await SignInAsync(learner, email, password);
        await Browser.SignInAsAdminAsync(admin);
        var learnerPermissions = Roles.PermissionsOf(Roles.Learner);

        foreach (var (route, permission) in Pages().Where(p => !Public.Contains(p.Route)).Select(p => (Route: Concrete(p.Route), p.Permission)))
        {
            await learner.GotoAsync(route);
            var heading = await Heading(learner).InnerTextAsync();
            if (permission is null || learnerPermissions.Contains(permission))
                Assert.NotEqual("You cannot open this page", heading);
            else
            {
                Assert.Equal("You cannot open this page", heading);
                Assert.Contains($"({permission})", await learner.Locator("main").InnerTextAsync());
            }
            await admin.GotoAsync(route);
            Assert.NotEqual("You cannot open this page", await Heading(admin).InnerTextAsync());
        }

        // The menu offers the learner only what they may open.
        var menu = learner.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        foreach (var link in PortalMenu.Sections.SelectMany(s => s.Links))
        {
            var shown = link.Permission is null || learnerPermissions.Contains(link.Permission);
            await Assertions.Expect(menu.Locator($"a[href='{link.Href}']")).ToHaveCountAsync(shown ? 1 : 0);
        }
    }

    /// <summary>A route with its parameters filled with ids nobody has: the page's authorisation runs before it looks.</summary>
    private static string Concrete(string route) =>
        "/" + string.Join('/', route.Trim('/').Split('/').Select(segment => segment.StartsWith('{') ? Guid.NewGuid().ToString() : segment));
}
