using System.Globalization;
using System.Text.RegularExpressions;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>The xAPI versions this LRS speaks: 1.0.3 (any <c>1.0.x</c> request) and 2.0 (IEEE 9274.1.1, <c>2.0.x</c>).</summary>
public enum XapiVersion
{
    V103,
    V200,
}

public static class XapiVersions
{
    public const string Header = "X-Experience-API-Version";
    public const string ConsistentThrough = "X-Experience-API-Consistent-Through";

    /// <summary>The version a request asks for by its header: <c>1.0</c> and any <c>1.0.x</c> are 1.0.3, any <c>2.0.x</c> is 2.0; anything else is refused.</summary>
    public static XapiVersion? FromHeader(string? value) => value?.Trim() switch
    {
        "1.0" => XapiVersion.V103,
        { } v when Regex.IsMatch(v, @"^1\.0\.\d+$") => XapiVersion.V103,
        { } v when Regex.IsMatch(v, @"^2\.0\.\d+$") => XapiVersion.V200,
        _ => null,
    };

    /// <summary>What the LRS answers in the header: the latest patch of the rule set that served the request.</summary>
    public static string Name(this XapiVersion version) => version == XapiVersion.V200 ? "2.0.0" : "1.0.3";

    /// <summary>The <c>version</c> a stored statement gets when it came without one.</summary>
    public static string StatementDefault(this XapiVersion version) => version == XapiVersion.V200 ? "2.0.0" : "1.0.0";
}

/// <summary>
/// The formats the xAPI data model names (IRI, mailto IRI, UUID, ISO 8601 timestamp and duration, RFC 5646 language
/// tag, MIME type, SHA-2), checked the same way for statements, query parameters and document requests.
/// </summary>
public static partial class XapiFormats
{
    /// <summary>An absolute IRI: a scheme, then something, and no white space or control characters (RFC 3987, checked by syntax).</summary>
    public static bool IsIri(string value) => IriPattern().IsMatch(value);

    public static bool IsMailto(string value) => MailtoPattern().IsMatch(value);

    public static bool IsUuid(string value) => UuidPattern().IsMatch(value);

    public static bool IsSha1(string value) => Sha1Pattern().IsMatch(value);

    public static bool IsSha2(string value) => Sha2Pattern().IsMatch(value);

    public static bool IsLanguageTag(string value) => LanguageTagPattern().IsMatch(value);

    public static bool IsMimeType(string value) => MimePattern().IsMatch(value);

    public static bool IsDuration(string value) => DurationPattern().IsMatch(value) && value is not ("P" or "PT") && !value.EndsWith('T');

    /// <summary>
    /// An ISO 8601 timestamp with a date and a time, in the extended or basic form, RFC 3339's space separator allowed;
    /// a negative zero offset (<c>-00</c>, <c>-0000</c>, <c>-00:00</c>) is not ISO 8601 and is refused.
    /// </summary>
    public static bool TryParseTimestamp(string value, out DateTimeOffset timestamp)
    {
        timestamp = default;
        var match = TimestampPattern().Match(value);
        if (!match.Success) return false;
        var zone = match.Groups["zone"].Value;
        if (zone.StartsWith('-') && zone.Trim('-', ':', '0').Length == 0) return false;
        string extended;
        if (match.Groups["basic"].Success)
        {
            // 20080915T155300.601Z → 2008-09-15T15:53:00.601Z
            var g = match.Groups;
            extended = $"{g["by"].Value}-{g["bmo"].Value}-{g["bd"].Value}T{g["bh"].Value}:{g["bmi"].Value}:{(g["bs"].Success ? g["bs"].Value : "00")}{Fraction(g["bf"].Value)}{NormaliseZone(zone)}";
        }
        else
        {
            var g = match.Groups;
            extended = $"{g["y"].Value}-{g["mo"].Value}-{g["d"].Value}T{g["h"].Value}:{g["mi"].Value}:{(g["s"].Success ? g["s"].Value : "00")}{Fraction(g["f"].Value)}{NormaliseZone(zone)}";
        }
        return DateTimeOffset.TryParse(extended, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp);

        static string Fraction(string fraction) => (fraction.Length > 8 ? fraction[..8] : fraction).Replace(',', '.');
        static string NormaliseZone(string zone) => zone switch
        {
            "" => "Z",
            "Z" or "z" => "Z",
            { Length: 3 } => zone + ":00",
            { Length: 5 } => zone[..3] + ":" + zone[3..],
            _ => zone,
        };
    }

    /// <summary>A timestamp as the LRS writes it: UTC, milliseconds, <c>Z</c>.</summary>
    public static string Format(DateTimeOffset timestamp) =>
        timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\p{Cc}]+$")]
    private static partial Regex IriPattern();

    [GeneratedRegex(@"^mailto:[^@\s\p{Cc}:/]+@[^@\s\p{Cc}/]+\.[^@\s\p{Cc}/]+$")]
    private static partial Regex MailtoPattern();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex UuidPattern();

    [GeneratedRegex("^[0-9a-fA-F]{40}$")]
    private static partial Regex Sha1Pattern();

    [GeneratedRegex("^([0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})$")]
    private static partial Regex Sha2Pattern();

    // RFC 5646: language[-script][-region](-variant)*(-extension)*[-privateuse], a private-use tag, or a grandfathered one.
    [GeneratedRegex(@"^(?:(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-[xX](?:-[A-Za-z0-9]{1,8})+)?|[xX](?:-[A-Za-z0-9]{1,8})+|[iI]-[A-Za-z]{2,8}|en-GB-oed|sgn-[A-Z]{2}-[A-Z]{3})$")]
    private static partial Regex LanguageTagPattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+\-]*(?:\s*;\s*[A-Za-z0-9!#$&^_.+\-]+=(?:[A-Za-z0-9!#$&^_.+\-]+|""[^""]*""))*$")]
    private static partial Regex MimePattern();

    // PnYnMnDTnHnMnS (each part optional, a fraction allowed) or PnW.
    [GeneratedRegex(@"^(?:P(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?D)?(?:T(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?|P\d+(?:\.\d+)?W)$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?:(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[Tt ](?<h>\d{2}):(?<mi>\d{2})(?::(?<s>\d{2})(?<f>[.,]\d+)?)?|(?<basic>(?<by>\d{4})(?<bmo>\d{2})(?<bd>\d{2})[Tt](?<bh>\d{2})(?<bmi>\d{2})(?:(?<bs>\d{2})(?<bf>[.,]\d+)?)?))(?<zone>[Zz]|[+\-]\d{2}(?::?\d{2})?)?$")]
    private static partial Regex TimestampPattern();
}
