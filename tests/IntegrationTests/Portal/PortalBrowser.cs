using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using LmsPlatform.AppHost;
using LmsPlatform.Contracts.Security;
using Microsoft.Playwright;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// Debian's chromium, driven by Playwright: one for a test class's tests (launching it for every test cost a few seconds
/// each), closed after them. Every page still gets a fresh browser context of its own.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;
    internal IBrowser Chromium { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        // Expectations wait 20 s, not Playwright's 5: on two cores a page may take longer to settle while a platform starts.
        Assertions.SetDefaultExpectTimeout(20_000);
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Chromium is not null) await Chromium.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>
/// The portal in a real browser, for one test: pages in the class's chromium (<see cref="BrowserFixture"/>), opened at
/// the gateway's address (the one the sign-in redirects are registered for), signed in through identity's own sign-in
/// page, checked with axe (WCAG 2.2 AA) and photographed into artifacts/screenshots for a person to look at. The test's
/// pages are closed with it.
/// </summary>
public sealed class PortalBrowser(BrowserFixture browser, PlatformFixture platform) : IAsyncDisposable
{
    public static readonly string[] WcagTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
    public const int Wide = 1280, Narrow = 360;

    private readonly PlatformFixture _platform = platform;
    private readonly List<IBrowserContext> _contexts = [];

    /// <summary>A fresh browser context (no cookies) at the given width.</summary>
    public async Task<IPage> NewPageAsync(int width = Wide)
    {
        var context = await browser.Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _platform.App.GatewayUrl.ToString(), ViewportSize = new() { Width = width, Height = width == Narrow ? 740 : 900 },
        });
        // A bound on hangs, not a speed check: on two cores a sign-in's redirects once took more than 20 s under load.
        context.SetDefaultTimeout(45_000);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>Opens <paramref name="path"/>, signs in on identity's page when asked, and waits to be back.</summary>
    public static async Task SignInAsync(IPage page, string email, string password, string path = "/")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal) && !url.Contains("/connect/", StringComparison.Ordinal));
    }

    private (string Email, string Password)? _administrator;

    /// <summary>
    /// Signs in as an administrator of this browser's own: the platform's first administrator would soon meet the
    /// sign-in budget of 10 attempts per account in 5 minutes (the gateway's rate limit), with every test signing it in.
    /// </summary>
    public async Task SignInAsAdminAsync(IPage page, string path = "/")
    {
        _administrator ??= await Identity.People.CreateWithPasswordAsync(_platform.App, _platform.Gateway, "Admin", null, [Roles.Administrator]) is var (_, email, password)
            ? (email, password) : null;
        await SignInAsync(page, _administrator!.Value.Email, _administrator.Value.Password, path);
    }

    public static ILocator Heading(IPage page) => page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    /// <summary>
    /// axe finds no WCAG 2.2 A/AA violation on the page as it is now; then a screenshot for people to look at.
    /// <paramref name="exclude"/> names what is not the platform's own (a course package in the player's frame).
    /// </summary>
    public static async Task AssertAccessibleAsync(IPage page, string screenshot, params string[] exclude)
    {
        var options = new AxeRunOptions { RunOnly = new RunOnlyOptions { Type = "tag", Values = [.. WcagTags] } };
        var axe = exclude.Length == 0 ? await page.RunAxe(options)
            : await page.RunAxe(new AxeRunContext { Exclude = [.. exclude.Select(selector => new AxeSelector(selector))] }, options);
        // Reflow (WCAG 1.4.10): at any width the page fits the window; nothing makes a person scroll sideways.
        var (content, window) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        Assert.True(content <= window, $"{page.Url}: the page is {content} px wide in a {window} px window");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot(screenshot), FullPage = true });
        Assert.True(axe.Violations.Length == 0, $"{page.Url}: " + string.Join("\n", axe.Violations.Select(v => $"{v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target))}")));
    }

    /// <summary>Runs a journey; on failure keeps a screenshot of where it stopped.</summary>
    public static async Task JourneyAsync(IPage page, string name, Func<Task> journey)
    {
        try
        {
            await journey();
        }
        catch
        {
            // Bounded: a page stuck mid-navigation must not hide the failure behind a hung screenshot.
            try { await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"failed-{name}"), FullPage = true, Timeout = 10_000 }); }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException) { }
            throw;
        }
    }

    /// <summary>Where browser tests keep their screenshots: artifacts/screenshots (git-ignored).</summary>
    public static string Screenshot(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.GetFullPath(Path.Combine(folder, $"{name}.png"));
    }

    /// <summary>Presses Tab until the focused element matches, and fails after <paramref name="most"/> presses: a keyboard user's way there.</summary>
    public static async Task TabToAsync(IPage page, ILocator target, int most = 30, bool backwards = false)
    {
        // A person waits for the control to appear (an interactive screen answers a key press after a round trip).
        await Assertions.Expect(target).ToBeVisibleAsync();
        for (var i = 0; i < most; i++)
        {
            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement"))
            {
                // Visible focus (WCAG 2.4.7): the focused control draws an outline.
                var outline = await target.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth");
                Assert.False(outline.StartsWith("none", StringComparison.Ordinal) || outline.EndsWith(" 0px", StringComparison.Ordinal), $"{target} has focus but no visible outline ({outline})");
                return;
            }
        }
        var at = await page.EvaluateAsync<string>("(() => { const e = document.activeElement; return e ? `${e.tagName} ${e.id} ${e.getAttribute('aria-label') ?? ''} ${(e.textContent ?? '').slice(0, 40)}` : 'nothing'; })()");
        Assert.Fail($"{target} was not reached with {most} presses of {(backwards ? "Shift+Tab" : "Tab")}; the focus is on {at}");
    }

    /// <summary>Tabs to the control and types into it (replacing what is there), as a person without a mouse would.</summary>
    public static async Task TabAndTypeAsync(IPage page, ILocator target, string text, int most = 30, bool backwards = false)
    {
        await TabToAsync(page, target, most, backwards);
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync(text);
    }

    /// <summary>Tabs to a button or link and presses Enter.</summary>
    public static async Task TabAndPressAsync(IPage page, ILocator target, int most = 30, bool backwards = false)
    {
        await TabToAsync(page, target, most, backwards);
        await page.Keyboard.PressAsync("Enter");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
    }
}

/// <summary>A class of browser tests: one chromium for its tests (<see cref="BrowserFixture"/>), each test's pages closed after it.</summary>
public abstract class BrowserTests(PlatformFixture platform, BrowserFixture chromium) : IClassFixture<BrowserFixture>, IAsyncDisposable
{
    protected PlatformFixture Platform { get; } = platform;
    protected PortalBrowser Browser { get; } = new(chromium, platform);

    public ValueTask DisposeAsync() => Browser.DisposeAsync();
}
