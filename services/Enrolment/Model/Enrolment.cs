using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Enrolment.Model;

/// <summary>Enrolment's copy of a user, kept from identity's events (see <see cref="PersonCopy"/>).</summary>
public sealed class Learner : PersonCopy;

/// <summary>
/// What enrolment keeps of a catalogue item, course or path, from catalogue's events: what new enrolments may be made
/// on. The latest published version is the one new enrolments get; an archived item takes none. Events are applied by
/// their own time, so a late publication does not reopen an item archived after it, and an older prerequisites change
/// does not undo a newer one.
/// </summary>
public abstract class ItemCopy
{
    public string Code { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The latest published version (0 when only the archiving is known).</summary>
    public int Version { get; set; }
    public bool Archived { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    /// <summary>The latest version's compliance rule for due dates: so many days after the assignment or the hire date.</summary>
    public int? DueWithinDays { get; set; }
    public string DueFrom { get; set; } = ComplianceSettings.FromAssignment;
    /// <summary>Whether people may enrol themselves (a <see cref="SelfEnrolmentPolicy"/>).</summary>
    public string SelfEnrolment { get; set; } = SelfEnrolmentPolicy.Closed;
    /// <summary>The courses (and paths) to complete before enrolling, as of <see cref="PrerequisitesAt"/>.</summary>
    public List<Guid> Prerequisites { get; set; } = [];
    public DateTimeOffset? PrerequisitesAt { get; set; }
    /// <summary>Who may find it in the catalogue, and so enrol themselves: everyone, or the members of these org subtrees.</summary>
    public bool VisibleToEveryone { get; set; } = true;
    public List<Guid> AudienceOrgUnitIds { get; set; } = [];

    /// <summary>Whether a new enrolment may be made on it.</summary>
    public bool IsOpen => Version > 0 && !Archived;

    /// <summary>
    /// The due date a new enrolment gets when none is given: <see cref="DueWithinDays"/> after the assignment, or after
    /// the person's hire date (a new starter's 30 days count from their first day, so someone hired long ago is due at
    /// once). None when the item sets no rule. A hire-relative rule for a person without a hire date counts from the
    /// assignment.
    /// </summary>
    public DateTimeOffset? DueDateFor(DateOnly? hireDate, DateTimeOffset assignedAt)
    {
        if (DueWithinDays is not { } days) return null;
        var from = DueFrom == ComplianceSettings.FromHire && hireDate is { } hired
            ? new DateTimeOffset(hired.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : assignedAt;
        return from.AddDays(days);
    }

    /// <summary>A newer version's shared fields; true when it is newer (the caller copies its own fields then).</summary>
    protected bool ApplyPublished(int version, string code, string title, ComplianceSettings compliance, DateTimeOffset publishedAt, string selfEnrolment,
        IReadOnlyList<Guid>? prerequisites, bool visibleToEveryone, IReadOnlyList<Guid>? audienceOrgUnitIds)
    {
        var newer = version > Version;
        if (newer)
        {
            (Version, Code, Title, PublishedAt) = (version, code, title, publishedAt);
            (DueWithinDays, DueFrom, SelfEnrolment) = (compliance.DueWithinDays, compliance.DueFrom, selfEnrolment);
            (VisibleToEveryone, AudienceOrgUnitIds) = (visibleToEveryone, [.. audienceOrgUnitIds ?? []]);
        }
        if (prerequisites is not null) SetPrerequisites(prerequisites, publishedAt);
        // Published again after it was archived (a new version of a retired item) opens it again.
        if (Archived && ArchivedAt is { } archived && publishedAt > archived) Archived = false;
        return newer;
    }

    protected void ApplyArchived(string code, DateTimeOffset archivedAt)
    {
        if (Code.Length == 0) Code = code;
        if (PublishedAt is { } published && published > archivedAt) return;
        (Archived, ArchivedAt) = (true, archivedAt);
    }

    /// <summary>The catalogue replaced the prerequisites (they are the item's, not a version's): the latest change wins.</summary>
    public void Apply(PrerequisitesChanged changed) => SetPrerequisites(changed.RequiredItemIds, changed.ChangedAt);

    private void SetPrerequisites(IReadOnlyList<Guid> required, DateTimeOffset at)
    {
        if (PrerequisitesAt is { } known && known > at) return;
        (Prerequisites, PrerequisitesAt) = ([.. required], at);
    }
}

/// <summary>Enrolment's copy of a catalogue course (see <see cref="ItemCopy"/>), with what certifications need.</summary>
public sealed class CourseCopy : ItemCopy
{
    public Guid CourseId { get; set; }
    /// <summary>A completion certifies the person for so many months (none: the course is not a certification).</summary>
    public int? ValidityMonths { get; set; }
    /// <summary>The recertification window opens so many days before the expiry (none: at the expiry).</summary>
    public int? RecertificationWindowDays { get; set; }
    /// <summary>The course that renews the certification (none: the course itself, taken again).</summary>
    public Guid? RefresherCourseId { get; set; }

    public void Apply(CoursePublished published)
    {
        if (!ApplyPublished(published.Version, published.Code, published.Title, published.Compliance, published.PublishedAt, published.SelfEnrolment,
                published.Prerequisites, published.VisibleToEveryone, published.AudienceOrgUnitIds)) return;
        ValidityMonths = published.Compliance.ValidityMonths;
        RecertificationWindowDays = published.Compliance.RecertificationWindowDays;
        RefresherCourseId = published.Compliance.RefresherCourseId;
    }

    public void Apply(CourseArchived archived) => ApplyArchived(archived.Code, archived.ArchivedAt);
}

/// <summary>
/// Enrolment's copy of a catalogue learning path (see <see cref="ItemCopy"/>): its courses in order, each required or
/// optional, and how many optional ones complete it besides every required one.
/// </summary>
public sealed class PathCopy : ItemCopy
{
    public Guid PathId { get; set; }
    public List<PathStep> Courses { get; set; } = [];
    public int OptionalToComplete { get; set; }

    public void Apply(LearningPathPublished published)
    {
        if (!ApplyPublished(published.Version, published.Code, published.Title, published.Compliance, published.PublishedAt, published.SelfEnrolment,
                published.Prerequisites, published.VisibleToEveryone, published.AudienceOrgUnitIds)) return;
        Courses = [.. published.Courses.OrderBy(c => c.Position).Select(c => new PathStep(c.CourseId, c.Required))];
        OptionalToComplete = published.OptionalToComplete;
    }

    public void Apply(LearningPathArchived archived) => ApplyArchived(archived.Code, archived.ArchivedAt);
}

/// <summary>One course of a path, in the learners' order.</summary>
public sealed record PathStep(Guid CourseId, bool Required);
