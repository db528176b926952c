using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model.Runtime;
using LmsPlatform.ServiceDefaults.Operations;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>One package activity that failed to launch lately: what happened, to how many learners, and when last.</summary>
public sealed record LaunchProblemRow(Guid PackageId, string Package, string ItemId, string Activity, string Kind, string Detail, int Learners,
    DateTimeOffset LastAt);

/// <summary>
/// Broken content: launches of a package's activity that failed, recorded where they are seen (the launch file missing
/// from the store, by the file endpoint; content that never started its SCORM session, by the player) or read from the
/// cmi5 sessions (an AU that never initialised), listed for the packages page and counted by the cockpit's weekly check. A review or preview records nothing (it has no attempt).
/// </summary>
public sealed class LaunchProblems(ContentDbContext db, TimeProvider time, Microsoft.Extensions.Options.IOptions<RuntimeOptions> runtime)
{
    /// <summary>How far back the packages page and the weekly check look.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);

    /// <summary>Records a problem of the grant's attempt on one activity, once per attempt, activity and kind.</summary>
    public async Task RecordAsync(RuntimeGrant grant, string itemId, LaunchProblemKind kind, string detail, CancellationToken ct)
    {
        if (grant.Review || grant.IsFile) return;
        var attempt = await db.Attempts.AsNoTracking().Where(a => a.Id == grant.AttemptId).Select(a => new { a.UserId, a.PackageId }).FirstOrDefaultAsync(ct);
        if (attempt is null) return;
        var problem = LaunchProblem.Of(attempt.PackageId, grant.AttemptId, attempt.UserId, itemId, kind, detail, time.GetUtcNow());
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO launch_problems ("Id", "PackageId", "AttemptId", "UserId", "ItemId", "Kind", "Detail", "At")
            VALUES ({problem.Id}, {problem.PackageId}, {problem.AttemptId}, {problem.UserId}, {problem.ItemId}, {problem.Kind.ToString()}, {problem.Detail}, {problem.At})
            ON CONFLICT ("AttemptId", "ItemId", "Kind") DO NOTHING
            """, ct);
    }

    /// <summary>
    /// The activities that failed to launch since <paramref name="since"/>, the most recent first: the problems recorded,
    /// and the cmi5 AUs that fetched their credentials and then never said "initialized" within the start timeout (a
    /// launch whose AU never fetched is not counted: a learner who closed the window at once looks the same).
    /// </summary>
    public async Task<IReadOnlyList<LaunchProblemRow>> ListAsync(DateTimeOffset since, CancellationToken ct)
    {
        var recorded = await db.LaunchProblems.AsNoTracking().Where(p => p.At >= since)
            .GroupBy(p => new { p.PackageId, p.ItemId, p.Kind })
            .Select(g => new Failing(g.Key.PackageId, g.Key.ItemId, g.Key.Kind, g.Select(p => p.UserId).Distinct().Count(), g.Max(p => p.At),
                g.OrderByDescending(p => p.At).Select(p => p.Detail).First()))
            .ToListAsync(ct);
        var timeout = runtime.Value.StartTimeout;
        var startedBy = time.GetUtcNow() - timeout;
        var detail = $"The AU fetched its credentials but did not send \"initialized\" within {timeout.TotalSeconds:0} s.";
        var silent = await (from session in db.Cmi5Sessions.AsNoTracking()
                            join registration in db.Cmi5Registrations on session.RegistrationId equals registration.Id
                            where session.InitializedAt == null && session.LaunchedAt >= since && session.LaunchedAt < startedBy
                                  && session.FetchedAt != null && !registration.IsPreview
                            group session by new { registration.PackageId, session.AuId } into g
                            select new Failing(g.Key.PackageId, g.Key.AuId, LaunchProblemKind.NotStarted, g.Select(s => s.UserId).Distinct().Count(),
                                g.Max(s => s.LaunchedAt), detail))
            .ToListAsync(ct);
        var groups = recorded.Concat(silent).ToList();
        var ids = groups.Select(g => g.PackageId).Distinct().ToList();
        var packages = await db.Packages.AsNoTracking().Where(p => ids.Contains(p.Id)).ToDictionaryAsync(p => p.Id, ct);
        return [.. groups.OrderByDescending(g => g.LastAt).Select(g =>
        {
            var package = packages.GetValueOrDefault(g.PackageId);
            return new LaunchProblemRow(g.PackageId, package?.Title ?? "(deleted package)", g.ItemId,
                package?.Activities.FirstOrDefault(a => a.ItemId == g.ItemId)?.Title ?? g.ItemId, g.Kind == LaunchProblemKind.FileMissing ? "fileMissing" : "notStarted",
                g.Detail, g.Learners, g.LastAt);
        })];
    }

    private sealed record Failing(Guid PackageId, string ItemId, LaunchProblemKind Kind, int Learners, DateTimeOffset LastAt, string Detail);

    /// <summary>The cockpit's weekly "broken content" check: the packages with a failed launch in the last week.</summary>
    public static void AddContentChecks(IServiceCollection services) =>
        services.AddOperationsCheck(new OperationsCheck("content.failing-launches", CheckCadence.Weekly, "Packages failing to launch (last 7 days)",
            "manage/packages#launch-problems", async (sp, now, ct) =>
            {
                var rows = await sp.GetRequiredService<LaunchProblems>().ListAsync(now - Window, ct);
                var packages = rows.GroupBy(r => r.Package).Select(g => $"{g.Key} ({g.Sum(r => r.Learners)} learners)").ToList();
                return CheckFinding.Of(rows.Select(r => r.PackageId).Distinct().Count(), CheckStatus.Attention,
                    packages.Count == 0 ? null : string.Join(", ", packages.Take(5)) + (packages.Count > 5 ? $" and {packages.Count - 5} more" : ""));
            }));
}
