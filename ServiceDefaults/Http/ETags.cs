namespace LmsPlatform.ServiceDefaults.Http;

public static class ETags
{
    /// <summary>
    /// True when the client sent If-Match with a version other than the current one: its update is based on a stale
    /// read. No If-Match, or "*", is not stale.
    /// </summary>
    public static bool IsStale(string? ifMatch, string current) => ifMatch is not null && ifMatch != "*" && ifMatch != current;
}

public static class TextInput
{
    /// <summary>Trimmed text, or null for an absent or blank value.</summary>
    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
