using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>The provisioning health of the people a report covers (<see cref="Metrics.ProvisionedPeople"/>).</summary>
public sealed record PeopleHealth(long People, long WithoutOrgUnit, long WithoutManager, long WithoutEmail, long NeverSignedIn);

/// <summary>The imports that ended in one period of the report, and the rows the applied ones changed (<see cref="Metrics.ImportRows"/>).</summary>
public sealed record ImportPeriod(DateTimeOffset From, DateTimeOffset To, int Applied, int Failed, int Refused, int Created, int Updated, int Deactivated,
    int ErrorRows);

/// <summary>One import's end, as the report lists it (and its export).</summary>
public sealed record ImportRunRow(Guid ImportId, string Kind, string Outcome, string FileName, int TotalRows, int ErrorRows, int Created, int Updated,
    int Moved, int Deactivated, string? Message, string By, DateTimeOffset At);

/// <summary>
/// The import / provisioning health report: how whole the records of the people in scope are (department, manager,
/// email, ever signed in), and the HR imports of the range, per period and one by one. Imports change the whole
/// organisation, so only a report covering everyone (a global scope, no filter of people) shows them.
/// </summary>
public static class Provisioning
{
    /// <summary>How many imports the report lists one by one (the export has them all).</summary>
    public const int MaxRuns = 200;

    public static IReadOnlyList<MetricDefinition> Definitions { get; } =
        [Metrics.ProvisionedPeople, Metrics.WithoutOrgUnit, Metrics.WithoutManager, Metrics.WithoutEmail, Metrics.NeverSignedIn, Metrics.ImportRuns, Metrics.ImportRows];

    public static async Task<PeopleHealth> PeopleAsync(AnalyticsDbContext db, IQueryable<UserFact> people, CancellationToken ct)
    {
        var figures = await people.GroupBy(_ => 1).Select(g => new PeopleHealth(
            g.LongCount(),
            g.LongCount(u => u.OrgUnitId == null),
            g.LongCount(u => u.ManagerId == null),
            g.LongCount(u => u.Email == ""),
            g.LongCount(u => !db.SignIns.Any(s => s.UserId == u.UserId)))).FirstOrDefaultAsync(ct);
        return figures ?? new PeopleHealth(0, 0, 0, 0, 0);
    }

    /// <summary>The imports that ended in [<paramref name="start"/>, <paramref name="end"/>), newest first.</summary>
    public static IQueryable<ImportRunRow> Runs(AnalyticsDbContext db, DateTimeOffset start, DateTimeOffset end) =>
        db.ImportRuns.AsNoTracking().Where(r => r.At >= start && r.At < end).OrderByDescending(r => r.At).ThenByDescending(r => r.Id)
            .Select(r => new ImportRunRow(r.ImportId, r.Kind, r.Outcome, r.FileName, r.TotalRows, r.ErrorRows, r.Created, r.Updated, r.Moved, r.Deactivated,
                r.Message, r.By, r.At));

    public static IReadOnlyList<ImportPeriod> PerPeriod(IReadOnlyList<ImportRunRow> runs, List<(DateTimeOffset Start, DateTimeOffset End)> periods) =>
        [.. periods.Select(p =>
        {
            var within = runs.Where(r => r.At >= p.Start && r.At < p.End).ToList();
            var applied = within.Where(r => r.Outcome == ImportRun.Applied).ToList();
            return new ImportPeriod(p.Start, p.End, applied.Count, within.Count(r => r.Outcome == ImportRun.Failed), within.Count(r => r.Outcome == ImportRun.Refused),
                applied.Sum(r => r.Created), applied.Sum(r => r.Updated + r.Moved), applied.Sum(r => r.Deactivated), applied.Sum(r => r.ErrorRows));
        })];
}
