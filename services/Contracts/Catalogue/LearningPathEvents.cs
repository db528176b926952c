namespace LmsPlatform.Contracts.Catalogue;

/// <summary>One course of a learning path, in the order learners see them.</summary>
public sealed record LearningPathCourse(Guid CourseId, int Position, bool Required);

/// <summary>
/// A learning path version was published. It is complete when every required course is complete and at least
/// <see cref="OptionalToComplete"/> of the optional ones are. The trailing fields are <see cref="CoursePublished"/>'s.
/// </summary>
public sealed record LearningPathPublished(
    Guid LearningPathId,
    string Code,
    int Version,
    string Title,
    IReadOnlyList<LearningPathCourse> Courses,
    int OptionalToComplete,
    ComplianceSettings Compliance,
    DateTimeOffset PublishedAt,
    string SelfEnrolment = SelfEnrolmentPolicy.Closed,
    IReadOnlyList<Guid>? Prerequisites = null,
    bool VisibleToEveryone = true,
    IReadOnlyList<Guid>? AudienceOrgUnitIds = null) : IIntegrationEvent;

public sealed record LearningPathArchived(Guid LearningPathId, string Code, int? LastVersion, DateTimeOffset ArchivedAt) : IIntegrationEvent;
