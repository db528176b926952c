using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// What a report is about: the date it is "as of" (now when not given), and optionally an org unit (with everything
/// under it), a manager's people (direct, or all the way down), an audience's members on the date, one course or one category.
/// </summary>
public sealed record ReportFilter(DateTimeOffset AsOf, Guid? OrgUnitId = null, Guid? ManagerId = null, bool Indirect = true, Guid? CourseId = null,
    Guid? CategoryId = null, bool IsNow = false, Guid? AudienceId = null);

/// <summary>One row of a completion or compliance report, grouped by course or by org unit.</summary>
public sealed record MetricRow(Guid? Key, string Name, long Assigned, long NotStarted, long InProgress, long Completed, long Paused, long Overdue,
    long Required, long Compliant)
{
    public double? CompletionRate => Metrics.Rate(Completed, Assigned);
    public double? ComplianceRate => Metrics.Rate(Compliant, Required);

    public static MetricRow Of(Guid? key, string name, AssignmentCounts c) =>
        new(key, name, c.Assigned, c.NotStarted, c.InProgress, c.Completed, c.Paused, c.Overdue, c.Required, c.Required - c.RequiredOverdue);
}

public sealed record OverdueRow(Guid EnrolmentId, Guid UserId, string Person, string? Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId, string? Manager,
    Guid CourseId, string Course, DateTimeOffset DueAt, int DaysOverdue, string Status);

public sealed record ComplianceFigures(List<MetricRow> Rows, MetricRow Total, long People, long Compliant, List<CertificationRow> Certifications);

public sealed record CertificationRow(Guid CourseId, string Course, long Certified, long Expiring30, long Expiring60, long Expiring90);

