namespace LmsPlatform.Contracts.Content;

/// <summary>
/// What a learner's work on one content activity of a course came to, when it changed: the attempt's completion
/// ("not-attempted", "incomplete", "completed"), success ("unknown", "passed", "failed"), scaled score (0–1) and
/// whether it satisfies the activity by the content's own rule (completed, or passed where a pass mark is set).
/// Enrolment starts the enrolment on the first one and completes it when every required activity is satisfied.
/// </summary>
public sealed record ActivityProgressRecorded(
    Guid EnrolmentId,
    Guid UserId,
    Guid CourseId,
    Guid ActivityId,
    Guid ContentItemId,
    int Attempt,
    string Completion,
    string Success,
    double? Score,
    bool Satisfied,
    DateTimeOffset At) : IIntegrationEvent;
