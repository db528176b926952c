namespace LmsPlatform.ContentDelivery.Model;

/// <summary>
/// Content's copy of one activity of a published course version (from catalogue's <c>CoursePublished</c>): which
/// content item it opens. With <see cref="EnrolmentCopy"/> it answers "may this person open this item?".
/// </summary>
public sealed class CourseActivityCopy
{
    public Guid CourseId { get; set; }
    public int Version { get; set; }
    public Guid ActivityId { get; set; }
    public Guid? ContentItemId { get; set; }
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public bool Required { get; set; }
    public int Position { get; set; }
}

/// <summary>
/// Content's copy of an enrolment (from enrolment's events): whose it is, on which course version, and whether it
/// still gives access. A withdrawn enrolment opens nothing; a completed one still opens its content for review.
/// </summary>
public sealed class EnrolmentCopy
{
    public Guid EnrolmentId { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public int Version { get; set; }
    public bool Withdrawn { get; set; }
    /// <summary>The sequence of the last enrolment event applied: an older one arriving late changes nothing.</summary>
    public int Sequence { get; set; }
    /// <summary>When the enrolment was last started again (a recertification, a failed attempt): the latest reset, whatever order they arrive in.</summary>
    public DateTimeOffset? ResetAt { get; set; }

    /// <summary>
    /// Whether progress that began at <paramref name="startedAt"/> belongs to before the latest reset: then the person's
    /// next launch begins afresh (a new attempt or registration; a video's or an xAPI activity's progress from zero).
    /// The one rule every kind of content follows.
    /// </summary>
    public bool StartedBeforeReset(DateTimeOffset startedAt) => ResetAt is { } reset && startedAt < reset;
}
