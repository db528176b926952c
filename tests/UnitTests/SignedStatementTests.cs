using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.UnitTests;

/// <summary>
/// Signed statements: a JWS whose payload is the statement, signed with RS256/384/512, checked against the signer's
/// certificate when the header carries one. Each way a signature can be malformed is refused with its reason.
/// </summary>
public class SignedStatementTests
{
    private const string Statement = """
        {
          "actor": { "mbox": "mailto:ada@example.com" },
          "verb": { "id": "http://adlnet.gov/expapi/verbs/completed" },
          "object": { "id": "https://lms.example/activities/fire-safety" },
          "context": { "contextActivities": { "parent": { "id": "https://lms.example/courses/1" } } },
          "timestamp": "2026-12-05T09:00:00Z"
        }
        """;

    private static readonly RSA Key = RSA.Create(2048);

    private static readonly X509Certificate2 Certificate =
        new CertificateRequest("CN=Signer", Key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>A JWS of <paramref name="payload"/> with the header given, signed by <paramref name="key"/> (SHA-256 unless the header says otherwise).</summary>
    internal static string Jws(string payload, JsonObject header, RSA? key = null)
    {
        var head = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
        var body = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var hash = (header["alg"] as JsonValue)?.ToString() switch { "RS384" => HashAlgorithmName.SHA384, "RS512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        var signature = (key ?? Key).SignData(Encoding.ASCII.GetBytes(head + "." + body), hash, RSASignaturePadding.Pkcs1);
        return head + "." + body + "." + Base64Url.EncodeToString(signature);
    }

    private static JsonObject Header(string alg = "RS256", bool withCertificate = true)
    {
        var header = new JsonObject { ["alg"] = alg };
        if (withCertificate) header["x5c"] = new JsonArray(Convert.ToBase64String(Certificate.RawData));
        return header;
    }

    /// <summary>The statement as sent: what was signed, plus the signature attachment (and what an LRS would add).</summary>
    private static JsonElement Sent(string signed, string jws)
    {
        var node = JsonNode.Parse(signed)!.AsObject();
        node["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = SignedStatement.UsageType, ["display"] = new JsonObject { ["en"] = "signature" }, ["contentType"] = SignedStatement.ContentType,
            ["length"] = jws.Length, ["sha2"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(jws))),
        });
        return JsonSerializer.SerializeToElement(node);
    }

    private static string? Check(string signed, string jws) => SignedStatement.Check(Sent(signed, jws), Encoding.ASCII.GetBytes(jws));

    [Theory]
    [InlineData("RS256")]
    [InlineData("RS384")]
    [InlineData("RS512")]
    public void A_statement_signed_with_an_RSA_algorithm_and_its_certificate_is_good(string alg)
    {
        Assert.Null(Check(Statement, Jws(Statement, Header(alg))));
        Assert.Equal(SignedStatement.UsageType, Sent(Statement, "x.y.z").GetProperty("attachments")[0].GetProperty("usageType").GetString());
        Assert.NotNull(SignedStatement.SignatureHash(Sent(Statement, "x.y.z")));
        Assert.Null(SignedStatement.SignatureHash(JsonDocument.Parse(Statement).RootElement));
    }

    [Fact]
    public void Without_a_certificate_the_signature_is_stored_unverified_and_a_different_context_activity_form_still_matches()
    {
        var asArray = Statement.Replace("\"parent\": { \"id\": \"https://lms.example/courses/1\" }", "\"parent\": [ { \"id\": \"https://lms.example/courses/1\" } ]");
        Assert.NotEqual(Statement, asArray);
        Assert.Null(Check(asArray, Jws(Statement, Header(withCertificate: false))));
    }

    [Fact]
    public void A_payload_that_is_not_the_statement_is_refused()
    {
        var other = Statement.Replace("fire-safety", "first-aid");
        Assert.Contains("payload is not this statement", Check(other, Jws(Statement, Header())));
        var later = Statement.Replace("09:00:00Z", "10:00:00Z");
        Assert.Contains("payload is not this statement", Check(later, Jws(Statement, Header())));
    }

    [Fact]
    public void A_signature_from_another_key_than_the_certificate_s_is_refused()
    {
        using var other = RSA.Create(2048);
        Assert.Contains("does not verify", Check(Statement, Jws(Statement, Header(), other)));
    }

    [Theory]
    [InlineData("HS256", "must be RS256, RS384 or RS512")]
    [InlineData("none", "must be RS256, RS384 or RS512")]
    public void An_algorithm_other_than_RSA_is_refused(string alg, string reason) =>
        Assert.Contains(reason, Check(Statement, Jws(Statement, Header(alg))));

    [Theory]
    [InlineData("not a jws", "not a JWS")]
    [InlineData("a.b", "not a JWS")]
    [InlineData("!!.$$.%%", "not base64url")]
    public void Something_that_is_not_a_JWS_is_refused(string jws, string reason) => Assert.Contains(reason, Check(Statement, jws));

    [Theory]
    [InlineData("""{"alg":5}""", "{}", "must be RS256")]
    [InlineData("""{"alg":"RS256"}""", """{"timestamp":5}""", "payload is not a valid statement")]
    [InlineData("""{"alg":"RS256"}""", """{"context":5}""", "payload is not a valid statement")]
    public void A_header_or_payload_of_the_wrong_shape_is_malformed_not_an_error(string header, string payload, string reason) =>
        Assert.Contains(reason, Check(Statement, Jws(payload, JsonNode.Parse(header)!.AsObject())));

    [Fact]
    public void A_certificate_that_cannot_be_read_is_refused()
    {
        var header = new JsonObject { ["alg"] = "RS256", ["x5c"] = new JsonArray("bm90IGEgY2VydGlmaWNhdGU=") };
        Assert.Contains("not a readable X.509 certificate", Check(Statement, Jws(Statement, header)));
    }

    [Fact]
    public void A_signature_attachment_of_another_content_type_is_invalid()
    {
        var node = JsonNode.Parse(Statement)!.AsObject();
        node["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = SignedStatement.UsageType, ["display"] = new JsonObject { ["en"] = "signature" }, ["contentType"] = "application/jose",
            ["length"] = 3, ["sha2"] = new string('a', 64),
        });
        Assert.Contains(StatementValidator.Validate(JsonSerializer.SerializeToElement(node), XapiVersion.V103),
            fault => fault.Contains("attachments[0].contentType: a signature's contentType must be application/octet-stream"));
    }
}
