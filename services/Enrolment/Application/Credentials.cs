using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace LmsPlatform.Enrolment.Application;

public sealed class CertificateOptions
{
    /// <summary>The organisation named on certificates and as the credentials' issuer.</summary>
    public string Organisation { get; set; } = "LmsPlatform";
    /// <summary>The platform's public address (the gateway's): verification links and the issuer's id start with it. Default: identity's issuer.</summary>
    public string? PublicUrl { get; set; }
    /// <summary>A TrueType font for certificates' text (default: DejaVu Sans where installed).</summary>
    public string? FontFile { get; set; }
}

/// <summary>The public addresses a certificate names: its verification page (the QR code) and the issuer's profile.</summary>
public sealed class CertificateLinks(IOptions<CertificateOptions> options, IConfiguration configuration)
{
    public string PublicUrl => (options.Value.PublicUrl ?? configuration["Identity:Issuer"] ?? "http://localhost").TrimEnd('/');
    public string Organisation => options.Value.Organisation;
    public string? FontFile => options.Value.FontFile;
    public string Verification(Guid certificateId) => $"{PublicUrl}/verify/{certificateId}";
    public string Issuer => $"{PublicUrl}/api/enrolment/issuer";
    public string Achievement(Guid courseId) => $"{PublicUrl}/api/enrolment/achievements/{courseId}";
}

/// <summary>
/// The key enrolment signs credentials with: an ECDSA P-256 key made on first use, kept in the service's database
/// with its private half protected by ASP.NET Core data protection (whose keys are in the same database, so every
/// replica and every restart signs with the same key), and published as a JWK set for verifiers.
/// </summary>
public sealed class CredentialSigner(IServiceScopeFactory scopes, IDataProtectionProvider protection, TimeProvider time)
{
    private const long CreateLock = 0x4C4D534B4559; // "LMSKEY"
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SigningKeyInUse? _current;

    /// <summary>The loaded key, with its public half as a JWK (made once, not per signature).</summary>
    private sealed record SigningKeyInUse(string KeyId, ECDsa Key, Dictionary<string, object> PublicJwk);

    private IDataProtector Protector => protection.CreateProtector("LmsPlatform.Enrolment.CredentialSigningKey");

    /// <summary>Signs <paramref name="payload"/> as a compact JWS (ES256) whose header carries the key id and the public key.</summary>
    public async Task<string> SignAsync(JsonObject payload, CancellationToken ct)
    {
        var current = await CurrentAsync(ct);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(payload.ToJsonString(),
            new SigningCredentials(new ECDsaSecurityKey(current.Key) { KeyId = current.KeyId }, SecurityAlgorithms.EcdsaSha256),
            new Dictionary<string, object> { ["typ"] = "JWT", ["jwk"] = current.PublicJwk });
    }

    /// <summary>The public keys (a JWK set) credentials are signed with.</summary>
    public async Task<string> KeySetAsync(CancellationToken ct)
    {
        return JsonSerializer.Serialize(new { keys = new[] { (await CurrentAsync(ct)).PublicJwk } });
    }

    private static Dictionary<string, object> PublicJwk(string keyId, ECDsa key)
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, object>
        {
            ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X), ["y"] = Base64UrlEncoder.Encode(p.Q.Y), ["kid"] = keyId,
            ["use"] = "sig", ["alg"] = "ES256",
        };
    }

    private async Task<SigningKeyInUse> CurrentAsync(CancellationToken ct)
    {
        if (_current is { } current) return current;
        await _gate.WaitAsync(ct);
        try
        {
            if (_current is { } loaded) return loaded;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<EnrolmentDbContext>();
            var stored = await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(ct) ?? await CreateAsync(db, ct);
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(Protector.Unprotect(Convert.FromBase64String(stored.ProtectedPrivateKey)), out _);
            return _current = new SigningKeyInUse(stored.KeyId, key, PublicJwk(stored.KeyId, key));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes the key, once across replicas (the first to take the lock makes it; the others find it).</summary>
    private Task<SigningKey> CreateAsync(EnrolmentDbContext db, CancellationToken ct) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({CreateLock})", ct);
        if (await db.SigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(ct) is { } made) return made;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(false);
        // The RFC 7638 thumbprint of the public key names it.
        var thumbprint = Base64UrlEncoder.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            $$"""{"crv":"P-256","kty":"EC","x":"{{Base64UrlEncoder.Encode(p.Q.X)}}","y":"{{Base64UrlEncoder.Encode(p.Q.Y)}}"}""")));
        var stored = new SigningKey
        {
            KeyId = thumbprint, CreatedAt = time.GetUtcNow(), ProtectedPrivateKey = Convert.ToBase64String(Protector.Protect(key.ExportPkcs8PrivateKey())),
        };
        db.SigningKeys.Add(stored);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return stored;
    });
}

/// <summary>
/// An Open Badges 3.0 credential for a certificate: an <c>OpenBadgeCredential</c> (a W3C verifiable credential) whose
/// subject achieved the course, issued by the organisation, valid from the completion until the certificate's expiry,
/// secured as a VC-JWT (the credential is the JWT's payload, with <c>iss</c>, <c>jti</c>, <c>sub</c>, <c>nbf</c> and
/// <c>exp</c> mirroring it). The learner is named by an id of the platform's and by a salted hash of their email.
/// </summary>
public static class OpenBadge
{
    public static JsonObject Credential(Certificate certificate, Learner holder, CertificateLinks links)
    {
        var salt = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
        var emailHash = Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(holder.Email.ToLowerInvariant() + salt))).ToLowerInvariant();
        var id = $"urn:uuid:{certificate.Id}";
        var subject = $"urn:uuid:{certificate.UserId}";
        var credential = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"),
            ["id"] = id,
            ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
            ["name"] = certificate.ItemTitle,
            ["issuer"] = new JsonObject { ["id"] = links.Issuer, ["type"] = new JsonArray("Profile"), ["name"] = links.Organisation },
            ["validFrom"] = certificate.CompletedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = subject,
                ["type"] = new JsonArray("AchievementSubject"),
                ["identifier"] = new JsonArray(new JsonObject
                {
                    ["type"] = "IdentityObject", ["identityType"] = "emailAddress", ["hashed"] = true, ["identityHash"] = $"sha256${emailHash}", ["salt"] = salt,
                }),
                ["achievement"] = new JsonObject
                {
                    ["id"] = links.Achievement(certificate.CourseId),
                    ["type"] = new JsonArray("Achievement"),
                    ["name"] = certificate.ItemTitle,
                    ["description"] = $"Completed {certificate.ItemCode} {certificate.ItemTitle} (version {certificate.Version}).",
                    ["criteria"] = new JsonObject { ["narrative"] = $"Complete every required activity of {certificate.ItemTitle}." },
                },
            },
            ["evidence"] = new JsonArray(new JsonObject { ["id"] = links.Verification(certificate.Id), ["type"] = new JsonArray("Evidence"), ["name"] = "Verification page" }),
            // Registered claims mirroring the credential (OB 3.0, VC-JWT).
            ["iss"] = links.Issuer,
            ["jti"] = id,
            ["sub"] = subject,
            ["nbf"] = certificate.CompletedAt.ToUnixTimeSeconds(),
        };
        if (certificate.ExpiresAt is { } expires)
        {
            credential["validUntil"] = expires.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ");
            credential["exp"] = expires.ToUnixTimeSeconds();
        }
        return credential;
    }
}
