using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using UglyToad.PdfPig;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// Certifications and certificates through the gateway. Completions recorded with a past date (as a migrated record
/// would be) put the clock where a window has opened or a certification has run out, without waiting months.
/// </summary>
public class CertificationTests(PlatformFixture platform)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_window_assigns_the_refresher_due_at_the_expiry_and_completing_it_renews_from_the_old_expiry()
    {
        var admin = platform.Gateway;
        var refresher = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Fire safety refresher");
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Fire safety", d =>
            d["compliance"] = new { validityMonths = 12, recertificationWindowDays = 30, refresherCourseId = refresher });
        var userId = await Users.CreateAsync(admin, "certified");
        await EnrolmentClient.LearnerCopyAsync(admin, userId);
        var enrolmentId = await EnrolAsync(admin, userId, course);

        // Completed eleven months and twenty days ago: it expires in ten days, so its 30-day window is open.
        var completedAt = DateTimeOffset.UtcNow.AddMonths(-12).AddDays(10).AddMinutes(-5);
        await CompleteAsync(admin, enrolmentId, completedAt, "migrated from the old LMS");
        var certification = await Eventually.ReachesAsync(() => CertificationAsync(admin, userId), c => c?.GetProperty("status").GetString() == "WindowOpen",
            Soon, "the window opened");
        var expires = certification!.Value.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.Equal(completedAt.AddMonths(12).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.Equal(1, certification.Value.GetProperty("cycle").GetInt32());
        Assert.Equal(refresher, certification.Value.GetProperty("renewalCourseId").GetGuid());

        // The refresher is assigned for the renewal, due at the expiry, and says why it exists.
        var renewalId = certification.Value.GetProperty("renewalEnrolmentId").GetGuid();
        var renewal = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{renewalId}");
        Assert.Equal(refresher, renewal.GetProperty("courseId").GetGuid());
        Assert.Equal("Recertification", renewal.GetProperty("source").GetString());
        Assert.Equal(certification.Value.GetProperty("id").GetGuid().ToString(), renewal.GetProperty("sourceReference").GetString());
        Assert.Equal(expires.ToUnixTimeSeconds(), renewal.GetProperty("dueAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.False(renewal.GetProperty("overdue").GetBoolean());

        // An audience of the people whose certification expires within 30 days has them in it...
        using (var created = await admin.PostAsJsonAsync("/api/enrolment/audiences", new
        {
            name = $"Fire safety renewals {Guid.NewGuid():N}"[..30], rule = new { type = "certificationExpiring", courseId = course, withinDays = 30 },
            courseIds = new[] { refresher }, leavePolicy = "Keep", graceDays = 0,
        }))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var audience = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            using (var published = await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/publish", new { }))
                Assert.Equal(HttpStatusCode.OK, published.StatusCode);
            await Eventually.ReachesAsync(() => MembersAsync(admin, audience), m => m.SequenceEqual([userId]), Soon, "the renewals audience");
            var why = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/people/{userId}");
            Assert.Contains("certified until", why.ToString());

            // ... and renewing inside the window costs nothing: the next cycle runs from the old expiry (and they leave the audience).
            await CompleteAsync(admin, renewalId, null, "refresher attended");
            await Eventually.ReachesAsync(() => MembersAsync(admin, audience), m => m.Count == 0, Soon, "left the renewals audience");
        }
        var renewed = await Eventually.ReachesAsync(() => CertificationAsync(admin, userId), c => c?.GetProperty("cycle").GetInt32() == 2, Soon, "renewed");
        Assert.Equal("Certified", renewed!.Value.GetProperty("status").GetString());
        Assert.Equal(expires.AddMonths(12).ToUnixTimeSeconds(), renewed.Value.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());

        var detail = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/certifications/{renewed.Value.GetProperty("id").GetGuid()}");
        Assert.Equal(["Certified", "WindowOpened", "Renewed"], detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("change").GetString()));

        // A certificate per completion, each with the expiry of the certification it earned or renewed.
        var certificates = await Eventually.ReachesAsync(async () => await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/certificates?userId={userId}"),
            c => c.GetProperty("totalCount").GetInt32() == 2, Soon, "two certificates");
        Assert.Equal([expires.AddMonths(12).ToUnixTimeSeconds(), expires.ToUnixTimeSeconds()],
            certificates.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds()));

        // Each step is announced to the other services through the outbox (the ledger's and the memberships' by the relay).
        foreach (var (type, count) in new[] { ("CertificationAchieved", 2), ("CertificationWindowOpened", 1), ("CertificateIssued", 2), ("EnrolmentCompleted", 2),
                     ("AudienceMembershipChanged", 2) })
            await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
                $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.{type}' AND payload->>'userId' = '{userId}'"), n => n == count, Soon, type);
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.Enrolled' AND payload->>'userId' = '{userId}' AND payload->>'source' = 'Recertification'"),
            n => n == 1, Soon, "the refresher's assignment announced");
    }

    [Fact]
    public async Task Renewing_by_taking_the_course_again_withdraws_the_refresher_the_window_assigned()
    {
        var admin = platform.Gateway;
        var refresher = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Ladder refresher");
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Ladder safety", d =>
            d["compliance"] = new { validityMonths = 12, recertificationWindowDays = 30, refresherCourseId = refresher });
        var userId = await Users.CreateAsync(admin, "retaker");
        await EnrolmentClient.LearnerCopyAsync(admin, userId);
        var enrolmentId = await EnrolAsync(admin, userId, course);
        await CompleteAsync(admin, enrolmentId, DateTimeOffset.UtcNow.AddMonths(-12).AddDays(10), "migrated from the old LMS");
        var window = await Eventually.ReachesAsync(() => CertificationAsync(admin, userId), c => c?.GetProperty("status").GetString() == "WindowOpen",
            Soon, "the window opened");
        var renewalId = window!.Value.GetProperty("renewalEnrolmentId").GetGuid();

        // The person takes the course itself again instead of the refresher: that renews the certification...
        using (var reset = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{enrolmentId}/reset", new { reason = "taking it again" }))
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        await CompleteAsync(admin, enrolmentId, null, "attended the full course");
        await Eventually.ReachesAsync(() => CertificationAsync(admin, userId), c => c?.GetProperty("cycle").GetInt32() == 2, Soon, "renewed");

        // ... and the refresher the window assigned is withdrawn, saying why, instead of falling overdue at the old expiry.
        var renewal = await Eventually.ReachesAsync(async () => await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{renewalId}"),
            e => e.GetProperty("status").GetString() == "Withdrawn", Soon, "the refresher withdrawn");
        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{renewalId}/ledger");
        Assert.Contains("renewed by completing", ledger.EnumerateArray().Last().GetProperty("reason").GetString());
    }

    [Fact]
    public async Task An_unrenewed_certification_expires_its_renewal_is_overdue_and_the_certificate_verifies_as_expired()
    {
        var admin = platform.Gateway;
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Forklift licence", d => d["compliance"] = new { validityMonths = 12 });
        var (userId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "forklift");
        await EnrolmentClient.LearnerCopyAsync(admin, userId);
        var enrolmentId = await EnrolAsync(admin, userId, course);
        var completedAt = DateTimeOffset.UtcNow.AddMonths(-13);
        await CompleteAsync(admin, enrolmentId, completedAt, "licence on file");

        var expired = await Eventually.ReachesAsync(() => CertificationAsync(admin, userId), c => c?.GetProperty("status").GetString() == "Expired", Soon, "expired");
        var expiredAt = expired!.Value.GetProperty("expiresAt").GetDateTimeOffset();
        // Without a refresher the course is taken again: reset (its completion kept), due at the expiry, so overdue now.
        var enrolment = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{enrolmentId}");
        Assert.Equal("Enrolled", enrolment.GetProperty("status").GetString());
        Assert.True(enrolment.GetProperty("overdue").GetBoolean());
        Assert.Equal(expiredAt.ToUnixTimeSeconds(), enrolment.GetProperty("dueAt").GetDateTimeOffset().ToUnixTimeSeconds());
        var ledger = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{enrolmentId}/ledger");
        Assert.Equal(["Assigned", "Completed", "Reset", "DueDateChanged", "Expired"], ledger.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        // The passing of the due date is announced once.
        await Eventually.ReachesAsync(() => platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.BecameOverdue' AND payload->>'enrolmentId' = '{enrolmentId}'"), n => n == 1, Soon, "announced overdue");
        Assert.Equal(1, await platform.CountAsync(ResourceNames.EnrolmentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%.CertificationExpired' AND payload->>'userId' = '{userId}'"));

        // The learner sees their certificate and downloads it; another learner is told it does not exist.
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        var mine = await Eventually.ReachesAsync(async () => await learner.GetFromJsonAsync<JsonElement>("/api/enrolment/me/certificates"),
            c => c.GetArrayLength() == 1, Soon, "my certificate");
        var certificateId = mine[0].GetProperty("id").GetGuid();
        Assert.True(mine[0].GetProperty("expired").GetBoolean());
        using (var pdf = await learner.GetAsync($"/api/enrolment/certificates/{certificateId}/pdf"))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
            using var document = PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
            var text = string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text));
            Assert.Contains("forklift", text);
            Assert.Contains("Forklift licence", text);
            Assert.Contains("Expired", text);
            Assert.Contains(certificateId.ToString(), text);
            Assert.Contains($"/verify/{certificateId}", text); // the address the QR code holds
        }
        var (_, _, otherTokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "nosy");
        using (var other = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), otherTokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/enrolment/certificates/{certificateId}/pdf")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/enrolment/certificates/{certificateId}/credential")).StatusCode);
        }

        // Anyone may verify it, and learns only what the certificate says.
        using var anonymous = platform.App.CreateHttpClient(ResourceNames.Gateway);
        var verification = await anonymous.GetFromJsonAsync<JsonElement>($"/api/enrolment/certificates/{certificateId}/verification");
        Assert.Equal(["certificateId", "status", "holder", "item", "completedAt", "expiresAt", "issuedAt", "issuer"],
            verification.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Expired", verification.GetProperty("status").GetString());
        Assert.StartsWith("forklift", verification.GetProperty("holder").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/enrolment/certificates/{Guid.NewGuid()}/verification")).StatusCode);

        // The Open Badges 3.0 credential: a VC-JWT that verifies against the issuer's published keys.
        using var credential = await learner.GetAsync($"/api/enrolment/certificates/{certificateId}/credential");
        Assert.Equal(HttpStatusCode.OK, credential.StatusCode);
        Assert.Equal("application/vc+jwt", credential.Content.Headers.ContentType?.MediaType);
        var jwt = await credential.Content.ReadAsStringAsync();
        var keys = new JsonWebKeySet(await anonymous.GetStringAsync("/api/enrolment/issuer/jwks"));
        var issuer = (await anonymous.GetFromJsonAsync<JsonElement>("/api/enrolment/issuer")).GetProperty("id").GetString();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = issuer, ValidateAudience = false, IssuerSigningKeys = keys.GetSigningKeys(), ValidateLifetime = false,
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("ES256", token.Alg);
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)).RootElement;
        Assert.Contains("OpenBadgeCredential", payload.GetProperty("type").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("Forklift licence", payload.GetProperty("credentialSubject").GetProperty("achievement").GetProperty("name").GetString());
        Assert.Equal($"urn:uuid:{certificateId}", payload.GetProperty("jti").GetString());
        Assert.Equal(expiredAt.ToUnixTimeSeconds(), payload.GetProperty("exp").GetInt64());
        // With the lifetime checked, the expired credential is refused.
        Assert.False((await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            ValidIssuer = issuer, ValidateAudience = false, IssuerSigningKeys = keys.GetSigningKeys(),
        })).IsValid);
    }

    private static async Task<Guid> EnrolAsync(HttpClient admin, Guid userId, Guid courseId)
    {
        using var created = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId, courseId });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task CompleteAsync(HttpClient admin, Guid enrolmentId, DateTimeOffset? completedAt, string reason)
    {
        using var completed = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{enrolmentId}/complete", new { completedAt, reason });
        Assert.True(completed.StatusCode == HttpStatusCode.OK, await completed.Content.ReadAsStringAsync());
    }

    private static async Task<List<Guid>> MembersAsync(HttpClient admin, Guid audience) =>
        [.. (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/audiences/{audience}/members")).GetProperty("items").EnumerateArray()
            .Select(m => m.GetProperty("userId").GetGuid())];

    private static async Task<JsonElement?> CertificationAsync(HttpClient admin, Guid userId)
    {
        var page = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/certifications?userId={userId}");
        return page.GetProperty("totalCount").GetInt32() == 1 ? page.GetProperty("items")[0] : null;
    }
}
