namespace LmsPlatform.Catalogue.Model;

/// <summary>A node of the category tree. <see cref="Path"/> is the materialised path of ids ("/a/b/"), so a subtree is a prefix.</summary>
public sealed class Category
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public Guid? ParentId { get; set; }
    public required string Path { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public uint RowVersion { get; set; }

    public static string PathOf(Category? parent, Guid id) => (parent?.Path ?? "/") + id.ToString("N") + "/";
}

/// <summary>An edge of the prerequisite graph: <see cref="ItemId"/> (a course or path) needs <see cref="RequiredItemId"/> first.</summary>
public sealed class Prerequisite
{
    public Guid ItemId { get; set; }
    public ItemKind ItemKind { get; set; }
    public Guid RequiredItemId { get; set; }
    public ItemKind RequiredItemKind { get; set; }
}

/// <summary>
/// One published course or path as search sees it: the current version's searchable fields, with a weighted
/// tsvector (title A, summary B, description C) kept by PostgreSQL. Written when a version is published, removed when
/// the item is archived.
/// </summary>
public sealed class CatalogueEntry
{
    public Guid Id { get; set; }
    public ItemKind Kind { get; set; }
    public required string Code { get; set; }
    public int Version { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public Guid? CategoryId { get; set; }
    public List<string> Tags { get; set; } = [];
    public required string Language { get; set; }
    public DeliveryType DeliveryType { get; set; }
    public int DurationMinutes { get; set; }
    public bool VisibleToEveryone { get; set; }
    public List<Guid> AudienceOrgUnitIds { get; set; } = [];
    public DateTimeOffset PublishedAt { get; set; }
}
