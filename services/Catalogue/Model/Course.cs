using System.Text.Json;
using System.Text.Json.Serialization;

namespace LmsPlatform.Catalogue.Model;

public sealed class Course : CatalogueItem
{
    /// <summary>Set when the course is retired in favour of another; learners and assignments should move there.</summary>
    public Guid? ReplacedByCourseId { get; set; }
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
