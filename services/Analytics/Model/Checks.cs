using LmsPlatform.Contracts.Operations;

namespace LmsPlatform.Analytics.Model;

/// <summary>
/// One operations check as a service last took it in an hour (<see cref="ChecksTaken"/>, at <see cref="At"/>): one row
/// per check and hour, the later round replacing the earlier, so a year of history stays small. The cockpit shows the
/// latest of each, and one outcome a day as its history.
/// </summary>
public sealed class CheckResult
{
    public required string Service { get; set; }
    public required string Key { get; set; }
    /// <summary>The hour (UTC) the round fell in.</summary>
    public DateTimeOffset Hour { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid RoundId { get; set; }
    public string Cadence { get; set; } = "";
    public string Title { get; set; } = "";
    public string Status { get; set; } = "";
    public long Count { get; set; }
    public string? Link { get; set; }
    public string? Detail { get; set; }
    /// <summary>How often the service takes its checks: a service silent for three of these is not reporting.</summary>
    public TimeSpan Interval { get; set; }

    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Takes a round's outcome of this check, unless the row already holds a later one (rounds may arrive out of order).</summary>
    public void Apply(ChecksTaken round, CheckOutcome check)
    {
        if (round.At < At) return;
        (At, RoundId, Cadence, Title, Status, Count, Link, Detail, Interval) = (round.At, round.RoundId, check.Cadence, check.Title, check.Status, check.Count,
            check.Link, check.Detail is { Length: > 2000 } d ? d[..1999] + "…" : check.Detail, round.Interval);
    }
}
