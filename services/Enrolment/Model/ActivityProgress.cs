using LmsPlatform.Contracts.Catalogue;

namespace LmsPlatform.Enrolment.Model;

/// <summary>
/// What completes one published version of a course (from catalogue's <c>CoursePublished</c>): its required
/// activities, or, when it names none, every activity. Kept per version, as enrolments are pinned to theirs.
/// </summary>
public sealed class CourseVersionCopy
{
    public Guid CourseId { get; set; }
    public int Version { get; set; }
    public List<Guid> RequiredActivityIds { get; set; } = [];
    public List<Guid> ActivityIds { get; set; } = [];

    public static CourseVersionCopy From(CoursePublished published) => new()
    {
        CourseId = published.CourseId, Version = published.Version, RequiredActivityIds = [.. published.RequiredActivityIds],
        ActivityIds = [.. published.Activities?.Select(a => a.ActivityId) ?? published.RequiredActivityIds],
    };

    /// <summary>The activities whose satisfaction completes an enrolment on this version.</summary>
    public IReadOnlyList<Guid> CompletingActivities => RequiredActivityIds.Count > 0 ? RequiredActivityIds : ActivityIds;

    /// <summary>Whether <paramref name="satisfied"/> covers every activity that completes the version (never, for a version with none).</summary>
    public bool CompletedBy(IReadOnlySet<Guid> satisfied) => CompletingActivities.Count > 0 && CompletingActivities.All(satisfied.Contains);
}

/// <summary>
/// A learner's result on one activity of their enrolment, as content last reported it (its latest attempt): the
/// completion, success, score and whether it satisfies the activity. Once satisfied it stays so: a later attempt
/// that fails does not undo a completion on record.
/// </summary>
public sealed class ActivityResult
{
    public Guid EnrolmentId { get; set; }
    public Guid ActivityId { get; set; }
    public int Attempt { get; set; }
    public string Completion { get; set; } = "";
    public string Success { get; set; } = "";
    public double? Score { get; set; }
    public bool Satisfied { get; set; }
    public DateTimeOffset? SatisfiedAt { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}
