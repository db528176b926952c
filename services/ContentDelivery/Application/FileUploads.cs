using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Files;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>Why an upload was refused, as the API answers it: 415 for a kind of file not taken, 422 for what the scan found.</summary>
public sealed record UploadRefusal(int Status, string Title, string Detail);

/// <summary>
/// Takes an uploaded document or media file: its bytes decide what it is (<see cref="ContentSniffer"/>), the scan hook
/// sees it, then it is stored under the item's prefix and registered as a content item (a video or audio is
/// <see cref="ContentKind.Video"/>, the rest <see cref="ContentKind.File"/>). A failure part-way leaves nothing behind.
/// </summary>
public sealed class FileUploads(ContentDbContext db, IObjectStore store, IUploadScanner scanner, TimeProvider time, ILogger<FileUploads> log)
{
    public async Task<(ContentItem? Item, UploadRefusal? Refusal)> UploadAsync(Stream file, string fileName, string? title, CancellationToken ct)
    {
        var header = new byte[ContentSniffer.HeaderLength];
        var read = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct);
        var (type, problem) = ContentSniffer.Sniff(header.AsSpan(0, read), fileName);
        if (type is null) return (null, new(415, "This kind of file is not taken", problem!));
        file.Position = 0;
        var verdict = await scanner.ScanAsync(file, fileName, ct);
        if (!verdict.Clean)
        {
            log.LogWarning("Upload {FileName} refused by the scan: {Finding}", fileName, verdict.Finding);
            return (null, new(422, "The file was refused by the virus scan", $"The scan found {verdict.Finding}. Nothing was kept."));
        }

        var now = time.GetUtcNow();
        var name = ContentSniffer.SafeName(fileName);
        var item = ContentItem.Uploaded(Guid.CreateVersion7(now), title, name, type, file.Length, now);
        file.Position = 0;
        try
        {
            await store.PutAsync(item.StoragePrefix + name, file, type.MediaType, ct);
            db.ContentItems.Add(item);
            await db.SaveChangesAsync(ct);
        }
        catch
        {
            await store.DeletePrefixAsync(item.StoragePrefix, CancellationToken.None);
            throw;
        }
        return (item, null);
    }
}
