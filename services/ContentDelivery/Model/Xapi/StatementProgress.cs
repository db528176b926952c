using System.Text.Json;
using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// What xAPI statements have said about one person's work on one xAPI activity of a course (an enrolment's content
/// item of kind xAPI, found by the statement's activity IRI): started, completed, passed or failed, the best scaled
/// score. It only moves forward (a pass is not undone by a later failure), and announces a change as the same
/// <see cref="ActivityProgressRecorded"/> a SCORM attempt or a video does, so enrolment follows every kind of content
/// one way. Statements stored twice are new only once, so nothing is announced twice.
/// </summary>
public sealed class StatementProgress : Aggregate
{
    public const string CompletedVerb = "http://adlnet.gov/expapi/verbs/completed";
    public const string PassedVerb = "http://adlnet.gov/expapi/verbs/passed";
    public const string FailedVerb = "http://adlnet.gov/expapi/verbs/failed";
    public const string MasteredVerb = "http://adlnet.gov/expapi/verbs/mastered";

    public Guid Id { get; private set; }
    public Guid EnrolmentId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid ContentItemId { get; private set; }
    public bool Completed { get; private set; }
    /// <summary>Passed (true), failed (false), or not said (null).</summary>
    public bool? Passed { get; private set; }
    public double? Score { get; private set; }
    public int Statements { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private StatementProgress() { }

    public static StatementProgress Start(Guid enrolmentId, Guid userId, Guid courseId, Guid activityId, Guid contentItemId, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), EnrolmentId = enrolmentId, UserId = userId, CourseId = courseId, ActivityId = activityId, ContentItemId = contentItemId,
        StartedAt = now, UpdatedAt = now,
    };

    /// <summary>The enrolment was started again: what statements said before no longer counts (they stay in the LRS).</summary>
    public void Restart(DateTimeOffset now) => (Completed, Passed, Score, Statements, StartedAt, UpdatedAt) = (false, null, null, 0, now, now);

    public bool Satisfied => Completed || Passed == true;

    /// <summary>Takes what one statement says (its verb and result); announces the progress when it changed.</summary>
    public void Apply(JsonElement statement, DateTimeOffset at)
    {
        var before = (Statements > 0, Completed, Passed, Score);
        var verb = statement.GetProperty("verb").GetProperty("id").GetString();
        var result = statement.TryGetProperty("result", out var r) ? r : default;
        bool? Flag(string name) => result.ValueKind == JsonValueKind.Object && result.TryGetProperty(name, out var v) ? v.GetBoolean() : null;
        if (verb is CompletedVerb or PassedVerb or MasteredVerb || Flag("completion") == true) Completed = true;
        if (verb is PassedVerb or MasteredVerb || Flag("success") == true) Passed = true;
        else if ((verb is FailedVerb || Flag("success") == false) && Passed != true) Passed = false;
        if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("score", out var score) && score.TryGetProperty("scaled", out var scaled))
        {
            var value = Math.Clamp(scaled.GetDouble(), 0, 1);
            if (Score is null || value > Score) Score = value;
        }
        Statements++;
        UpdatedAt = at;
        if (before == (true, Completed, Passed, Score)) return;
        Record(new ActivityProgressRecorded(EnrolmentId, UserId, CourseId, ActivityId, ContentItemId, 1, Completed ? "completed" : "incomplete",
            Passed switch { true => "passed", false => "failed", null => "unknown" }, Score, Satisfied, at));
    }
}
