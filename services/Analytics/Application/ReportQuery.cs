using LmsPlatform.ServiceDefaults.Http;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// The query every report takes: <c>asOf</c> (a past date; now when absent), <c>orgUnitId</c> (that unit and those under
/// it), <c>managerId</c> with <c>indirect</c> (their people all the way down, the default, or only direct reports),
/// <c>audienceId</c> (the audience's members on the date), <c>courseId</c>, <c>categoryId</c>, and for counts <c>groupBy</c> (<c>course</c> or <c>orgUnit</c>).
/// (A schedule keeps one, without a date: a schedule is about now.)
/// </summary>
public sealed record ReportQuery(DateTimeOffset? AsOf, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId, Guid? CategoryId, string? GroupBy,
    Guid? AudienceId = null)
{
    public Dictionary<string, string[]> Validate(DateTimeOffset now)
    {
        var errors = new ValidationErrors();
        errors.Check(AsOf is null || AsOf <= now, "asOf", "cannot be in the future: reports say what was, not what will be");
        errors.Check(GroupBy is null || Enum.TryParse<GroupBy>(GroupBy, ignoreCase: true, out _), "groupBy", "must be 'course' or 'orgUnit'");
        return errors.ToDictionary();
    }

    /// <summary>The filter, its date in UTC (PostgreSQL takes instants in UTC only; "+02:00" in the query is the same instant).</summary>
    public ReportFilter ToFilter(DateTimeOffset now) =>
        new((AsOf ?? now).ToUniversalTime(), OrgUnitId, ManagerId, Indirect ?? true, CourseId, CategoryId, IsNow: AsOf is null, AudienceId);

    public GroupBy Grouping => GroupBy is null ? Application.GroupBy.Course : Enum.Parse<GroupBy>(GroupBy, ignoreCase: true);
}

