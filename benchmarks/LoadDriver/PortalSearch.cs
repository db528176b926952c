using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

/// <summary>
/// The portal's catalogue page end to end, as browsers load it: each of <c>users</c> people signs in through the
/// portal (OpenID Connect through identity's sign-in page, a session cookie), then asks for <c>/catalogue?…</c> pages
/// from the same mix of searches as the API scenario. The page is rendered on the server: the portal takes the person's
/// token from the session store (Redis), calls the search API through the gateway, and writes the HTML. Measured with
/// no pause between pages (every user clicking as fast as the page comes back) and with a think time.
/// </summary>
public static class PortalSearch
{
    public static async Task RunAsync(TestPlatform app, HttpClient admin, Uri gateway, int courses, int paths, int seconds, int users, double thinkSeconds)
    {
        var (email, password, apiQueries) = await CatalogueSearch.GenerateAsync(app, admin, gateway, courses, paths);
        var pages = apiQueries.Select(ToPortal).ToList();
        Console.WriteLine($"Signing {users} browsers in through the portal…");
        var browsers = new List<HttpClient>();
        for (var i = 0; i < users; i++) browsers.Add(await SignInAsync(gateway, email, password));
        var first = await browsers[0].GetStringAsync("/catalogue?q=safety");
        var results = Regex.Match(first, @"<h2 id=""results-heading"">([^<]+)</h2>").Groups[1].Value;
        Console.WriteLine($"/catalogue?q=safety answers a page of {first.Length / 1024.0:0} KB: \"{results}\"");
        foreach (var page in pages) await LoadAsync(browsers[0], page); // the search API's cache, as in production

        await MeasureAsync(app, "portal catalogue page, no think time", browsers, pages, seconds, TimeSpan.Zero);
        await MeasureAsync(app, $"portal catalogue page, {thinkSeconds:0.#} s think time", browsers, pages, seconds, TimeSpan.FromSeconds(thinkSeconds));
        foreach (var browser in browsers) browser.Dispose();
    }

    /// <summary>The API's search query as the portal's address: the duration range becomes the page's duration bucket.</summary>
    private static string ToPortal(string query) => query.Replace("minDuration=30&maxDuration=90", "duration=30-60");

    /// <summary>A browser: a cookie jar that follows redirects, signed in through /sign-in and identity's page.</summary>
    public static async Task<HttpClient> SignInAsync(Uri gateway, string email, string password)
    {
        var browser = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = gateway,
        };
        using var login = await browser.GetAsync("/sign-in?returnUrl=%2F");
        var page = await login.Content.ReadAsStringAsync();
        var token = Regex.Match(page, "name=\"(__RequestVerificationToken)\" value=\"([^\"]+)\"");
        var returnUrl = WebUtility.HtmlDecode(Regex.Match(page, "name=\"returnUrl\" value=\"([^\"]*)\"").Groups[1].Value);
        using var home = await browser.PostAsync(new Uri(login.RequestMessage!.RequestUri!, "/account/login"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [token.Groups[1].Value] = WebUtility.HtmlDecode(token.Groups[2].Value), ["email"] = email, ["password"] = password, ["returnUrl"] = returnUrl,
        }));
        var body = await home.Content.ReadAsStringAsync();
        if (!home.IsSuccessStatusCode || !body.Contains("Welcome", StringComparison.Ordinal))
            throw new InvalidOperationException($"portal sign-in ended at {home.RequestMessage!.RequestUri} ({(int)home.StatusCode})");
        return browser;
    }

    private static async Task LoadAsync(HttpClient browser, string query)
    {
        using var response = await browser.GetAsync($"/catalogue?{query}", HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        if (response.RequestMessage!.RequestUri!.AbsolutePath != "/catalogue") throw new InvalidOperationException($"redirected to {response.RequestMessage.RequestUri}");
    }

    private static async Task MeasureAsync(TestPlatform app, string name, List<HttpClient> browsers, List<string> pages, int seconds, TimeSpan think)
    {
        var latencies = new ConcurrentBag<double>();
        var cpu = new CpuUse(app, [ResourceNames.Portal, ResourceNames.Gateway, ResourceNames.CatalogueApi, ResourceNames.Redis, ResourceNames.Postgres]);
        cpu.Sample();
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var end = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(browsers.Select(async (browser, user) =>
        {
            var random = new Random(user);
            // Users start spread over one think time, not all at once.
            if (think > TimeSpan.Zero) await Task.Delay(think * random.NextDouble());
            while (clock.Elapsed < end)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await LoadAsync(browser, pages[random.Next(pages.Count)]);
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
                catch { Interlocked.Increment(ref errors); }
                if (think > TimeSpan.Zero) await Task.Delay(think * (0.5 + random.NextDouble()));
            }
        }));
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        Console.WriteLine($"{name}: {sorted.Length / clock.Elapsed.TotalSeconds:N0} pages/s for {browsers.Count} signed-in users; " +
                          $"p50 {P(0.5):0.0} ms, p90 {P(0.9):0.0} ms, p95 {P(0.95):0.0} ms, p99 {P(0.99):0.0} ms, max {sorted.LastOrDefault():0} ms; {errors} errors");
        Console.WriteLine($"  CPU: {cpu.Sample()} (200% = both cores)");
    }
}
