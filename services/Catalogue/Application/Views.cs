using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Catalogue;

namespace LmsPlatform.Catalogue.Application;

public sealed record CategoryRef(Guid Id, string Name);

public sealed record ItemRef(Guid Id, string Kind, string Code, string? Title);

public sealed record VisibilityView(bool Everyone, IReadOnlyList<Guid> OrgUnitIds);

public sealed record OwnerView(Guid? OrgUnitId, Guid UserId);

/// <summary>A course version as readers see it. <see cref="DescriptionHtml"/> is the description rendered and sanitised.</summary>
public sealed record CourseView(
    Guid Id, string Code, string Status, int? Version, bool IsDraft, string Title, string? Summary, string? Description, string? DescriptionHtml,
    CategoryRef? Category, IReadOnlyList<string> Tags, string Language, string DeliveryType, int DurationMinutes,
    IReadOnlyList<Section> Sections, ComplianceSettings Compliance, VisibilityView Visibility, OwnerView Owner,
    IReadOnlyList<ItemRef> Prerequisites, Guid? ReplacedByCourseId, DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt,
    string SelfEnrolment = SelfEnrolmentPolicy.Closed);

public sealed record PathCourseView(Guid CourseId, int Position, bool Required, string? Code, string? Title, string? Status);

public sealed record LearningPathView(
    Guid Id, string Code, string Status, int? Version, bool IsDraft, string Title, string? Summary, string? Description, string? DescriptionHtml,
    CategoryRef? Category, IReadOnlyList<string> Tags, string Language, IReadOnlyList<PathCourseView> Courses, int OptionalToComplete,
    int DurationMinutes, ComplianceSettings Compliance, VisibilityView Visibility, OwnerView Owner, IReadOnlyList<ItemRef> Prerequisites,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, string SelfEnrolment = SelfEnrolmentPolicy.Closed);

/// <summary>A row of the management lists.</summary>
public sealed record ItemSummary(Guid Id, string Code, string Title, string Status, int? PublishedVersion, bool HasDraft, Guid? OwnerOrgUnitId, Guid OwnerUserId, DateTimeOffset UpdatedAt);

public sealed record VersionSummary(int? Number, bool IsDraft, string Title, DateTimeOffset? PublishedAt, Guid? PublishedBy, DateTimeOffset UpdatedAt);

public sealed record CategoryView(Guid Id, string Name, Guid? ParentId, IReadOnlyList<Guid> Path);