/// <summary>A certification held on a report date (<see cref="Reports.Held"/>), placed where its holder sits.</summary>
public sealed class HeldCertification
{
    public Guid CertificationId { get; init; }
    public Guid UserId { get; init; }
    public Guid CourseId { get; init; }
    public Guid? OrgUnitId { get; init; }
    public Guid? ManagerId { get; init; }
    public DateTimeOffset CertifiedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

/// <summary>One person's certification that expires soon after the report date.</summary>
public sealed record ExpiringRow(Guid CertificationId, Guid UserId, string Person, string? Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId,
    string? Manager, Guid CourseId, string Course, DateTimeOffset CertifiedAt, DateTimeOffset ExpiresAt, int DaysLeft);

/// <summary>A person as the lists of people show them (<see cref="Reports.Placed"/>).</summary>
public sealed class PlacedPerson
{
    public Guid UserId { get; init; }
    public string Person { get; init; } = "";
    public string? Email { get; init; }
    public Guid? OrgUnitId { get; init; }
    public string? OrgUnit { get; init; }
    public Guid? ManagerId { get; init; }
    public string? Manager { get; init; }
}

public enum GroupBy { Course, OrgUnit }

/// <summary>One line of a person's transcript: an assignment counted on the date, as the metric rules classify it.</summary>
public sealed record TranscriptRow(Guid EnrolmentId, Guid CourseId, string Course, string Status, DateTimeOffset AssignedAt, DateTimeOffset? DueAt,
    DateTimeOffset? CompletedAt, bool Overdue, bool Required);

/// <summary>What a report reads: the people and courses it covers, and the counted assignments between them.</summary>
public sealed record ReportSource(IQueryable<UserFact> People, IQueryable<ItemFact> Items, IQueryable<AssignmentAt> Rows);

/// <summary>
/// Everything a report reads, for one date: the counted rows (for the lists of people) and the figures (the counts per org
/// unit and course), either computed from those rows or, for now, read from the current figures taken at
/// <see cref="AsOf"/>, the moment the rows are then read at too.
/// </summary>
public sealed record ReportData(DateTimeOffset AsOf, ReportSource Source, IQueryable<AssignmentFigure> Assignments, IQueryable<PeopleFigure> People,
    IQueryable<CertificationFigure> Certifications, bool CurrentFigures, ReportScope Scope, IReadOnlyCollection<Guid>? Units)
{
    /// <summary>With the current figures, when their weekly trend's cells were taken (<see cref="FiguresSnapshot.TrendTakenAt"/>).</summary>
    public DateTimeOffset? TrendAsOf { get; init; }

    /// <summary>The figure cells of the org units the report reaches: the caller's scope, and the filter's subtree if any.</summary>
    public IQueryable<T> Cells<T>(IQueryable<T> figures) where T : class, IPlacedInOrgUnit =>
        Units is null ? Scope.Cells(figures) : ReportScope.InUnits(Scope.Cells(figures), Units);
}

/// <summary>
/// The reports, all built on <see cref="SourceAsync"/>: the one query that decides which assignments count on a
/// date (<see cref="Metrics.Population"/>) and classifies each by the metric rules. Completion, overdue and compliance
/// are groupings and listings of the same rows, so their totals agree by construction (and a test checks it). The
/// current figures are those same groupings, taken for the whole organisation (<see cref="CurrentFigures"/>).
/// </summary>
public static class Reports
{
    /// <summary>
    /// What a report about <paramref name="filter"/> reads, inside the caller's scope. A report about now over whole org
    /// units (no manager's team, course or category: the cells the current figures keep) reads the current figures, and
    /// is about the moment they were taken; every other report counts the ranges.
    /// </summary>
    public static async Task<ReportData> OpenAsync(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, CancellationToken ct)
    {
        var units = filter.OrgUnitId is { } unit ? await ReportScope.SubtreeAsync(db, unit, ct) : null;
        if (filter.IsNow && scope.PeopleIds.Count == 0 && filter is { ManagerId: null, AudienceId: null, CourseId: null, CategoryId: null }
            && await db.FiguresSnapshots.AsNoTracking().FirstOrDefaultAsync(ct) is { } snapshot)
        {
            var current = await SourceAsync(db, scope, filter with { AsOf = snapshot.TakenAt }, units, ct);
            var cells = new ReportData(snapshot.TakenAt, current, db.AssignmentFigures, db.PeopleFigures, db.CertificationFigures, CurrentFigures: true, scope, units);
            return cells with { Assignments = cells.Cells(db.AssignmentFigures), People = cells.Cells(db.PeopleFigures), Certifications = cells.Cells(db.CertificationFigures),
                TrendAsOf = snapshot.TrendTakenAt };
        }
        var source = await SourceAsync(db, scope, filter, units, ct);
        return new(filter.AsOf, source, AssignmentFigures(source.Rows), PeopleFigures(source.Rows), CertificationFigures(db, source, filter.AsOf),
            CurrentFigures: false, scope, units);
    }

    /// <summary>
    /// The people and courses a report covers (the caller's scope and the filters, the inclusion rules applied) and the
    /// counted assignments between them on the filter's date, classified.
    /// </summary>
    public static async Task<ReportSource> SourceAsync(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, CancellationToken ct) =>
        await SourceAsync(db, scope, filter, filter.OrgUnitId is { } unit ? await ReportScope.SubtreeAsync(db, unit, ct) : null, ct);

    private static async Task<ReportSource> SourceAsync(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, List<Guid>? units, CancellationToken ct)
    {
        var asOf = filter.AsOf;
        var people = scope.Filter(filter.IsNow ? db.Users : db.UsersAsOf(asOf)).Where(u => u.Status == UserFact.Active && !u.Erased);
        if (units is not null) people = ReportScope.InUnits(people, units);
        if (filter.ManagerId is { } manager)
        {
            var team = await ReportScope.ReportsOfAsync(db, manager, filter.Indirect, ct, filter.IsNow ? null : asOf);
            people = people.Where(u => team.Contains(u.UserId));
        }
        if (filter.AudienceId is { } audience)
        {
            // Its members on the date: each person's latest membership change by then is not a leaving.
            var changes = db.AudienceChanges.Where(c => c.AudienceId == audience && c.At <= asOf);
            people = people.Where(u => changes.Any(c => c.UserId == u.UserId)
                && changes.Where(c => c.UserId == u.UserId).OrderByDescending(c => c.At).ThenByDescending(c => c.Id).Select(c => c.Change).First() != AudienceChange.Left);
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
                   Started = s.StartedAt != null,
                   Timed = s.Status == AssignmentStatus.Completed && s.CompletedAt >= s.AssignedAt,
               };
        return new ReportSource(people, items, rows);
    }

