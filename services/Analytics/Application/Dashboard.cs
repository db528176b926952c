using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>Whose overdue assignments a dashboard breaks down: the org units' (an organisation or subtree) or a team's people.</summary>
public enum Breakdown { OrgUnit, Person }

/// <summary>
/// A dashboard's figures, for one date and the people a caller may see: the compliance totals, where the overdue
/// assignments are, the certifications expiring soonest, the weeks before the date, and the learners active in its last
/// 30 days (<see cref="TrendAsOf"/>: about now, the moment the current figures' trend was taken). Every figure is one the reports already count, read through the same <see cref="ReportData"/>, so a dashboard
/// number and the report page it drills into cannot differ.
/// </summary>
public sealed record DashboardFigures(MetricRow Total, long People, long CompliantPeople, long ActiveLearners, Breakdown Breakdown,
    IReadOnlyList<MetricRow> Overdue, IReadOnlyList<CertificationRow> Expiring, CertificationRow ExpiringTotal, IReadOnlyList<TrendPoint> Trend, DateTimeOffset TrendAsOf, long SignedIn);

public static class Dashboard
{
    /// <summary>The longest lists a dashboard shows (the report pages have the rest).</summary>
    public const int MaxRows = 10;

    /// <summary>The weeks of the trend a dashboard may show.</summary>
    public static readonly IReadOnlyList<int> WeekChoices = [12, 26, 52];

    /// <summary>
    /// A manager's dashboard is about people: a scope that names people only (a manager's team) or a report about a
    /// manager's team breaks down by person; everything else by org unit.
    /// </summary>
    public static Breakdown BreakdownFor(ReportScope scope, ReportFilter filter) =>
        filter.ManagerId is not null || (!scope.Global && scope.OrgUnitIds.Count == 0) ? Breakdown.Person : Breakdown.OrgUnit;

    public static async Task<DashboardFigures> ReadAsync(AnalyticsDbContext db, ReportData data, Breakdown breakdown, int weeks, CancellationToken ct)
    {
        var (units, total) = await Reports.CountsAsync(db, data.Assignments, GroupBy.OrgUnit, ct);
        var (people, compliant) = await Reports.PeopleComplianceAsync(data.People, ct);
        var overdue = breakdown == Breakdown.OrgUnit
            ? [.. units.Where(u => u.Overdue > 0).OrderByDescending(u => u.Overdue).ThenBy(u => u.Name, StringComparer.CurrentCultureIgnoreCase).Take(MaxRows)]
            : await OverdueByPersonAsync(db, data.Source.Rows, ct);
        var certifications = await Reports.CertificationsAsync(db, data.Certifications, ct);
        var expiring = certifications.Where(c => c.Expiring90 > 0).OrderByDescending(c => c.Expiring30).ThenByDescending(c => c.Expiring90).Take(MaxRows).ToList();
        var expiringTotal = new CertificationRow(Guid.Empty, "Total", certifications.Sum(c => c.Certified), certifications.Sum(c => c.Expiring30),
            certifications.Sum(c => c.Expiring60), certifications.Sum(c => c.Expiring90));

        // The people who signed in in the 30 days up to the date (identity's sign-in events).
        var since = data.AsOf.AddDays(-30);
        var signedIn = await data.Source.People.LongCountAsync(p => db.SignIns.Any(s => s.UserId == p.UserId && s.At > since && s.At <= data.AsOf), ct);

        // About now, the trend is the current figures' weekly cells, as of when they were taken (with the figures, every few
        // minutes); on a past date it is counted from the ledger copy.
        if (data.CurrentFigures && data.TrendAsOf is { } trendAt && weeks <= Trends.FigureWeeks)
        {
            var (cells, activeInMonth) = await Trends.FromCellsAsync(data.Cells(db.WeekFigures), data.Cells(db.ActivityFigures), Trends.LastWeeks(trendAt, weeks), ct);
            return new(total, people, compliant, activeInMonth, breakdown, overdue, expiring, expiringTotal, cells, trendAt, signedIn);
        }
        var trend = await Trends.CountAsync(db, data.Source, Trends.LastWeeks(data.AsOf, weeks), ct);
        var active = (await Trends.CountAsync(db, data.Source, [Trends.LastMonth(data.AsOf)], ct))[0].ActiveLearners;
        return new(total, people, compliant, active, breakdown, overdue, expiring, expiringTotal, trend, data.AsOf, signedIn);
    }

    /// <summary>The people with the most overdue assignments, counted from the rows (a team is counted live, never from the org units' cells).</summary>
    private static async Task<List<MetricRow>> OverdueByPersonAsync(AnalyticsDbContext db, IQueryable<AssignmentAt> rows, CancellationToken ct)
    {
        var counts = await Reports.PersonCounts(rows).Where(p => p.Overdue > 0).OrderByDescending(p => p.Overdue).ThenBy(p => p.UserId).Take(MaxRows).ToListAsync(ct);
        var ids = counts.Select(c => c.UserId).ToList();
        var names = await db.Users.Where(u => ids.Contains(u.UserId)).ToDictionaryAsync(u => u.UserId, u => u.DisplayName, ct);
        return [.. counts.Select(c => MetricRow.Of(c.UserId, names.GetValueOrDefault(c.UserId, "(unknown)"), c))
            .OrderByDescending(r => r.Overdue).ThenBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase)];
    }
}
