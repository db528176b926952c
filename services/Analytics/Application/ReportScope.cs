using System.Linq.Expressions;
using System.Security.Claims;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// Whose learning a caller may report on: everyone (an organisation-wide role that reads reports, or an integration
/// client), the org unit subtrees of their scoped roles ("Administrator of Sales EMEA"), and, for a manager, the people
/// who report to them directly or through others. Every report starts from <see cref="Reports.SourceAsync(AnalyticsDbContext, ReportScope, ReportFilter, CancellationToken)"/>,
/// which applies it, so no report can show someone outside it.
/// </summary>
public sealed record ReportScope(bool Global, IReadOnlyCollection<Guid> OrgUnitIds, IReadOnlyCollection<Guid> PeopleIds)
{
    public bool IsEmpty => !Global && OrgUnitIds.Count == 0 && PeopleIds.Count == 0;

    public static async Task<ReportScope> ForAsync(ClaimsPrincipal caller, AnalyticsDbContext db, CancellationToken ct)
    {
        var roles = caller.FindAll(LmsClaims.Role).Select(c => c.Value).ToList();
        var isClient = caller.FindFirst(LmsClaims.OrgUnit) is null && roles.Count == 0 && caller.FindFirst(LmsClaims.ScopedRole) is null;
        // A manager's reports are their people's; every other role that reads reports reads everyone's.
        if (isClient || roles.Any(r => r != Roles.Manager && Roles.PermissionsOf(r).Contains(Permissions.ReportsRead))) return new(true, [], []);

        var roots = caller.FindAll(LmsClaims.ScopedRole)
            .Select(c => c.Value.Split(':', 2))
            .Where(p => p.Length == 2 && Roles.ScopedPermissionsOf(p[0]).Contains(Permissions.ReportsRead) && Guid.TryParse(p[1], out _))
            .Select(p => Guid.Parse(p[1])).Distinct().ToList();
        var units = new List<Guid>();
        foreach (var root in roots) units.AddRange(await SubtreeAsync(db, root, ct));

        var people = roles.Contains(Roles.Manager) && Caller.UserIdOf(caller) is { } me ? await ReportsOfAsync(db, me, indirect: true, ct) : [];
        return new(false, [.. units.Distinct()], people);
    }

    /// <summary>The people of <paramref name="users"/> this scope reaches: those in its org units, and those it names.</summary>
    public IQueryable<UserFact> Filter(IQueryable<UserFact> users)
    {
        if (Global) return users;
        var inUnits = InUnitsRule<UserFact>(OrgUnitIds);
        var people = PeopleIds.ToList();
        Expression<Func<UserFact, bool>> named = u => people.Contains(u.UserId);
        var either = Expression.OrElse(inUnits.Body, ReplacingExpressionVisitor.Replace(named.Parameters[0], inUnits.Parameters[0], named.Body));
        return users.Where(Expression.Lambda<Func<UserFact, bool>>(either, inUnits.Parameters));
    }

    /// <summary>The figure cells this scope reaches (a scope with named people reads no cells: its reports are counted live).</summary>
    public IQueryable<T> Cells<T>(IQueryable<T> cells) where T : class, IPlacedInOrgUnit => Global ? cells : InUnits(cells, OrgUnitIds);

    /// <summary>The rows placed in one of <paramref name="units"/>: the one org-unit rule of every scope and subtree filter, for people and figure cells.</summary>
    public static IQueryable<T> InUnits<T>(IQueryable<T> rows, IReadOnlyCollection<Guid> units) where T : class, IPlacedInOrgUnit =>
        rows.Where(InUnitsRule<T>(units));

    private static Expression<Func<T, bool>> InUnitsRule<T>(IReadOnlyCollection<Guid> units) where T : class, IPlacedInOrgUnit
    {
        var list = units.ToList();
        return r => r.OrgUnitId != null && list.Contains(r.OrgUnitId.Value);
    }

    /// <summary>The org unit and every unit under it, from analytics' copy of the tree.</summary>
    public static Task<List<Guid>> SubtreeAsync(AnalyticsDbContext db, Guid root, CancellationToken ct) =>
        db.Database.SqlQuery<Guid>($"""
            WITH RECURSIVE down AS (
                SELECT id FROM org_units WHERE id = {root}
                UNION
                SELECT o.id FROM org_units o JOIN down ON o.parent_id = down.id)
            SELECT id AS "Value" FROM down
            """).ToListAsync(ct);

    /// <summary>
    /// The people whose manager is <paramref name="managerId"/>, and with <paramref name="indirect"/> their people, and so
    /// on down: the reporting lines of now, or of <paramref name="asOf"/> (everyone placed where they sat then).
    /// </summary>
    public static async Task<List<Guid>> ReportsOfAsync(AnalyticsDbContext db, Guid managerId, bool indirect, CancellationToken ct, DateTimeOffset? asOf = null)
    {
        var people = asOf is { } date ? db.UsersAsOf(date) : db.Users;
        if (!indirect) return await people.Where(u => u.ManagerId == managerId).Select(u => u.UserId).ToListAsync(ct);
        return asOf is { } then
            ? await db.Database.SqlQuery<Guid>($"""
                WITH RECURSIVE lines AS MATERIALIZED (SELECT "UserId", "ManagerId" FROM users_as_of({then})),
                team AS (
                    SELECT "UserId" FROM lines WHERE "ManagerId" = {managerId}
                    UNION
                    SELECT l."UserId" FROM lines l JOIN team ON l."ManagerId" = team."UserId")
                SELECT "UserId" AS "Value" FROM team
                """).ToListAsync(ct)
            : await db.Database.SqlQuery<Guid>($"""
                WITH RECURSIVE team AS (
                    SELECT "UserId" FROM user_facts WHERE "ManagerId" = {managerId}
                    UNION
                    SELECT u."UserId" FROM user_facts u JOIN team ON u."ManagerId" = team."UserId")
                SELECT "UserId" AS "Value" FROM team
                """).ToListAsync(ct);
    }
}
