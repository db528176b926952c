namespace LmsPlatform.ContentDelivery.Model;

public enum ContentKind { File, Video, Link, Scorm12, Scorm2004, Xapi, Cmi5 }

/// <summary>A piece of learning content that course activities refer to by id.</summary>
public sealed class ContentItem
{
    public Guid Id { get; set; }
    public required string Title { get; set; }
    public ContentKind Kind { get; set; }
    /// <summary>Where a link or an outside video points.</summary>
    public string? Url { get; set; }
    /// <summary>The SCORM package a package item opens (an uploaded package is registered as an item with its own id).</summary>
    public Guid? PackageId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
