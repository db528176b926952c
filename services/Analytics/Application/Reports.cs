using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// What a report is about: the date it is "as of" (now when not given), and optionally an org unit (with everything
/// under it), a manager's people (direct, or all the way down), one course or one category.
/// </summary>
public sealed record ReportFilter(DateTimeOffset AsOf, Guid? OrgUnitId = null, Guid? ManagerId = null, bool Indirect = true, Guid? CourseId = null,
    Guid? CategoryId = null, bool IsNow = false);

/// <summary>One row of a completion or compliance report, grouped by course or by org unit.</summary>
public sealed record MetricRow(Guid? Key, string Name, long Assigned, long NotStarted, long InProgress, long Completed, long Paused, long Overdue,
    long Required, long Compliant)
{
    public double? CompletionRate => Metrics.Rate(Completed, Assigned);
    public double? ComplianceRate => Metrics.Rate(Compliant, Required);
}

public sealed record OverdueRow(Guid EnrolmentId, Guid UserId, string Person, string? Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId, string? Manager,
    Guid CourseId, string Course, DateTimeOffset DueAt, int DaysOverdue, string Status);

public sealed record CertificationRow(Guid CourseId, string Course, long Certified, long Expiring30, long Expiring60, long Expiring90);

public enum GroupBy { Course, OrgUnit }

/// <summary>What a report reads: the people and courses it covers, and the counted assignments between them.</summary>
public sealed record ReportSource(IQueryable<UserFact> People, IQueryable<ItemFact> Items, IQueryable<AssignmentAt> Rows);

/// <summary>
/// The reports, all built on <see cref="AssignmentsAsOf"/>: the one query that decides which assignments count on a
/// date (<see cref="Metrics.Population"/>) and classifies each by the metric rules. Completion, overdue and compliance
/// are groupings and listings of the same rows, so their totals agree by construction (and a test checks it).
/// </summary>
public static class Reports
{
    /// <summary>The counted assignments on the filter's date, inside the caller's scope, classified.</summary>
    public static async Task<IQueryable<AssignmentAt>> AssignmentsAsOf(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, CancellationToken ct) =>
        (await SourceAsync(db, scope, filter, ct)).Rows;

    /// <summary>
    /// The people and courses a report covers (the caller's scope and the filters, the inclusion rules applied) and the
    /// counted assignments between them on the filter's date, classified.
    /// </summary>
    public static async Task<ReportSource> SourceAsync(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, CancellationToken ct)
    {
        var asOf = filter.AsOf;
        var people = scope.Filter(db.Users).Where(u => u.Status == UserFact.Active && !u.Erased);
        if (filter.OrgUnitId is { } unit)
        {
            var subtree = await ReportScope.SubtreeAsync(db, unit, ct);
            people = people.Where(u => u.OrgUnitId != null && subtree.Contains(u.OrgUnitId.Value));
        }
        if (filter.ManagerId is { } manager)
        {
            var team = await ReportScope.ReportsOfAsync(db, manager, filter.Indirect, ct);
            people = people.Where(u => team.Contains(u.UserId));
        }

        var items = db.Items.Where(i => i.ArchivedAt == null || i.ArchivedAt > asOf);
        if (filter.CourseId is { } course) items = items.Where(i => i.ItemId == course);
        if (filter.CategoryId is { } category) items = items.Where(i => i.CategoryId == category);

        // Now is the open ranges (every range that closed did so at or before now), which a partial index serves.
        var states = filter.IsNow ? db.EnrolmentStates.Where(s => s.ValidTo == null)
            : db.EnrolmentStates.Where(s => s.ValidFrom <= asOf && (s.ValidTo == null || s.ValidTo > asOf));
        var rows = from s in states
               where s.Status != AssignmentStatus.Withdrawn
               join u in people on s.UserId equals u.UserId
               join i in items on s.CourseId equals i.ItemId
               select new AssignmentAt
               {
                   EnrolmentId = s.EnrolmentId, UserId = s.UserId, CourseId = s.CourseId, OrgUnitId = u.OrgUnitId, ManagerId = u.ManagerId,
                   CategoryId = i.CategoryId, Status = s.Status, AssignedAt = s.AssignedAt, CompletedAt = s.CompletedAt, DueAt = s.DueAt,
                   NotStarted = s.Status == AssignmentStatus.Enrolled,
                   InProgress = s.Status == AssignmentStatus.InProgress,
                   Completed = s.Status == AssignmentStatus.Completed || s.Status == AssignmentStatus.Waived,
                   Paused = s.Status == AssignmentStatus.Suspended,
                   Overdue = (s.Status == AssignmentStatus.Enrolled || s.Status == AssignmentStatus.InProgress) && s.DueAt != null && s.DueAt < asOf,
                   Required = s.DueAt != null,
               };
        return new ReportSource(people, items, rows);
    }

