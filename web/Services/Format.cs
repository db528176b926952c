using System.Globalization;

namespace LmsPlatform.Portal.Services;

/// <summary>How the portal writes durations, languages, dates and the catalogue's words for people.</summary>
public static class Format
{
    public static string Duration(int minutes) => minutes switch
    {
        <= 0 => "no set duration",
        < 60 => $"{minutes} min",
        _ when minutes % 60 == 0 => $"{minutes / 60} h",
        _ => $"{minutes / 60} h {minutes % 60} min",
    };

    // The portal runs with invariant globalisation (no ICU), so the common languages' names are written here.
    private static readonly Dictionary<string, string> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ar"] = "Arabic", ["cs"] = "Czech", ["da"] = "Danish", ["de"] = "German", ["el"] = "Greek", ["en"] = "English",
        ["es"] = "Spanish", ["fi"] = "Finnish", ["fr"] = "French", ["he"] = "Hebrew", ["hi"] = "Hindi", ["hu"] = "Hungarian",
        ["id"] = "Indonesian", ["it"] = "Italian", ["ja"] = "Japanese", ["ko"] = "Korean", ["nb"] = "Norwegian", ["nl"] = "Dutch",
        ["pl"] = "Polish", ["pt"] = "Portuguese", ["ro"] = "Romanian", ["ru"] = "Russian", ["sv"] = "Swedish", ["th"] = "Thai",
        ["tr"] = "Turkish", ["uk"] = "Ukrainian", ["vi"] = "Vietnamese", ["zh"] = "Chinese",
    };

    /// <summary>"English", "Portuguese (BR)"; a language the list does not know keeps its tag.</summary>
    public static string Language(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag)) return "";
        var parts = tag.Split('-', 2);
        return Languages.TryGetValue(parts[0], out var name) ? parts.Length == 2 ? $"{name} ({parts[1].ToUpperInvariant()})" : name : tag;
    }

    public static string DeliveryType(string? value) => value switch
    {
        "e-learning" or "ELearning" => "E-learning",
        "instructor-led" or "InstructorLed" => "Instructor-led",
        "blended" or "Blended" => "Blended",
        _ => value ?? "",
    };

    public static string Kind(string? value) => value switch
    {
        "course" => "Course",
        "learning-path" => "Learning path",
        _ => value ?? "",
    };

    public static string DurationBucket(string value) => value switch
    {
        "under-30" => "Under 30 min",
        "30-60" => "30 min to 1 h",
        "60-120" => "1 to 2 h",
        "120-plus" => "2 h or more",
        _ => value,
    };

    public static string Date(DateTimeOffset? value) => value?.ToString("d MMM yyyy", CultureInfo.InvariantCulture) ?? "";

    public static string DateTime(DateTimeOffset? value) => value?.ToString("d MMM yyyy HH:mm 'UTC'", CultureInfo.InvariantCulture) ?? "";

    /// <summary>A size as people read it: 512 bytes, 1.4 MB, 2.1 GB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024 / 1024:0.#} GB"),
    };

    /// <summary>A time spent: 45 s, 12 min, 1 h 5 min.</summary>
    public static string Seconds(double seconds) => seconds switch
    {
        < 60 => $"{Math.Round(seconds)} s",
        < 3600 => $"{Math.Round(seconds / 60)} min",
        _ => $"{(int)(seconds / 3600)} h {Math.Round(seconds % 3600 / 60)} min",
    };
}
