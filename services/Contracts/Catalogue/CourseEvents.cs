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
/// Whether people may enrol themselves on a course or path: not at all (it is assigned), freely, or by a request their
/// manager or an administrator (a training manager) approves. Set per version, in the catalogue.
/// </summary>
public static class SelfEnrolmentPolicy
{
    public const string Closed = "closed";
    public const string Open = "open";
    public const string ManagerApproval = "manager-approval";
    public const string AdministratorApproval = "administrator-approval";

    public static readonly IReadOnlyList<string> All = [Closed, Open, ManagerApproval, AdministratorApproval];

    public static bool NeedsApproval(string policy) => policy is ManagerApproval or AdministratorApproval;
}

/// <summary>
/// One activity of a published version, as other services need it: content learns which of its items a course uses
/// (and so who may open them), enrolment which activities complete the course. <see cref="Kind"/> is "content",
/// "link" or "session"; <see cref="ContentItemId"/> is set for content.
/// </summary>
public sealed record PublishedActivity(Guid ActivityId, string Kind, string Title, Guid? ContentItemId, bool Required);

/// <summary>
/// A course version was published: it is now the version new enrolments get. Learners enrolled on an earlier version
/// stay on it. <see cref="RequiredActivityIds"/> are the activities whose completion completes the course;
/// <see cref="Activities"/> are all of them, in order (absent from events published before it was added).
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
    DateTimeOffset PublishedAt,
    string SelfEnrolment = SelfEnrolmentPolicy.Closed,
    IReadOnlyList<Guid>? Prerequisites = null,
    bool VisibleToEveryone = true,
    IReadOnlyList<Guid>? AudienceOrgUnitIds = null,
    IReadOnlyList<PublishedActivity>? Activities = null) : IIntegrationEvent;

/// <summary>
/// A course's or path's prerequisites were replaced (they belong to the item, not to a version): the items to complete
/// before enrolling, now. <see cref="Kind"/> is "course" or "learning-path".
/// </summary>
public sealed record PrerequisitesChanged(Guid ItemId, string Kind, IReadOnlyList<Guid> RequiredItemIds, DateTimeOffset ChangedAt) : IIntegrationEvent;

/// <summary>The course left the catalogue: no new enrolments. Its versions and history are kept.</summary>
public sealed record CourseArchived(Guid CourseId, string Code, int? LastVersion, DateTimeOffset ArchivedAt) : IIntegrationEvent;

/// <summary>The course is replaced by another (and archived): learners and assignments should move to the successor.</summary>
public sealed record CourseReplaced(Guid CourseId, Guid ReplacedByCourseId, DateTimeOffset ReplacedAt) : IIntegrationEvent;

/// <summary>
/// A course as a replay sends it: its published version as <see cref="CoursePublished"/> announced it (the fields a read
/// model keeps), when it was first published, and whether it was archived or replaced since.
/// </summary>
public sealed record ReplayedCourse(Guid CourseId, string Code, int Version, string Title, Guid? CategoryId, int? ValidityMonths, DateTimeOffset FirstPublishedAt,
    DateTimeOffset? ArchivedAt, Guid? ReplacedByCourseId);

/// <summary>A page of the published courses sent again for a replay, in id order.</summary>
public sealed record CoursesReplayed(Guid ReplayId, int Page, IReadOnlyList<ReplayedCourse> Courses, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Items;
    int IReplayPage.Count => Courses.Count;
}
