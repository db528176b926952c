using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static LmsPlatform.IntegrationTests.Portal.PortalBrowser;

namespace LmsPlatform.IntegrationTests.Portal;

/// <summary>
/// A learner finds their certification and certificate on their home page, downloads the PDF, and anyone (signed in or
/// not) can check it on its verification page; an administrator lists certifications by status and reads one's history.
/// </summary>
public class CertificateScreenTests(PlatformFixture platform, BrowserFixture chromium) : BrowserTests(platform, chromium)
{
    [Fact]
    public async Task A_learner_downloads_their_certificate_anyone_verifies_it_and_an_administrator_reads_the_certification()
    {
        var tag = "Heron" + Guid.NewGuid().ToString("N")[..6];
        var (userId, email, password) = await Identity.People.CreateWithPasswordAsync(Platform.App, Platform.Gateway, $"{tag}cert", null, []);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(Platform.Gateway, userId);
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(Platform, $"{tag} first aid", d =>
            d["compliance"] = new { validityMonths = 24, recertificationWindowDays = 60 });
        using (var created = await Platform.Gateway.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId }))
        {
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using var completed = await Platform.Gateway.PostAsJsonAsync($"/api/enrolment/enrolments/{id}/complete",
                new { completedAt = DateTimeOffset.UtcNow.AddDays(-3), reason = "course attended on site" });
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }
        var certificateId = await Eventually.ReachesAsync(async () => await Platform.Gateway.GetFromJsonAsync<JsonElement>($"/api/enrolment/certificates?userId={userId}"),
            c => c.GetProperty("totalCount").GetInt32() == 1, TimeSpan.FromSeconds(30), "the certificate").ContinueWith(t => t.Result.GetProperty("items")[0].GetProperty("id").GetGuid());

        foreach (var width in new[] { Wide, Narrow })
        {
            var page = await Browser.NewPageAsync(width);
            await JourneyAsync(page, $"my-certificates-{width}", async () =>
            {
                await SignInAsync(page, email, password);
                var certifications = page.GetByRole(AriaRole.Region, new() { Name = "Your certifications" }).GetByRole(AriaRole.Row);
                await Assertions.Expect(certifications.Nth(1)).ToContainTextAsync($"{tag} first aid");
                await Assertions.Expect(certifications.Nth(1)).ToContainTextAsync("Certified until");
                var certificate = page.GetByRole(AriaRole.Region, new() { Name = "Your certificates" }).GetByRole(AriaRole.Row).Nth(1);
                await Assertions.Expect(certificate).ToContainTextAsync($"{tag} first aid");
                await AssertAccessibleAsync(page, $"my-certificates-{width}");

                var download = await page.RunAndWaitForDownloadAsync(() =>
                    page.GetByRole(AriaRole.Link, new() { Name = $"PDF certificate for {tag} first aid" }).ClickAsync());
                Assert.EndsWith(".pdf", download.SuggestedFilename);
                var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
                Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
                var badge = await page.RunAndWaitForDownloadAsync(() =>
                    page.GetByRole(AriaRole.Link, new() { Name = $"Digital badge for {tag} first aid (Open Badges 3.0)" }).ClickAsync());
                Assert.Equal(3, (await File.ReadAllTextAsync(await badge.PathAsync())).Split('.').Length); // a compact JWS

                await page.GetByRole(AriaRole.Link, new() { Name = $"Verification page of the certificate for {tag} first aid" }).ClickAsync();
                await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("This certificate is genuine and valid.");
            });
        }

        // Someone who is not signed in (an employer following the QR code) sees the verdict and only what the certificate says.
        var visitor = await Browser.NewPageAsync(Narrow);
        await JourneyAsync(visitor, "verify-certificate", async () =>
        {
            await visitor.GotoAsync($"/verify/{certificateId}");
            await Assertions.Expect(Heading(visitor)).ToHaveTextAsync("Certificate verification");
            await Assertions.Expect(visitor.GetByRole(AriaRole.Status)).ToHaveTextAsync("This certificate is genuine and valid.");
            await Assertions.Expect(visitor.Locator("dl.facts")).ToContainTextAsync($"{tag}cert Tester");
            await Assertions.Expect(visitor.Locator("dl.facts")).Not.ToContainTextAsync(email);
            await AssertAccessibleAsync(visitor, "verify-certificate-360");
            await visitor.GotoAsync($"/verify/{Guid.NewGuid()}");
            await Assertions.Expect(visitor.GetByRole(AriaRole.Status)).ToContainTextAsync("There is no certificate with this number");
        });

        var admin = await Browser.NewPageAsync();
        await JourneyAsync(admin, "certifications", async () =>
        {
            await Browser.SignInAsAdminAsync(admin, "/manage/certifications");
            await admin.GetByLabel("Status").SelectOptionAsync("Certified");
            await admin.GetByLabel("Expiring within").SelectOptionAsync("90");
            await admin.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
            Assert.Contains("status=Certified", admin.Url);
            // Certified for 24 months: not expiring within 90 days.
            await Assertions.Expect(admin.GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} first aid" })).ToHaveCountAsync(0);
            await admin.GotoAsync("/manage/certifications?status=Certified");
            var row = admin.GetByRole(AriaRole.Row).Filter(new() { HasText = $"{tag} first aid" });
            await Assertions.Expect(row).ToContainTextAsync("Certified until");
            await AssertAccessibleAsync(admin, "certifications-1280");
            await row.GetByRole(AriaRole.Link, new() { Name = "History of" }).ClickAsync();
            await Assertions.Expect(Heading(admin)).ToHaveTextAsync($"{tag}cert Tester: {tag} first aid");
            var history = admin.GetByRole(AriaRole.Region, new() { Name = "Certification history" }).GetByRole(AriaRole.Row);
            await Assertions.Expect(history).ToHaveCountAsync(2);
            await Assertions.Expect(history.Nth(1)).ToContainTextAsync("Certified");
            await AssertAccessibleAsync(admin, "certification-history-1280");
        });
    }
}