    /// <summary>
    /// Whom a report covers, in words: the org unit, the manager's people, or everyone the caller may report on; and
    /// the course, if one. Printed at the head of the audit pack and in a scheduled report's email.
    /// </summary>
    public static async Task<string> DescribeAsync(AnalyticsDbContext db, ReportScope scope, ReportFilter filter, CancellationToken ct)
    {
        var who = filter.OrgUnitId is { } unit ? await db.OrgUnits.Where(o => o.Id == unit).Select(o => o.Name).FirstOrDefaultAsync(ct) ?? "An unknown org unit"
            : filter.ManagerId is { } manager
                ? $"The people of {await db.Users.Where(u => u.UserId == manager).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? "an unknown manager"}"
            : filter.AudienceId is not null ? "The members of the chosen audience"
            : scope.Global ? "The whole organisation" : "Everyone the requester may report on";
        if (filter.CourseId is { } course)
            who += $", {await db.Items.Where(i => i.ItemId == course).Select(i => i.Title).FirstOrDefaultAsync(ct) ?? "an unknown course"}";
        return who;
    }

    /// <summary>The rows counted per org unit and course.</summary>
    public static IQueryable<AssignmentFigure> AssignmentFigures(IQueryable<AssignmentAt> rows) =>
        rows.GroupBy(a => new { a.OrgUnitId, a.CourseId }).CountEach(g => new AssignmentFigure { OrgUnitId = g.Key.OrgUnitId, CourseId = g.Key.CourseId });

    /// <summary>The rows counted per person.</summary>
    public static IQueryable<PersonCounts> PersonCounts(IQueryable<AssignmentAt> rows) =>
        rows.GroupBy(a => a.UserId).CountEach(g => new PersonCounts { UserId = g.Key });

    /// <summary>What every group of counted assignments is counted into, whatever it is keyed by: the metric rules' counts.</summary>
    private static readonly Expression<Func<IEnumerable<AssignmentAt>, AssignmentCounts>> Counting = g => new AssignmentCounts
    {
        Assigned = g.LongCount(),
        NotStarted = g.LongCount(a => a.NotStarted),
        InProgress = g.LongCount(a => a.InProgress),
        Completed = g.LongCount(a => a.Completed),
        Paused = g.LongCount(a => a.Paused),
        Overdue = g.LongCount(a => a.Overdue),
        Required = g.LongCount(a => a.Required),
        RequiredOverdue = g.LongCount(a => a.Required && a.Overdue),
    };

    /// <summary>
    /// Each group of counted assignments as a <typeparamref name="T"/>: its key, as <paramref name="keyed"/> sets it, and
    /// the counts of <see cref="Counting"/> (bound into the same projection, so the database counts them in one pass).
    /// </summary>
    public static IQueryable<T> CountEach<TKey, T>(this IQueryable<IGrouping<TKey, AssignmentAt>> groups, Expression<Func<IGrouping<TKey, AssignmentAt>, T>> keyed)
        where T : AssignmentCounts
    {
        var init = (MemberInitExpression)keyed.Body;
        var counts = ((MemberInitExpression)Counting.Body).Bindings.Cast<MemberAssignment>()
            .Select(b => Expression.Bind(b.Member, ReplacingExpressionVisitor.Replace(Counting.Parameters[0], keyed.Parameters[0], b.Expression)));
        return groups.Select(keyed.Update(init.Update(init.NewExpression, [.. init.Bindings, .. counts]), keyed.Parameters));
    }

