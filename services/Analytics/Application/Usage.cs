using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// How one course is used on a report date by the people a report covers: assigned, started and completed (the
/// completion report's own counts), and how long its completions took (<see cref="Metrics.TimeToComplete"/>).
/// </summary>
public sealed record UsageRow(Guid? CourseId, string Course, long Assigned, long Started, long InProgress, long Completed, long Timed, double? AverageDaysToComplete,
    long Within7Days, long Within30Days, long Within90Days)
{
    public double? StartRate => Metrics.Rate(Started, Assigned);
    public double? CompletionRate => Metrics.Rate(Completed, Assigned);
}

/// <summary>The item usage report: a row per course with counted assignments, the total, and the courses nobody in it was assigned.</summary>
public sealed record UsageFigures(IReadOnlyList<UsageRow> Rows, UsageRow Total, long UnassignedCourses);

public static class Usage
{
    /// <summary>The metric definitions the usage report prints beside its figures.</summary>
    public static readonly IReadOnlyList<MetricDefinition> Definitions =
        [Metrics.Population, Metrics.Assigned, Metrics.Started, Metrics.Completed, Metrics.CompletionRate, Metrics.TimeToComplete];

    /// <summary>
    /// The courses' usage, counted from the report's rows (the same rows as every report, so its assigned and completed
    /// equal the completion report's by course), busiest first.
    /// </summary>
    public static async Task<UsageFigures> ReadAsync(AnalyticsDbContext db, ReportSource source, CancellationToken ct)
    {
        var counts = await source.Rows.GroupBy(a => a.CourseId).Select(g => new
        {
            CourseId = g.Key,
            Assigned = g.LongCount(),
            Started = g.LongCount(a => a.Started),
            InProgress = g.LongCount(a => a.InProgress),
            Completed = g.LongCount(a => a.Completed),
            Timed = g.LongCount(a => a.Timed),
            Days = g.Where(a => a.Timed).Sum(a => (double?)(a.CompletedAt!.Value - a.AssignedAt).TotalDays),
            Within7 = g.LongCount(a => a.Timed && a.CompletedAt <= a.AssignedAt.AddDays(7)),
            Within30 = g.LongCount(a => a.Timed && a.CompletedAt <= a.AssignedAt.AddDays(30)),
            Within90 = g.LongCount(a => a.Timed && a.CompletedAt <= a.AssignedAt.AddDays(90)),
        }).ToListAsync(ct);
        var ids = counts.Select(c => c.CourseId).ToList();
        var names = await db.Items.Where(i => ids.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, i => i.Title, ct);
        var rows = counts
            .Select(c => new UsageRow(c.CourseId, names.GetValueOrDefault(c.CourseId, "(unknown course)"), c.Assigned, c.Started, c.InProgress, c.Completed, c.Timed,
                Average(c.Days, c.Timed), c.Within7, c.Within30, c.Within90))
            .OrderByDescending(r => r.Assigned).ThenBy(r => r.Course, StringComparer.CurrentCultureIgnoreCase).ToList();
        var timed = rows.Sum(r => r.Timed);
        var total = new UsageRow(null, "Total", rows.Sum(r => r.Assigned), rows.Sum(r => r.Started), rows.Sum(r => r.InProgress), rows.Sum(r => r.Completed), timed,
            Average(counts.Sum(c => c.Days ?? 0), timed), rows.Sum(r => r.Within7Days), rows.Sum(r => r.Within30Days), rows.Sum(r => r.Within90Days));
        var courses = await source.Items.LongCountAsync(ct);
        return new(rows, total, Math.Max(0, courses - rows.Count));
    }

    private static double? Average(double? days, long count) => count == 0 || days is null ? null : Math.Round(days.Value / count, 1);
}
