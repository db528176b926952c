namespace LmsPlatform.ContentDelivery.Model;

public enum ContentKind { File, Video, Link, Scorm12, Scorm2004, Xapi, Cmi5 }

/// <summary>A piece of learning content that course activities refer to by id.</summary>
public sealed class ContentItem
{
    public Guid Id { get; set; }
    public required string Title { get; set; }
    public ContentKind Kind { get; set; }
    /// <summary>Where a link points; uploads and packages get their storage in a later step.</summary>
    public string? Url { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
