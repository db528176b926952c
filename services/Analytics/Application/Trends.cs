using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

public enum TrendInterval { Week, Month }

/// <summary>One period of a trend: what the ledger recorded in [<see cref="From"/>, <see cref="To"/>).</summary>
public sealed record TrendPoint(DateTimeOffset From, DateTimeOffset To, long NewAssignments, long Completions, long ActiveLearners);

/// <summary>A period of a trend, as the query reads it.</summary>
public sealed class TrendPeriod
{
    /// <summary>Its place in the trend, from 1: what its counts are matched back by (a timestamp comes back from PostgreSQL in microseconds, not ticks).</summary>
    public long Index { get; set; }
    public DateTimeOffset Start { get; set; }
    public DateTimeOffset End { get; set; }
}

/// <summary>
/// Learning over time, from the ledger copy: per week or month, the assignments made, the completions and the active
/// learners (<see cref="Metrics.NewAssignments"/>, <see cref="Metrics.Completions"/>, <see cref="Metrics.ActiveLearners"/>),
/// of the people and courses a report covers.
/// </summary>
public static class Trends
{
    /// <summary>At most two years of weeks.</summary>
    public const int MaxPeriods = 106;

    /// <summary>The periods from the one holding <paramref name="from"/> to <paramref name="to"/> (the last one ends there).</summary>
    public static List<(DateTimeOffset Start, DateTimeOffset End)> Periods(DateTimeOffset from, DateTimeOffset to, TrendInterval interval)
    {
        var day = new DateTimeOffset(from.UtcDateTime.Date, TimeSpan.Zero);
        var start = interval == TrendInterval.Week ? day.AddDays(-(((int)day.DayOfWeek + 6) % 7)) : new DateTimeOffset(day.Year, day.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var periods = new List<(DateTimeOffset, DateTimeOffset)>();
        while (start < to)
        {
            var end = interval == TrendInterval.Week ? start.AddDays(7) : start.AddMonths(1);
            periods.Add((start, end < to ? end : to));
            start = end;
        }
        return periods;
    }

    /// <summary>The periods as a table a query can join (a row per period).</summary>
    public static IQueryable<TrendPeriod> Table(AnalyticsDbContext db, List<(DateTimeOffset Start, DateTimeOffset End)> periods)
    {
        var starts = periods.Select(p => p.Start).ToArray();
        var ends = periods.Select(p => p.End).ToArray();
        return db.Database.SqlQuery<TrendPeriod>($"""SELECT i AS "Index", s AS "Start", e AS "End" FROM unnest({starts}, {ends}) WITH ORDINALITY AS p(s, e, i)""");
    }

    public static async Task<List<TrendPoint>> CountAsync(AnalyticsDbContext db, ReportSource source, List<(DateTimeOffset Start, DateTimeOffset End)> periods,
        CancellationToken ct)
    {
        if (periods.Count == 0) return [];
        var (first, last) = (periods[0].Start, periods[^1].End);
        var table = Table(db, periods);
        var entries = from e in db.LedgerEvents
                      where e.At >= first && e.At < last
                      join u in source.People on e.UserId equals u.UserId
                      join i in source.Items on e.CourseId equals i.ItemId
                      select e;
        var counts = await (from p in table
                            from e in entries
                            where e.At >= p.Start && e.At < p.End
                            group e by p.Index into g
                            select new
                            {
                                Index = g.Key,
                                Assigned = g.LongCount(e => e.Action == LedgerAction.Assigned),
                                Completions = g.LongCount(e => e.Action == LedgerAction.Completed || e.Action == LedgerAction.Waived),
                                Active = g.Where(e => e.Action == LedgerAction.Started || e.Action == LedgerAction.Completed).Select(e => e.UserId).Distinct().LongCount(),
                            }).ToListAsync(ct);
        var byIndex = counts.ToDictionary(c => c.Index);
        return [.. periods.Select((p, i) => byIndex.TryGetValue(i + 1, out var c)
            ? new TrendPoint(p.Start, p.End, c.Assigned, c.Completions, c.Active)
            : new TrendPoint(p.Start, p.End, 0, 0, 0))];
    }
}
