using Microsoft.AspNetCore.Http.HttpResults;

namespace LmsPlatform.ContentDelivery.Apis;

/// <summary>
/// An uploaded file, received: copied from the multipart field <c>file</c> to a temporary file (a zip is read from
/// its end, a sniffer and a scanner read it again, a store writes it), deleted when this is disposed; with the
/// optional <c>title</c> field.
/// </summary>
public sealed class ReceivedUpload(FileStream file, string fileName, string? title) : IAsyncDisposable
{
    public FileStream File { get; } = file;
    public string FileName { get; } = fileName;
    public string? Title { get; } = title;

    public ValueTask DisposeAsync() => File.DisposeAsync();

    /// <summary>The request's upload, or the field errors (no file, empty, too large, a title too long) as a 400.</summary>
    public static async Task<(ReceivedUpload? Upload, ValidationProblem? Invalid)> ReceiveAsync(HttpContext http, long maxBytes, string holding, CancellationToken ct)
    {
        var required = $"is required: a multipart field named 'file' holding {holding}";
        if (!http.Request.HasFormContentType) return (null, Invalid("file", required));
        var form = await http.Request.ReadFormAsync(ct);
        if (form.Files.GetFile("file") is not { } file) return (null, Invalid("file", required));
        if (file.Length == 0) return (null, Invalid("file", "is empty"));
        if (file.Length > maxBytes) return (null, Invalid("file", $"is larger than {maxBytes / 1024 / 1024:N0} MB"));
        var title = form["title"].FirstOrDefault();
        if (title is { Length: > 200 }) return (null, Invalid("title", "must be at most 200 characters"));
        var copy = new FileStream(Path.Combine(Path.GetTempPath(), $"lms-upload-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await file.CopyToAsync(copy, ct);
        copy.Position = 0;
        return (new ReceivedUpload(copy, Path.GetFileName(file.FileName), string.IsNullOrWhiteSpace(title) ? null : title.Trim()), null);
    }

    public static ValidationProblem Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
