using System.Text;

namespace LmsPlatform.ContentDelivery.Model.Files;

/// <summary>What an uploaded file's bytes say it is: its media type and whether learners watch or listen to it (media) or read it (a document).</summary>
public sealed record SniffedType(string MediaType, bool IsMedia, string Family);

/// <summary>
/// Decides what an uploaded file is from its first bytes, never from the name or the type the browser declared:
/// PDF, MP4 / WebM / Ogg video, MP3 / WAV / Ogg audio, PNG / JPEG / GIF images, Office documents (zip with their
/// extension). Anything else is refused, as is a file whose name claims another family than its bytes (a PDF named
/// <c>.mp4</c>): people and browsers would be misled. <see cref="HeaderLength"/> bytes are enough.
/// </summary>
public static class ContentSniffer
{
    public const int HeaderLength = 16;

    public static readonly string Accepted = "PDF, MP4 / WebM / Ogg video, MP3 / WAV / Ogg audio, PNG / JPEG / GIF images, Word / Excel / PowerPoint documents";

    private static readonly Dictionary<string, string> FamilyOfExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = "pdf", [".mp4"] = "video", [".m4v"] = "video", [".webm"] = "video", [".ogv"] = "video", [".mp3"] = "audio", [".wav"] = "audio",
        [".ogg"] = "audio", [".oga"] = "audio", [".m4a"] = "audio", [".png"] = "image", [".jpg"] = "image", [".jpeg"] = "image", [".gif"] = "image",
        [".docx"] = "office", [".xlsx"] = "office", [".pptx"] = "office",
    };

    private static readonly Dictionary<string, string> OfficeTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    };

    /// <summary>The type, or null with why not.</summary>
    public static (SniffedType? Type, string? Problem) Sniff(ReadOnlySpan<byte> header, string fileName)
    {
        var extension = Path.GetExtension(fileName);
        var sniffed = Detect(header, extension);
        if (sniffed is null) return (null, $"This is not a kind of file learners can open here ({Accepted}).");
        if (FamilyOfExtension.TryGetValue(extension, out var claimed) && claimed != sniffed.Family
            && !(claimed is "video" or "audio" && sniffed.Family is "video" or "audio"))
            return (null, $"The file is named '{extension}' but its content is {Describe(sniffed.Family)}: rename it or upload the right file.");
        return (sniffed, null);
    }

    private static SniffedType? Detect(ReadOnlySpan<byte> h, string extension)
    {
        if (h.StartsWith("%PDF-"u8)) return new("application/pdf", false, "pdf");
        if (h.Length >= 12 && h[4..8].SequenceEqual("ftyp"u8))
            return extension.Equals(".m4a", StringComparison.OrdinalIgnoreCase) ? new("audio/mp4", true, "audio") : new("video/mp4", true, "video");
        if (h.StartsWith(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 })) return new("video/webm", true, "video");
        if (h.StartsWith("OggS"u8)) return extension.Equals(".ogv", StringComparison.OrdinalIgnoreCase) ? new("video/ogg", true, "video") : new("audio/ogg", true, "audio");
        if (h.StartsWith("ID3"u8) || (h.Length >= 2 && h[0] == 0xFF && (h[1] & 0xE0) == 0xE0)) return new("audio/mpeg", true, "audio");
        if (h.Length >= 12 && h.StartsWith("RIFF"u8) && h[8..12].SequenceEqual("WAVE"u8)) return new("audio/wav", true, "audio");
        if (h.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })) return new("image/png", false, "image");
        if (h.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })) return new("image/jpeg", false, "image");
        if (h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8)) return new("image/gif", false, "image");
        if (h.StartsWith("PK\x03\x04"u8) && OfficeTypes.TryGetValue(extension, out var office)) return new(office, false, "office");
        return null;
    }

    private static string Describe(string family) => family switch
    {
        "pdf" => "a PDF",
        "office" => "an Office document",
        "image" => "an image",
        _ => family,
    };

    /// <summary>A file name safe to keep and to serve: its last segment, without control characters or separators, at most 120 characters.</summary>
    public static string SafeName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var builder = new StringBuilder();
        foreach (var c in name) builder.Append(char.IsControl(c) || c is '/' or ':' or '*' or '?' or '"' or '<' or '>' or '|' or '%' or '#' ? '_' : c);
        var safe = builder.ToString().Trim().TrimStart('.');
        if (safe.Length == 0) safe = "file";
        return safe.Length <= 120 ? safe : safe[..(120 - Path.GetExtension(safe).Length)] + Path.GetExtension(safe);
    }
}
