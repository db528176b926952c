using LmsPlatform.Contracts.Catalogue;

namespace LmsPlatform.Catalogue.Model;

/// <summary>Where a course or learning path is in its life. Only published items are in the catalogue.</summary>
public enum LifecycleStatus { Draft, Published, Archived }

/// <summary>How a course is delivered. The wire names ("e-learning", "instructor-led", "blended") are in <see cref="Wire"/>.</summary>
public enum DeliveryType { ELearning, InstructorLed, Blended }

public enum ItemKind { Course, LearningPath }

public static class Wire
{
    public static string Name(this DeliveryType type) => type switch
    {
        DeliveryType.ELearning => "e-learning",
        DeliveryType.InstructorLed => "instructor-led",
        _ => "blended",
    };

    public static DeliveryType? ParseDeliveryType(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "e-learning" or "elearning" => DeliveryType.ELearning,
        "instructor-led" or "instructorled" or "ilt" => DeliveryType.InstructorLed,
        "blended" => DeliveryType.Blended,
        _ => null,
    };

    public static string Name(this ItemKind kind) => kind == ItemKind.Course ? "course" : "learning-path";
}

/// <summary>
/// What a course and a learning path share: a code that never changes, an owner (an org unit and the training
/// manager responsible), a status, and numbered immutable versions, of which at most one draft is open at a time.
/// </summary>
public abstract class CatalogueItem
{
    public Guid Id { get; set; }
    /// <summary>The unique code administrators search by, e.g. SEC-101. Stored upper-case.</summary>
    public required string Code { get; set; }
    public LifecycleStatus Status { get; set; }
    public Guid? OwnerOrgUnitId { get; set; }
    public Guid OwnerUserId { get; set; }
    /// <summary>The number of the newest published version; null until the first publish.</summary>
    public int? PublishedVersion { get; set; }
    /// <summary>True while a draft version is open for editing.</summary>
    public bool HasDraft { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>PostgreSQL's xmin: optimistic concurrency for lifecycle changes.</summary>
    public uint RowVersion { get; set; }
}

/// <summary>
/// The describing part of a version, the same for courses and paths. A draft version has no <see cref="Number"/>;
/// publishing gives it the next number, and from then on the row never changes.
/// </summary>
public abstract class ItemVersion
{
    public Guid Id { get; set; }
    public int? Number { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    /// <summary>Markdown as the author wrote it; rendered to sanitised HTML only on the way out.</summary>
    public string? Description { get; set; }
    public Guid? CategoryId { get; set; }
    public List<string> Tags { get; set; } = [];
    public string Language { get; set; } = "en";
    public bool VisibleToEveryone { get; set; } = true;
    /// <summary>When not visible to everyone: the org unit subtrees whose members see it.</summary>
    public List<Guid> AudienceOrgUnitIds { get; set; } = [];
    public ComplianceSettings Compliance { get; set; } = ComplianceSettings.None;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid UpdatedBy { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public Guid? PublishedBy { get; set; }
    public uint RowVersion { get; set; }

    public bool IsDraft => Number is null;
    public string ETag => $"\"{RowVersion}\"";
}
