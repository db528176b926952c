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

    /// <summary>The weeks of trend the current figures keep (<see cref="WeekFigure"/>): the longest a dashboard shows.</summary>
    public const int FigureWeeks = 52;

    /// <summary>The ledger entries that are a completion (<see cref="Metrics.Completions"/>) and those that show a learner active (<see cref="Metrics.ActiveLearners"/>).</summary>
    private static readonly LedgerAction[] Completion = [LedgerAction.Completed, LedgerAction.Waived];
    private static readonly LedgerAction[] Activity = [LedgerAction.Started, LedgerAction.Completed];

    /// <summary>The weeks a dashboard's trend of <paramref name="weeks"/> shows, the last one ending at <paramref name="end"/>.</summary>
    public static List<(DateTimeOffset Start, DateTimeOffset End)> LastWeeks(DateTimeOffset end, int weeks) =>
        Periods(end.AddDays(-7 * (weeks - 1)), end, TrendInterval.Week);

    /// <summary>The 30 days before <paramref name="end"/>: the window of a dashboard's active learners.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) LastMonth(DateTimeOffset end) => (end.AddDays(-30), end);

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
                                Completions = g.LongCount(e => Completion.Contains(e.Action)),
                                Active = g.Where(e => Activity.Contains(e.Action)).Select(e => e.UserId).Distinct().LongCount(),
                            }).ToListAsync(ct);
        var byIndex = counts.ToDictionary(c => c.Index);
        return [.. periods.Select((p, i) => byIndex.TryGetValue(i + 1, out var c)
            ? new TrendPoint(p.Start, p.End, c.Assigned, c.Completions, c.Active)
            : new TrendPoint(p.Start, p.End, 0, 0, 0))];
    }

    /// <summary>
    /// The trend's cells for the current figures: per org unit, course and week of <paramref name="periods"/>, the new
    /// assignments and completions; per org unit and week, and per org unit over <paramref name="month"/>, the active
    /// learners. The same entries and rules as <see cref="CountAsync"/>, kept apart by org unit.
    /// </summary>
    public static async Task<(List<WeekFigure> Weeks, List<ActivityFigure> Activity)> CellsAsync(AnalyticsDbContext db, ReportSource source,
        List<(DateTimeOffset Start, DateTimeOffset End)> periods, (DateTimeOffset Start, DateTimeOffset End) month, CancellationToken ct)
    {
        var first = periods[0].Start < month.Start ? periods[0].Start : month.Start;
        var last = periods[^1].End > month.End ? periods[^1].End : month.End;
        var entries = from e in db.LedgerEvents
                      where e.At >= first && e.At < last
                      join u in source.People on e.UserId equals u.UserId
                      join i in source.Items on e.CourseId equals i.ItemId
                      select new { e.At, e.Action, e.UserId, e.CourseId, u.OrgUnitId };
        var table = Table(db, periods);
        var weeks = await (from p in table
                           from e in entries
                           where e.At >= p.Start && e.At < p.End
                           group e by new { p.Index, e.OrgUnitId, e.CourseId } into g
                           select new
                           {
                               g.Key.Index, g.Key.OrgUnitId, g.Key.CourseId,
                               Assigned = g.LongCount(e => e.Action == LedgerAction.Assigned),
                               Completions = g.LongCount(e => Completion.Contains(e.Action)),
                           } into c
                           where c.Assigned > 0 || c.Completions > 0
                           select c).ToListAsync(ct);
        var active = await (from p in table
                            from e in entries
                            where e.At >= p.Start && e.At < p.End && Activity.Contains(e.Action)
                            group e by new { p.Index, e.OrgUnitId } into g
                            select new { g.Key.Index, g.Key.OrgUnitId, Active = g.Select(e => e.UserId).Distinct().LongCount() }).ToListAsync(ct);
        var (start, end) = month;
        var inMonth = await entries.Where(e => e.At >= start && e.At < end && Activity.Contains(e.Action))
            .GroupBy(e => e.OrgUnitId).Select(g => new { OrgUnitId = g.Key, Active = g.Select(e => e.UserId).Distinct().LongCount() }).ToListAsync(ct);
        return ([.. weeks.Select(w => new WeekFigure { OrgUnitId = w.OrgUnitId, CourseId = w.CourseId, WeekStart = periods[(int)w.Index - 1].Start,
                    NewAssignments = w.Assigned, Completions = w.Completions })],
                [.. active.Select(a => new ActivityFigure { OrgUnitId = a.OrgUnitId, WeekStart = periods[(int)a.Index - 1].Start, ActiveLearners = a.Active })
                    .Concat(inMonth.Select(a => new ActivityFigure { OrgUnitId = a.OrgUnitId, WeekStart = null, ActiveLearners = a.Active }))]);
    }

    /// <summary>The trend about now from the current figures' cells (<see cref="CellsAsync"/>) of the org units a report reaches.</summary>
    public static async Task<(List<TrendPoint> Trend, long ActiveInMonth)> FromCellsAsync(IQueryable<WeekFigure> weekCells, IQueryable<ActivityFigure> activityCells,
        List<(DateTimeOffset Start, DateTimeOffset End)> periods, CancellationToken ct)
    {
        var first = periods[0].Start;
        var weeks = await weekCells.Where(f => f.WeekStart >= first).GroupBy(f => f.WeekStart)
            .Select(g => new { Start = g.Key, New = g.Sum(f => f.NewAssignments), Completions = g.Sum(f => f.Completions) }).ToDictionaryAsync(w => w.Start.UtcTicks, ct);
        var active = await activityCells.Where(f => f.WeekStart == null || f.WeekStart >= first).GroupBy(f => f.WeekStart)
            .Select(g => new { Start = g.Key, Active = g.Sum(f => f.ActiveLearners) }).ToListAsync(ct);
        var activeByWeek = active.Where(a => a.Start is not null).ToDictionary(a => a.Start!.Value.UtcTicks, a => a.Active);
        // Week starts are midnights, so they come back from the database as they went in.
        return ([.. periods.Select(p => new TrendPoint(p.Start, p.End, weeks.GetValueOrDefault(p.Start.UtcTicks)?.New ?? 0, weeks.GetValueOrDefault(p.Start.UtcTicks)?.Completions ?? 0,
                    activeByWeek.GetValueOrDefault(p.Start.UtcTicks)))],
                active.FirstOrDefault(a => a.Start is null)?.Active ?? 0);
    }
}
