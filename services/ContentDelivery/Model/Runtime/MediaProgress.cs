using LmsPlatform.Contracts.Content;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Runtime;

/// <summary>A stretch of a video or audio the learner played, in seconds.</summary>
public sealed record WatchedSpan(double Start, double End);

/// <summary>
/// A learner's progress on a document or a media file used by an activity of their enrolment: where they are (to
/// resume), which stretches they played (merged, so watching the same minute twice counts once, and skipping ahead
/// counts nothing), the share of the whole, and completion by the activity's rule: a video or audio is done once
/// <see cref="CompleteAtPercent"/> of it was played; a document once it was opened (a browser shows it whole).
/// Announces <see cref="ActivityProgressRecorded"/> when it starts and when it completes.
/// </summary>
public sealed class MediaProgress : Aggregate
{
    public const int CompleteAtPercent = 90;

    private MediaProgress() { }

    public Guid Id { get; private set; }
    public Guid EnrolmentId { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    public Guid ActivityId { get; private set; }
    public Guid ContentItemId { get; private set; }
    public bool IsMedia { get; private set; }
    public double Position { get; private set; }
    public double? Duration { get; private set; }
    public List<WatchedSpan> Watched { get; private set; } = [];
    public double WatchedSeconds { get; private set; }
    public int Percent { get; private set; }
    public int Opens { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    public uint RowVersion { get; private set; }

    public bool Completed => CompletedAt is not null;

    public static MediaProgress Start(Guid enrolmentId, Guid userId, Guid courseId, Guid activityId, Guid contentItemId, bool isMedia, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now), EnrolmentId = enrolmentId, UserId = userId, CourseId = courseId, ActivityId = activityId,
        ContentItemId = contentItemId, IsMedia = isMedia, StartedAt = now, UpdatedAt = now,
    };

    /// <summary>The enrolment was started again: this progress begins from nothing (the same record; enrolment keeps the history).</summary>
    public void Restart(DateTimeOffset now) =>
        (Position, Duration, Watched, WatchedSeconds, Percent, Opens, StartedAt, UpdatedAt, CompletedAt) = (0, Duration, [], 0, 0, 0, now, now, null);

    /// <summary>The learner opened it: a document is read by opening it; a video or audio has begun.</summary>
    public void Open(DateTimeOffset now)
    {
        var before = (Started: Opens > 0, Completed);
        Opens++;
        UpdatedAt = now;
        if (!IsMedia && !Completed) (Percent, CompletedAt) = (100, now);
        Announce(before, now);
    }

    /// <summary>
    /// What the player reports: the position, the duration (once the browser knows it) and the stretches played so far.
    /// Stretches are clamped to the duration and merged with those already recorded; nothing is ever taken away.
    /// </summary>
    public void Record(double position, double? duration, IReadOnlyList<WatchedSpan> played, DateTimeOffset now)
    {
        if (!double.IsFinite(position) || position < 0) throw DomainRuleException.Invalid("position", "must be a number of seconds, 0 or more");
        if (duration is { } d && (!double.IsFinite(d) || d <= 0)) throw DomainRuleException.Invalid("duration", "must be a positive number of seconds");
        if (played.Count > 1000) throw DomainRuleException.Invalid("played", "must hold at most 1,000 stretches");
        if (played.Any(s => !double.IsFinite(s.Start) || !double.IsFinite(s.End) || s.Start < 0 || s.End < s.Start))
            throw DomainRuleException.Invalid("played", "each stretch is [start, end] in seconds, start ≤ end");
        var before = (Started: Opens > 0, Completed);
        Duration = duration ?? Duration;
        Position = Duration is { } length ? Math.Min(position, length) : position;
        Watched = Merge(Watched.Concat(played), Duration);
        WatchedSeconds = Math.Round(Watched.Sum(s => s.End - s.Start), 2);
        if (IsMedia && Duration is { } total) Percent = (int)Math.Min(100, Math.Floor(WatchedSeconds * 100 / total));
        if (IsMedia && !Completed && Percent >= CompleteAtPercent) CompletedAt = now;
        UpdatedAt = now;
        Announce(before, now);
    }

    private void Announce((bool Started, bool Completed) before, DateTimeOffset now)
    {
        var started = Opens > 0 || WatchedSeconds > 0;
        if (before == (started, Completed)) return;
        Record(new ActivityProgressRecorded(EnrolmentId, UserId, CourseId, ActivityId, ContentItemId, 1, Completed ? "completed" : "incomplete", "unknown",
            null, Completed, now));
    }

    /// <summary>Stretches sorted and joined where they touch or overlap, each within [0, duration].</summary>
    public static List<WatchedSpan> Merge(IEnumerable<WatchedSpan> spans, double? duration)
    {
        var merged = new List<WatchedSpan>();
        foreach (var span in spans.Select(s => duration is { } d ? new WatchedSpan(Math.Min(s.Start, d), Math.Min(s.End, d)) : s)
                     .Where(s => s.End > s.Start).OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End + 0.5)
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, span.End) };
            else merged.Add(span);
        }
        return merged;
    }
}