    /// <summary>
    /// Each group of counted cells (<see cref="AssignmentFigure"/>s, or rows already summed) added up into one
    /// <see cref="KeyedCounts"/>: every count of <see cref="AssignmentCounts"/> summed, the list of counts written once
    /// (there), whether the database sums them or the summed rows are added up into a total.
    /// </summary>
    public static IQueryable<KeyedCounts> SumEach<T>(this IQueryable<IGrouping<Guid?, T>> groups) where T : AssignmentCounts =>
        groups.Select(Summing<T>.Of);

    private static class Summing<T> where T : AssignmentCounts
    {
        public static readonly Expression<Func<IGrouping<Guid?, T>, KeyedCounts>> Of = Build();

        private static Expression<Func<IGrouping<Guid?, T>, KeyedCounts>> Build()
        {
            var group = Expression.Parameter(typeof(IGrouping<Guid?, T>), "g");
            var sum = typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Sum) && m.IsGenericMethodDefinition
                && m.GetParameters()[1].ParameterType.GetGenericArguments() is [_, var result] && result == typeof(long));
            var bindings = typeof(AssignmentCounts).GetProperties().Where(p => p.PropertyType == typeof(long)).Select(p =>
            {
                var cell = Expression.Parameter(typeof(T), "c");
                var selector = Expression.Lambda<Func<T, long>>(Expression.Property(cell, p), cell);
                return (MemberBinding)Expression.Bind(typeof(KeyedCounts).GetProperty(p.Name)!,
                    Expression.Call(sum.MakeGenericMethod(typeof(T)), group, selector));
            });
            var key = Expression.Bind(typeof(KeyedCounts).GetProperty(nameof(KeyedCounts.Key))!,
                Expression.Property(group, nameof(IGrouping<Guid?, T>.Key)));
            return Expression.Lambda<Func<IGrouping<Guid?, T>, KeyedCounts>>(
                Expression.MemberInit(Expression.New(typeof(KeyedCounts)), [key, .. bindings]), group);
        }
    }

    /// <summary>Per org unit, the people with at least one required assignment, and those of them with none overdue.</summary>
    public static IQueryable<PeopleFigure> PeopleFigures(IQueryable<AssignmentAt> rows) =>
        rows.Where(a => a.Required)
            .GroupBy(a => new { a.UserId, a.OrgUnitId })
            .Select(g => new { g.Key.OrgUnitId, Overdue = g.LongCount(a => a.Overdue) })
            .GroupBy(p => p.OrgUnitId)
            .Select(g => new PeopleFigure { OrgUnitId = g.Key, People = g.LongCount(), Compliant = g.LongCount(p => p.Overdue == 0) });

    /// <summary>
    /// The certifications held on <paramref name="asOf"/> by the people, for the courses, a report covers: certified on or
    /// before it and expiring after it, each the latest cycle achieved by then. Certified and expiring counts, and the list
    /// of people whose certification expires, all read these rows.
    /// </summary>
    public static IQueryable<HeldCertification> Held(AnalyticsDbContext db, ReportSource source, DateTimeOffset asOf) =>
        from c in db.Certifications
        where c.CertifiedAt <= asOf && c.ExpiresAt > asOf
        join u in source.People on c.UserId equals u.UserId
        join i in source.Items on c.CourseId equals i.ItemId
        where !db.Certifications.Any(n => n.CertificationId == c.CertificationId && n.Cycle > c.Cycle && n.CertifiedAt <= asOf)
        select new HeldCertification
        {
            CertificationId = c.CertificationId, UserId = c.UserId, CourseId = c.CourseId, OrgUnitId = u.OrgUnitId, ManagerId = u.ManagerId,
            CertifiedAt = c.CertifiedAt!.Value, ExpiresAt = c.ExpiresAt!.Value,
        };

    /// <summary>
    /// Per org unit and certification course the report covers: its people certified on the date and those whose
    /// certification expires within 30, 60 and 90 days of it (<see cref="Held"/>).
    /// </summary>
    public static IQueryable<CertificationFigure> CertificationFigures(AnalyticsDbContext db, ReportSource source, DateTimeOffset asOf)
    {
        var in30 = asOf.AddDays(30);
        var in60 = asOf.AddDays(60);
        var in90 = asOf.AddDays(90);
        return from c in Held(db, source, asOf)
               group c by new { c.OrgUnitId, c.CourseId } into g
               select new CertificationFigure
               {
                   OrgUnitId = g.Key.OrgUnitId,
                   CourseId = g.Key.CourseId,
                   Certified = g.Select(c => c.UserId).Distinct().LongCount(),
                   Expiring30 = g.LongCount(c => c.ExpiresAt <= in30),
                   Expiring60 = g.LongCount(c => c.ExpiresAt <= in60),
                   Expiring90 = g.LongCount(c => c.ExpiresAt <= in90),
               };
    }

    /// <summary>
    /// The people behind the expiring counts: certifications held on the date (<see cref="Held"/>) that expire within
    /// <paramref name="days"/> of it, soonest first, with who, where and whose report they are.
    /// </summary>
    public static IQueryable<ExpiringRow> Expiring(AnalyticsDbContext db, ReportSource source, DateTimeOffset asOf, int days)
    {
        var until = asOf.AddDays(days);
        return from c in Held(db, source, asOf)
               where c.ExpiresAt <= until
               join p in Placed(db, source.People) on c.UserId equals p.UserId
               join i in db.Items on c.CourseId equals i.ItemId
               orderby c.ExpiresAt, p.Person, c.CertificationId
               select new ExpiringRow(c.CertificationId, c.UserId, p.Person, p.Email, p.OrgUnitId, p.OrgUnit, p.ManagerId, p.Manager, c.CourseId, i.Title,
                   c.CertifiedAt, c.ExpiresAt, (int)Math.Floor((c.ExpiresAt - asOf).TotalDays));
    }

    /// <summary>
    /// Who each of <paramref name="people"/> is, where they sit and whose report they are (on the report's date, as the
    /// report's people are placed), as the lists of people show them.
    /// </summary>
    public static IQueryable<PlacedPerson> Placed(AnalyticsDbContext db, IQueryable<UserFact> people) =>
        from u in people
        join o in db.OrgUnits on u.OrgUnitId equals o.Id into units
        from o in units.DefaultIfEmpty()
        join m in db.Users on u.ManagerId equals m.UserId into managers
        from m in managers.DefaultIfEmpty()
        select new PlacedPerson
        {
            UserId = u.UserId, Person = u.DisplayName, Email = u.Email, OrgUnitId = u.OrgUnitId, OrgUnit = o.Name, ManagerId = u.ManagerId, Manager = m.DisplayName,
        };

    /// <summary>Assigned, progress, completion and compliance counts per course or per org unit, and the totals over all rows.</summary>
    public static async Task<(List<MetricRow> Rows, MetricRow Total)> CountsAsync(AnalyticsDbContext db, IQueryable<AssignmentFigure> figures, GroupBy groupBy,
        CancellationToken ct)
    {
        var grouped = await (groupBy == GroupBy.Course ? figures.GroupBy(f => (Guid?)f.CourseId) : figures.GroupBy(f => f.OrgUnitId))
            .SumEach().ToListAsync(ct);

        var keys = grouped.Where(g => g.Key != null).Select(g => g.Key!.Value).ToList();
        var names = groupBy == GroupBy.Course
            ? await db.Items.Where(i => keys.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, i => i.Title, ct)
            : await db.OrgUnits.Where(o => keys.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        var result = grouped
            .Select(g => MetricRow.Of(g.Key, g.Key is { } k && names.TryGetValue(k, out var n) ? n : "(no org unit)", g))
            .OrderBy(r => r.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var total = MetricRow.Of(null, "Total", grouped.AsQueryable().GroupBy(_ => (Guid?)null).SumEach().SingleOrDefault() ?? new KeyedCounts());
        return (result, total);
    }

    /// <summary>The compliance report's figures (the page's answer and the audit pack's): counts grouped, people compliant, certifications.</summary>
    public static async Task<ComplianceFigures> ComplianceAsync(AnalyticsDbContext db, ReportData data, GroupBy groupBy, CancellationToken ct)
    {
        var (rows, total) = await CountsAsync(db, data.Assignments, groupBy, ct);
        var (people, compliant) = await PeopleComplianceAsync(data.People, ct);
        return new(rows, total, people, compliant, await CertificationsAsync(db, data.Certifications, ct));
    }

    /// <summary>People with at least one required assignment, and those of them with none overdue.</summary>
    public static async Task<(long People, long Compliant)> PeopleComplianceAsync(IQueryable<PeopleFigure> figures, CancellationToken ct)
    {
        var counts = await figures.GroupBy(_ => 1).Select(g => new { People = g.Sum(p => p.People), Compliant = g.Sum(p => p.Compliant) }).FirstOrDefaultAsync(ct);
        return counts is null ? (0, 0) : (counts.People, counts.Compliant);
    }

    /// <summary>Per certification course: its people certified on the date and those whose certification expires within 30, 60 and 90 days.</summary>
    public static async Task<List<CertificationRow>> CertificationsAsync(AnalyticsDbContext db, IQueryable<CertificationFigure> figures, CancellationToken ct)
    {
        var counts = await figures.GroupBy(f => f.CourseId).Select(g => new
        {
            CourseId = g.Key,
            Certified = g.Sum(f => f.Certified),
            In30 = g.Sum(f => f.Expiring30),
            In60 = g.Sum(f => f.Expiring60),
            In90 = g.Sum(f => f.Expiring90),
        }).ToListAsync(ct);
        var ids = counts.Select(c => c.CourseId).ToList();
        var names = await db.Items.Where(i => ids.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, i => i.Title, ct);
        return [.. counts.Select(c => new CertificationRow(c.CourseId, names.GetValueOrDefault(c.CourseId, "(unknown course)"), c.Certified, c.In30, c.In60, c.In90))
            .OrderBy(c => c.Course, StringComparer.CurrentCultureIgnoreCase)];
    }

    /// <summary>One person's counted assignments on the date, oldest first: the same rows every report counts, so a
    /// transcript explains the person's share of any figure.</summary>
    public static IQueryable<TranscriptRow> Transcript(AnalyticsDbContext db, IQueryable<AssignmentAt> rows, Guid userId) =>
        from a in rows
        where a.UserId == userId
        join i in db.Items on a.CourseId equals i.ItemId
        orderby a.AssignedAt, i.Title, a.EnrolmentId
        select new TranscriptRow(a.EnrolmentId, a.CourseId, i.Title,
            a.Completed ? (a.Status == AssignmentStatus.Waived ? "Waived" : "Completed") : a.Paused ? "Paused" : a.Overdue ? "Overdue" : a.InProgress ? "InProgress" : "NotStarted",
            a.AssignedAt, a.DueAt, a.CompletedAt, a.Overdue, a.Required);

    /// <summary>The overdue assignments, most overdue first, with who, where and whose report they are.</summary>
    public static IQueryable<OverdueRow> Overdue(AnalyticsDbContext db, ReportSource source, DateTimeOffset asOf) =>
        from a in source.Rows
        where a.Overdue
        join p in Placed(db, source.People) on a.UserId equals p.UserId
        join i in db.Items on a.CourseId equals i.ItemId
        orderby a.DueAt, p.Person, a.EnrolmentId
        select new OverdueRow(a.EnrolmentId, a.UserId, p.Person, p.Email, p.OrgUnitId, p.OrgUnit, p.ManagerId, p.Manager, a.CourseId, i.Title,
            a.DueAt!.Value, (int)Math.Floor((asOf - a.DueAt!.Value).TotalDays), a.InProgress ? "InProgress" : "NotStarted");
}
