using LmsPlatform.ContentDelivery.Model.Files;

namespace LmsPlatform.ContentDelivery.Model;

public enum ContentKind { File, Video, Link, Scorm12, Scorm2004, Xapi, Cmi5 }

/// <summary>
/// A piece of learning content that course activities refer to by id: a link (or an outside video) by its URL, an
/// uploaded document or media file (its bytes under <see cref="StoragePrefix"/>), or a SCORM package (the package of
/// the same id).
/// </summary>
public sealed class ContentItem
{
    public Guid Id { get; set; }
    public required string Title { get; set; }
    public ContentKind Kind { get; set; }
    /// <summary>Where a link or an outside video points.</summary>
    public string? Url { get; set; }
    /// <summary>The SCORM package a package item opens (an uploaded package is registered as an item with its own id).</summary>
    public Guid? PackageId { get; set; }
    /// <summary>An uploaded file's name (as stored and served), its media type (from its bytes) and size.</summary>
    public string? FileName { get; set; }
    public string? MediaType { get; set; }
    public long? Bytes { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Whether it is an uploaded file this service serves (a document, a video or audio).</summary>
    public bool IsUploadedFile => FileName is not null;

    public string StoragePrefix => StoragePrefixOf(Id);

    public static string StoragePrefixOf(Guid id) => $"files/{id:N}/";

    public static ContentItem Uploaded(Guid id, string? title, string fileName, SniffedType type, long bytes, DateTimeOffset now) => new()
    {
        Id = id, Title = string.IsNullOrWhiteSpace(title) ? Path.GetFileNameWithoutExtension(fileName) : title.Trim(),
        Kind = type.IsMedia ? ContentKind.Video : ContentKind.File, FileName = fileName, MediaType = type.MediaType, Bytes = bytes, CreatedAt = now,
    };
}
