using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Domain;
using System.Text.Json.Serialization;

namespace LmsPlatform.Catalogue.Model;

public sealed class Course : CatalogueItem
{
    private Course() { }

    /// <summary>Set when the course is retired in favour of another; learners and assignments should move there.</summary>
    public Guid? ReplacedByCourseId { get; private set; }

    public override string Noun => "course";

    /// <summary>A new course with its first draft open (the draft is the caller's to fill). Not announced: nothing needs a course until it is published.</summary>
    public static Course Create(string code, Guid ownerUserId, Guid? ownerOrgUnitId, DateTimeOffset now)
    {
        var course = new Course();
        course.Start(code, ownerUserId, ownerOrgUnitId, now);
        return course;
    }

    /// <summary>Publishes the draft (checked by <c>CourseRules</c>) as the next version: enrolments pin it from now on.</summary>
    public int Publish(CourseVersion draft, IReadOnlyList<Guid> prerequisites, Guid? by, DateTimeOffset now)
    {
        var number = PublishDraft(draft, by, now);
        Record(new CoursePublished(Id, Code, number, draft.Title, draft.CategoryId!.Value, draft.Language, draft.DeliveryType.Name(),
            draft.DurationMinutes, draft.Activities.Where(a => a.Required).Select(a => a.Id).ToList(), draft.Compliance, now,
            draft.SelfEnrolment, prerequisites, draft.VisibleToEveryone, draft.AudienceOrgUnitIds,
            draft.Activities.Select(a => new PublishedActivity(a.Id, a.Kind.ToString().ToLowerInvariant(), a.Title, a.ContentItemId, a.Required)).ToList()));
        return number;
    }

    /// <summary>Retires the course in favour of a published <paramref name="successor"/>, archiving it if it is not yet. Returns false when it is so already.</summary>
    public bool ReplaceWith(Course successor, DateTimeOffset now)
    {
        if (successor.Id == Id) throw new DomainRuleException("replacedByCourseId", "A course cannot replace itself.");
        if (successor.Status != LifecycleStatus.Published)
            throw new DomainRuleException("replacedByCourseId", $"{successor.Code} is not published; a course can only be replaced by a published one.");
        if (ReplacedByCourseId == successor.Id) return false;
        if (Status != LifecycleStatus.Archived) Archive(now);
        ReplacedByCourseId = successor.Id;
        UpdatedAt = now;
        Record(new CourseReplaced(Id, successor.Id, now));
        return true;
    }

    protected override IIntegrationEvent ArchivedEvent(DateTimeOffset now) => new CourseArchived(Id, Code, PublishedVersion, now);
}

public sealed class CourseVersion : ItemVersion
{
    public Guid CourseId { get; set; }
    public DeliveryType DeliveryType { get; set; }
    public int DurationMinutes { get; set; }
    public List<Section> Sections { get; set; } = [];

    public IEnumerable<Activity> Activities => Sections.SelectMany(s => s.Activities);
}

/// <summary>A titled group of activities, in order. Stored with its version as JSON: it is only ever read whole.</summary>
public sealed record Section(Guid Id, string Title, List<Activity> Activities);

/// <summary>
/// What an activity is. On the wire, in the stored versions and in the cache it is the name requests use ("content",
/// "link", "session"; see <see cref="Activity.Kind"/>); numbers written before this was so are still read.
/// </summary>
public enum ActivityKind { Content, Link, Session }

/// <summary>An enumeration written as its camelCase name.</summary>
public sealed class CamelCaseNames<T>() : JsonStringEnumConverter<T>(JsonNamingPolicy.CamelCase) where T : struct, Enum;

/// <summary>
/// One thing a learner does: open a content item (owned by the content service, referred to by id), follow an external
/// link, or attend an instructor-led session (a placeholder the sessions are scheduled against).
/// </summary>
public sealed record Activity(Guid Id, [property: JsonConverter(typeof(CamelCaseNames<ActivityKind>))] ActivityKind Kind, string Title, Guid? ContentItemId, string? Url, int? DurationMinutes, bool Required);
