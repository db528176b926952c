using Microsoft.AspNetCore.Http;

namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>An uploaded file as an import reads it, or why it cannot be taken (the field it names and the reason).</summary>
public sealed record Upload(byte[] Content, string FileName)
{
    /// <summary>
    /// The file of a request: a multipart field named <c>file</c>, or else the whole body (a <c>text/csv</c> upload from
    /// a script), refused when missing, empty or larger than <paramref name="maxBytes"/>. The name is the file's own,
    /// without any path, at most 200 characters.
    /// </summary>
    public static async Task<(Upload? File, string? Error)> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        var tooLarge = $"is larger than {maxBytes / 1024 / 1024} MB";
        using var buffer = new MemoryStream();
        var fileName = "upload.csv";
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(ct);
            if (form.Files.GetFile("file") is not { } file) return (null, "is required (a multipart field named 'file')");
            if (file.Length > maxBytes) return (null, tooLarge);
            await file.CopyToAsync(buffer, ct);
            fileName = Path.GetFileName(file.FileName);
        }
        else
        {
            await request.Body.CopyToAsync(buffer, ct);
            if (buffer.Length > maxBytes) return (null, tooLarge);
        }
        if (buffer.Length == 0) return (null, "is empty");
        return (new Upload(buffer.ToArray(), fileName.Length > 200 ? fileName[..200] : fileName), null);
    }
}
