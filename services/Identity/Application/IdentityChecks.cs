using LmsPlatform.Identity.Apis;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Operations;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Application;

/// <summary>
/// Identity's part of the administrator's routine checks (the cockpit): imports that failed, the accounts the Checks
/// page lists (by the same queries), and the month's changes to who holds which role.
/// </summary>
public static class IdentityChecks
{
    public static void AddIdentityChecks(this IServiceCollection services)
    {
        services.AddOperationsCheck(new OperationsCheck("imports.failed", CheckCadence.Daily, "Imports that failed (last 24 hours)", "admin/imports",
            async (sp, now, ct) =>
            {
                var since = now.AddDays(-1);
                var failed = await Db(sp).ImportJobs.Where(j => j.Status == ImportStatus.Failed && j.CreatedAt >= since)
                    .Select(j => j.FileName).ToListAsync(ct);
                return CheckFinding.Of(failed.Count, CheckStatus.Failing, failed.Count == 0 ? null : string.Join(", ", failed.Take(10)));
            }));
        services.AddOperationsCheck(new OperationsCheck("people.inactive", CheckCadence.Weekly, "People not signed in for 90 days", "admin/checks?check=inactive",
            async (sp, now, ct) => CheckFinding.Of(await ChecksApi.InactiveSince(Db(sp).Users, now.AddDays(-90)).CountAsync(ct), CheckStatus.Attention)));
        services.AddOperationsCheck(new OperationsCheck("people.unassigned", CheckCadence.Weekly, "People without a department or manager", "admin/checks?check=unassigned",
            async (sp, _, ct) => CheckFinding.Of(await ChecksApi.Unplaced(Db(sp).Users, null).CountAsync(ct), CheckStatus.Attention)));
        services.AddOperationsCheck(new OperationsCheck("people.duplicates", CheckCadence.Weekly, "Possible duplicate accounts", "admin/checks?check=duplicates",
            async (sp, _, ct) =>
            {
                var (byEmail, byName) = await ChecksApi.DuplicateGroupsAsync(Db(sp), ct);
                return CheckFinding.Of(byEmail.Count + byName.Count, CheckStatus.Attention, $"{byEmail.Count} by email, {byName.Count} by name and manager (groups)");
            }));
        services.AddOperationsCheck(new OperationsCheck("roles.review", CheckCadence.Monthly, "Roles granted or revoked this month", "admin/roles",
            async (sp, now, ct) =>
            {
                var db = Db(sp);
                var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
                var changes = await db.AuditEntries.CountAsync(a => (a.Action == "role.granted" || a.Action == "role.revoked") && a.OccurredAt >= month, ct);
                var holders = await db.RoleAssignments.Select(r => r.UserId).Distinct().CountAsync(ct);
                // A review, not a fault: changes are for someone to look over once a month.
                return new CheckFinding(changes, changes == 0 ? CheckStatus.Ok : CheckStatus.Attention, $"{holders:N0} people hold a role; {changes:N0} changes since the 1st");
            }));
    }

    private static IdentityDbContext Db(IServiceProvider services) => services.GetRequiredService<IdentityDbContext>();
}
