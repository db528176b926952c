using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Enrolment.Model;

/// <summary>Enrolment's copy of a user, kept from identity's events (see <see cref="PersonCopy"/>).</summary>
public sealed class Learner : PersonCopy;

/// <summary>
/// Enrolment's copy of a catalogue course, from catalogue's events: what new enrolments may be made on. The latest
/// published version is the one new enrolments get; an archived course takes none. Events are applied by their own
/// time, so a late publication does not reopen a course archived after it.
/// </summary>
public sealed class CourseCopy
{
    public Guid CourseId { get; set; }
    public string Code { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The latest published version (0 when only the archiving is known).</summary>
    public int Version { get; set; }
    public bool Archived { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    /// <summary>The latest version's compliance rule for due dates: so many days after the assignment or the hire date.</summary>
    public int? DueWithinDays { get; set; }
    public string DueFrom { get; set; } = Contracts.Catalogue.ComplianceSettings.FromAssignment;
    /// <summary>A completion certifies the person for so many months (none: the course is not a certification).</summary>
    public int? ValidityMonths { get; set; }
    /// <summary>The recertification window opens so many days before the expiry (none: at the expiry).</summary>
    public int? RecertificationWindowDays { get; set; }
    /// <summary>The course that renews the certification (none: the course itself, taken again).</summary>
    public Guid? RefresherCourseId { get; set; }
    /// <summary>Whether people may enrol themselves (a <see cref="Contracts.Catalogue.SelfEnrolmentPolicy"/>).</summary>
    public string SelfEnrolment { get; set; } = Contracts.Catalogue.SelfEnrolmentPolicy.Closed;
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
    /// once). None when the course sets no rule. A hire-relative rule for a person without a hire date counts from the
    /// assignment.
    /// </summary>
    public DateTimeOffset? DueDateFor(DateOnly? hireDate, DateTimeOffset assignedAt)
    {
        if (DueWithinDays is not { } days) return null;
        var from = DueFrom == Contracts.Catalogue.ComplianceSettings.FromHire && hireDate is { } hired
            ? new DateTimeOffset(hired.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : assignedAt;
        return from.AddDays(days);
    }

    public void Apply(Contracts.Catalogue.CoursePublished published)
    {
        if (published.Version > Version)
        {
            Version = published.Version;
            Code = published.Code;
            Title = published.Title;
            PublishedAt = published.PublishedAt;
            DueWithinDays = published.Compliance.DueWithinDays;
            DueFrom = published.Compliance.DueFrom;
            ValidityMonths = published.Compliance.ValidityMonths;
            RecertificationWindowDays = published.Compliance.RecertificationWindowDays;
            RefresherCourseId = published.Compliance.RefresherCourseId;
            SelfEnrolment = published.SelfEnrolment;
            VisibleToEveryone = published.VisibleToEveryone;
            AudienceOrgUnitIds = [.. published.AudienceOrgUnitIds ?? []];
        }
        if (published.Prerequisites is { } prerequisites) SetPrerequisites(prerequisites, published.PublishedAt);
        // Published again after it was archived (a new version of a retired course) opens it again.
        if (Archived && ArchivedAt is { } archived && published.PublishedAt > archived) Archived = false;
    }

    /// <summary>The catalogue replaced the prerequisites (they are the item's, not a version's): the latest change wins.</summary>
    public void Apply(Contracts.Catalogue.PrerequisitesChanged changed) => SetPrerequisites(changed.RequiredItemIds, changed.ChangedAt);

    private void SetPrerequisites(IReadOnlyList<Guid> required, DateTimeOffset at)
    {
        if (PrerequisitesAt is { } known && known > at) return;
        (Prerequisites, PrerequisitesAt) = ([.. required], at);
    }

    public void Apply(Contracts.Catalogue.CourseArchived archived)
    {
        if (Code.Length == 0) Code = archived.Code;
        if (PublishedAt is { } published && published > archived.ArchivedAt) return;
        Archived = true;
        ArchivedAt = archived.ArchivedAt;
    }
}