    /// <summary>Assigned, progress, completion and compliance counts per course or per org unit, and the totals over all rows.</summary>
    public static async Task<(List<MetricRow> Rows, MetricRow Total)> CountsAsync(AnalyticsDbContext db, IQueryable<AssignmentAt> rows, GroupBy groupBy,
        CancellationToken ct)
    {
        var grouped = await (groupBy == GroupBy.Course ? rows.GroupBy(a => (Guid?)a.CourseId) : rows.GroupBy(a => a.OrgUnitId))
            .Select(g => new
            {
                g.Key,
                Assigned = g.LongCount(),
                NotStarted = g.LongCount(a => a.NotStarted),
                InProgress = g.LongCount(a => a.InProgress),
                Completed = g.LongCount(a => a.Completed),
                Paused = g.LongCount(a => a.Paused),
                Overdue = g.LongCount(a => a.Overdue),
                Required = g.LongCount(a => a.Required),
                RequiredOverdue = g.LongCount(a => a.Required && a.Overdue),
            }).ToListAsync(ct);

        var keys = grouped.Where(g => g.Key != null).Select(g => g.Key!.Value).ToList();
        var names = groupBy == GroupBy.Course
            ? await db.Items.Where(i => keys.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, i => i.Title, ct)
            : await db.OrgUnits.Where(o => keys.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        var result = grouped
            .Select(g => new MetricRow(g.Key, g.Key is { } k && names.TryGetValue(k, out var n) ? n : "(no org unit)", g.Assigned, g.NotStarted, g.InProgress,
                g.Completed, g.Paused, g.Overdue, g.Required, g.Required - g.RequiredOverdue))
            .OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var total = new MetricRow(null, "Total", result.Sum(r => r.Assigned), result.Sum(r => r.NotStarted), result.Sum(r => r.InProgress),
            result.Sum(r => r.Completed), result.Sum(r => r.Paused), result.Sum(r => r.Overdue), result.Sum(r => r.Required), result.Sum(r => r.Compliant));
        return (result, total);
    }

    /// <summary>People with at least one required assignment, and those of them with none overdue.</summary>
    public static async Task<(long People, long Compliant)> PeopleComplianceAsync(IQueryable<AssignmentAt> rows, CancellationToken ct)
    {
        var perPerson = rows.Where(a => a.Required).GroupBy(a => a.UserId).Select(g => new { Overdue = g.LongCount(a => a.Overdue) });
        var counts = await perPerson.GroupBy(_ => 1).Select(g => new { People = g.LongCount(), NonCompliant = g.LongCount(p => p.Overdue > 0) }).FirstOrDefaultAsync(ct);
        return counts is null ? (0, 0) : (counts.People, counts.People - counts.NonCompliant);
    }

    /// <summary>The overdue assignments, most overdue first, with who, where and whose report they are.</summary>
    public static IQueryable<OverdueRow> Overdue(AnalyticsDbContext db, IQueryable<AssignmentAt> rows, DateTimeOffset asOf) =>
        from a in rows
        where a.Overdue
        join u in db.Users on a.UserId equals u.UserId
        join i in db.Items on a.CourseId equals i.ItemId
        join o in db.OrgUnits on a.OrgUnitId equals o.Id into units
        from o in units.DefaultIfEmpty()
        join m in db.Users on a.ManagerId equals m.UserId into managers
        from m in managers.DefaultIfEmpty()
        orderby a.DueAt, u.DisplayName, a.EnrolmentId
        select new OverdueRow(a.EnrolmentId, a.UserId, u.DisplayName, u.Email, a.OrgUnitId, o.Name, a.ManagerId, m.DisplayName, a.CourseId, i.Title,
            a.DueAt!.Value, (int)Math.Floor((asOf - a.DueAt!.Value).TotalDays), a.InProgress ? "InProgress" : "NotStarted");

    /// <summary>
    /// Per certification course the report covers: its people certified on the date and those whose certification
    /// expires within 30, 60 and 90 days of it (and has no later cycle achieved by then).
    /// </summary>
    public static async Task<List<CertificationRow>> CertificationsAsync(AnalyticsDbContext db, ReportSource source, DateTimeOffset asOf,
        CancellationToken ct)
    {
        var valid = from c in db.Certifications
                    where c.CertifiedAt <= asOf && c.ExpiresAt > asOf
                    join u in source.People on c.UserId equals u.UserId
                    join i in source.Items on c.CourseId equals i.ItemId
                    where !db.Certifications.Any(n => n.CertificationId == c.CertificationId && n.Cycle > c.Cycle && n.CertifiedAt <= asOf)
                    select c;
        var in30 = asOf.AddDays(30);
        var in60 = asOf.AddDays(60);
        var in90 = asOf.AddDays(90);
        var counts = await valid.GroupBy(c => c.CourseId).Select(g => new
        {
            CourseId = g.Key,
            Certified = g.Select(c => c.UserId).Distinct().LongCount(),
            In30 = g.LongCount(c => c.ExpiresAt <= in30),
            In60 = g.LongCount(c => c.ExpiresAt <= in60),
            In90 = g.LongCount(c => c.ExpiresAt <= in90),
        }).ToListAsync(ct);
        var ids = counts.Select(c => c.CourseId).ToList();
        var names = await db.Items.Where(i => ids.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, i => i.Title, ct);
        return [.. counts.Select(c => new CertificationRow(c.CourseId, names.GetValueOrDefault(c.CourseId, "(unknown course)"), c.Certified, c.In30, c.In60, c.In90))
            .OrderBy(c => c.Course, StringComparer.CurrentCultureIgnoreCase)];
    }
}
