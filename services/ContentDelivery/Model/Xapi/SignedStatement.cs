using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// xAPI's signed statements: a statement carries a JWS (compact serialisation) as an attachment of usage type
/// <see cref="UsageType"/>, whose payload is the statement as it was before the signature was added. The LRS refuses a
/// malformed signature: not a JWS, an algorithm other than RS256/384/512, a payload that is not the statement (compared
/// as a repeated statement id is, so what the LRS itself sets does not count), or, when the header names the signer's
/// X.509 certificate (<c>x5c</c>), a signature that certificate's key does not verify. Without <c>x5c</c> the LRS cannot
/// know the key and stores the statement with its signature for whoever reads it to check.
/// </summary>
public static class SignedStatement
{
    public const string UsageType = "http://adlnet.gov/expapi/attachments/signature", ContentType = "application/octet-stream";

    /// <summary>The signature attachment's SHA-2, when the statement is signed.</summary>
    public static string? SignatureHash(JsonElement statement)
    {
        if (!statement.TryGetProperty("attachments", out var attachments)) return null;
        foreach (var attachment in attachments.EnumerateArray())
            if (attachment.GetProperty("usageType").GetString() == UsageType) return attachment.GetProperty("sha2").GetString();
        return null;
    }

    /// <summary>Why <paramref name="jws"/> is not a good signature of <paramref name="statement"/>; null when it is.</summary>
    public static string? Check(JsonElement statement, byte[] jws, XapiVersion version = XapiVersion.V103)
    {
        var parts = Encoding.ASCII.GetString(jws).Trim().Split('.');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            return "The signature is not a JWS in compact serialisation (header.payload.signature).";
        JsonElement header, payload;
        byte[] signature;
        try
        {
            header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement;
            payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement;
            signature = Base64Url.DecodeFromChars(parts[2]);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return "The signature's header, payload or signature is not base64url-encoded JSON.";
        }
        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
            return "The signature's header and payload must be JSON objects.";
        var hash = header.TryGetProperty("alg", out var alg) && alg.ValueKind == JsonValueKind.String ? alg.GetString() switch
        {
            "RS256" => HashAlgorithmName.SHA256,
            "RS384" => HashAlgorithmName.SHA384,
            "RS512" => HashAlgorithmName.SHA512,
            _ => default,
        } : default;
        if (hash == default) return "The signature's algorithm (alg) must be RS256, RS384 or RS512.";

        if (StatementValidator.Validate(payload, version).FirstOrDefault() is { } fault)
            return $"The signature's payload is not a valid statement: {fault}";
        if (Comparable(payload) != Comparable(statement))
            return "The signature's payload is not this statement: a signed statement must be what was signed.";

        if (header.TryGetProperty("x5c", out var chain))
        {
            if (chain.ValueKind != JsonValueKind.Array || chain.GetArrayLength() == 0 || chain[0].ValueKind != JsonValueKind.String)
                return "The signature's x5c must be an array of base64 certificates, the signer's first.";
            try
            {
                using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(chain[0].GetString()!));
                using var key = certificate.GetRSAPublicKey();
                if (key is null) return "The signer's certificate (x5c) holds no RSA key.";
                if (!key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, hash, RSASignaturePadding.Pkcs1))
                    return "The signature does not verify with the key of the signer's certificate (x5c).";
            }
            catch (Exception e) when (e is FormatException or CryptographicException)
            {
                return "The signer's certificate (x5c) is not a readable X.509 certificate.";
            }
        }
        return null;
    }

    private static readonly JsonElement NoAuthority = JsonDocument.Parse("{}").RootElement;

    /// <summary>A statement as a repeated id is compared: its stored form (context activities as arrays) without what the LRS sets.</summary>
    private static string Comparable(JsonElement statement)
    {
        var stored = StatementDocument.CompleteJson(statement, Guid.Empty, DateTimeOffset.UnixEpoch, NoAuthority, XapiVersion.V103);
        using var document = JsonDocument.Parse(stored);
        return StatementDocument.Signature(document.RootElement, withTimestamp: true);
    }
}
