using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Operations;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// Enrolment's part of the administrator's routine checks (the cockpit): audience rules paused or behind, enrolment
/// imports that failed, and newly published courses that nobody has been given or that nobody must finish by a date.
/// </summary>
public static class EnrolmentChecks
{
    /// <summary>How long a published version may wait for its full evaluation before it counts as a rule that did not run.</summary>
    public static readonly TimeSpan SyncGrace = TimeSpan.FromMinutes(15);

    public static void AddEnrolmentChecks(this IServiceCollection services)
    {
        services.AddOperationsCheck(new OperationsCheck("audiences.behind", CheckCadence.Daily, "Audience rules that did not run", "manage/audiences",
            async (sp, now, ct) =>
            {
                var since = now - SyncGrace;
                var behind = await Db(sp).Audiences.Where(a => a.Version > 0 && !a.Paused && a.SyncedVersion < a.Version && a.UpdatedAt < since)
                    .Select(a => a.Name).ToListAsync(ct);
                return CheckFinding.Of(behind.Count, CheckStatus.Failing, behind.Count == 0 ? null : string.Join(", ", behind.Take(10)));
            }));
        services.AddOperationsCheck(new OperationsCheck("audiences.paused", CheckCadence.Daily, "Audience rules paused", "manage/audiences",
            async (sp, _, ct) =>
            {
                var paused = await Db(sp).Audiences.Where(a => a.Version > 0 && a.Paused).Select(a => a.Name).ToListAsync(ct);
                return CheckFinding.Of(paused.Count, CheckStatus.Attention, paused.Count == 0 ? null : string.Join(", ", paused.Take(10)));
            }));
        services.AddOperationsCheck(new OperationsCheck("enrolment-imports.failed", CheckCadence.Daily, "Enrolment imports that failed (last 24 hours)",
            "manage/enrolment-imports", async (sp, now, ct) =>
            {
                var since = now.AddDays(-1);
                var failed = await Db(sp).EnrolmentImports.Where(i => i.Status == EnrolmentImportStatus.Failed && i.CreatedAt >= since)
                    .Select(i => i.FileName).ToListAsync(ct);
                return CheckFinding.Of(failed.Count, CheckStatus.Failing, failed.Count == 0 ? null : string.Join(", ", failed.Take(10)));
            }));
        services.AddOperationsCheck(new OperationsCheck("courses.unassigned", CheckCadence.Weekly, "Courses published this week that nobody is assigned",
            "manage/courses", async (sp, now, ct) =>
            {
                var db = Db(sp);
                var since = now.AddDays(-7);
                var idle = await db.Courses.Where(c => !c.Archived && c.PublishedAt >= since && !db.Enrolments.Any(e => e.CourseId == c.CourseId))
                    .Select(c => c.Code).ToListAsync(ct);
                return CheckFinding.Of(idle.Count, CheckStatus.Attention, idle.Count == 0 ? null : string.Join(", ", idle.Take(10)));
            }));
        services.AddOperationsCheck(new OperationsCheck("courses.no-due-date", CheckCadence.Weekly, "Courses published this week with no due date",
            "manage/courses", async (sp, now, ct) =>
            {
                // Neither the course sets one (its compliance rule) nor any of its assignments carries one.
                var db = Db(sp);
                var since = now.AddDays(-7);
                var open = await db.Courses.Where(c => !c.Archived && c.PublishedAt >= since && c.DueWithinDays == null
                        && !db.Enrolments.Any(e => e.CourseId == c.CourseId && e.DueAt != null))
                    .OrderByDescending(c => c.PublishedAt).Select(c => c.Code).ToListAsync(ct);
                return CheckFinding.Of(open.Count, CheckStatus.Attention, open.Count == 0 ? null : string.Join(", ", open.Take(10)));
            }));
    }

    private static EnrolmentDbContext Db(IServiceProvider services) => services.GetRequiredService<EnrolmentDbContext>();
}
