namespace LmsPlatform.Contracts.Catalogue;

/// <summary>
/// The rules a course or learning path sets for compliance training. All optional: a course without them is simply
/// offered. <see cref="DueFrom"/> is <c>assignment</c> or <c>hire</c>: the due date is <see cref="DueWithinDays"/>
/// after the learner was assigned, or after their hire date.
/// </summary>
public sealed record ComplianceSettings(
    int? DueWithinDays,
    string DueFrom,
    int? ValidityMonths,
    int? RecertificationWindowDays,
    Guid? RefresherCourseId)
{
    public const string FromAssignment = "assignment";
    public const string FromHire = "hire";
    public static ComplianceSettings None { get; } = new(null, FromAssignment, null, null, null);
}

/// <summary>
/// A course version was published: it is now the version new enrolments get. Learners enrolled on an earlier version
/// stay on it. <see cref="RequiredActivityIds"/> are the activities whose completion completes the course.
/// </summary>
public sealed record CoursePublished(
    Guid CourseId,
    string Code,
    int Version,
    string Title,
    Guid CategoryId,
    string Language,
    string DeliveryType,
    int DurationMinutes,
    IReadOnlyList<Guid> RequiredActivityIds,
    ComplianceSettings Compliance,
    DateTimeOffset PublishedAt) : IIntegrationEvent;

/// <summary>The course left the catalogue: no new enrolments. Its versions and history are kept.</summary>
public sealed record CourseArchived(Guid CourseId, string Code, int? LastVersion, DateTimeOffset ArchivedAt) : IIntegrationEvent;

/// <summary>The course is replaced by another (and archived): learners and assignments should move to the successor.</summary>
public sealed record CourseReplaced(Guid CourseId, Guid ReplacedByCourseId, DateTimeOffset ReplacedAt) : IIntegrationEvent;
