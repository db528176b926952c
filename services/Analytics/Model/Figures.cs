namespace LmsPlatform.Analytics.Model;

/// <summary>
/// A row placed in an org unit (null: in none): a person, or a figure kept per org unit. A scope or a subtree selects
/// either by the one rule of <see cref="LmsPlatform.Analytics.Application.ReportScope.InUnits{T}"/>.
/// </summary>
public interface IPlacedInOrgUnit
{
    Guid? OrgUnitId { get; }
}

/// <summary>
/// The counts the metric rules give a set of counted assignments (<see cref="AssignmentAt"/>), made by the one counting
/// expression <see cref="LmsPlatform.Analytics.Application.Reports.CountEach{TKey, T}"/> whatever the set is keyed by.
/// </summary>
public class AssignmentCounts
{
    public long Assigned { get; set; }
    public long NotStarted { get; set; }
    public long InProgress { get; set; }
    public long Completed { get; set; }
    public long Paused { get; set; }
    public long Overdue { get; set; }
    public long Required { get; set; }
    public long RequiredOverdue { get; set; }
}

/// <summary>Counts added up for one key (a course, an org unit, or none for a total).</summary>
public sealed class KeyedCounts : AssignmentCounts
{
    public Guid? Key { get; set; }
}

/// <summary>
/// The counted assignments of one org unit's people on one course, by the metric rules of <see cref="AssignmentAt"/>.
/// Reports add these cells up per course, per org unit or in total. A report computes them from the ranges, or reads
/// them from the current figures (<see cref="FiguresSnapshot"/>) when it asks about now.
/// </summary>
public sealed class AssignmentFigure : AssignmentCounts, IPlacedInOrgUnit
{
    public long Id { get; set; }
    public Guid? OrgUnitId { get; set; }
    public Guid CourseId { get; set; }
}

/// <summary>One person's counted assignments (a team's dashboard is about people, and is always counted live).</summary>
public sealed class PersonCounts : AssignmentCounts
{
    public Guid UserId { get; set; }
}

/// <summary>
/// One org unit's people with required training and those of them compliant. Each person sits in one org unit, so the
/// cells add up.
/// </summary>
public sealed class PeopleFigure : IPlacedInOrgUnit
{
    public long Id { get; set; }
    public Guid? OrgUnitId { get; set; }
    public long People { get; set; }
    public long Compliant { get; set; }
}

/// <summary>One org unit's people certified on one course, and those whose certification expires within 30, 60 and 90 days.</summary>
public sealed class CertificationFigure : IPlacedInOrgUnit
{
    public long Id { get; set; }
    public Guid? OrgUnitId { get; set; }
    public Guid CourseId { get; set; }
    public long Certified { get; set; }
    public long Expiring30 { get; set; }
    public long Expiring60 { get; set; }
    public long Expiring90 { get; set; }
}

/// <summary>
/// One org unit's new assignments and completions of one course in one week of the <see cref="LmsPlatform.Analytics.Application.Trends.FigureWeeks"/>
/// before the current figures' moment (the last week ends at it): the dashboards' trend about now, added up per week.
/// </summary>
public sealed class WeekFigure : IPlacedInOrgUnit
{
    public long Id { get; set; }
    public Guid? OrgUnitId { get; set; }
    public Guid CourseId { get; set; }
    public DateTimeOffset WeekStart { get; set; }
    public long NewAssignments { get; set; }
    public long Completions { get; set; }
}

/// <summary>
/// One org unit's active learners in one week of the trend, or (no week) in the 30 days before the current figures'
/// moment: distinct people, who add up across org units (a person sits in one) but not across weeks.
/// </summary>
public sealed class ActivityFigure : IPlacedInOrgUnit
{
    public long Id { get; set; }
    public Guid? OrgUnitId { get; set; }
    public DateTimeOffset? WeekStart { get; set; }
    public long ActiveLearners { get; set; }
}

/// <summary>
/// When the current figures were taken: the organisation's figures now, computed by one query in one transaction and
/// kept in the figure tables, so a report about now adds up at most a few thousand cells instead of counting a
/// million assignments. The single row (Id 1) is replaced with the figures.
/// </summary>
public sealed class FiguresSnapshot
{
    public int Id { get; set; }
    public DateTimeOffset TakenAt { get; set; }
    public double Seconds { get; set; }
    public long Cells { get; set; }
    /// <summary>
    /// When the weekly trend's cells (<see cref="WeekFigure"/>, <see cref="ActivityFigure"/>) were taken: with the figures,
    /// in the same transaction, but only every few minutes (they cost more and change slowly).
    /// </summary>
    public DateTimeOffset? TrendTakenAt { get; set; }
}
