using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Enrolment.Application;

public sealed class AudienceOptions
{
    /// <summary>How often the worker looks for people to evaluate (their facts changed, their grace period ran out).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);
    /// <summary>How often everyone is evaluated in full to prove nothing drifted.</summary>
    public TimeSpan ReconcileEvery { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>
/// Keeps audiences current without a cron job: a version to apply (published or resumed) is applied in full; people
/// whose facts changed (<see cref="PendingEvaluation"/>, written by the consumers in the same transaction as the
/// change) are evaluated within a poll interval; and once a day everyone is evaluated again, the reconciliation, whose
/// changes (if any) are drift the events missed and are recorded as such.
/// </summary>
public sealed class AudienceWorker(IServiceScopeFactory scopes, IOptions<AudienceOptions> options, TimeProvider time, ILogger<AudienceWorker> log)
    : RoundWorker(scopes, time, log)
{
    protected override string Doing => "Audience evaluation";
    protected override TimeSpan PollInterval => options.Value.PollInterval;
    protected override async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct) => await RoundAsync(services, ct) ? 1 : 0;

    private DateOnly? _dayChecked;

    /// <summary>One round: true when there was work (so the next round starts at once).</summary>
    private async Task<bool> RoundAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<EnrolmentDbContext>();
        var sync = services.GetRequiredService<AudienceSync>();
        if (await db.Audiences.AnyAsync(a => a.Version > 0 && !a.Paused && a.SyncedVersion < a.Version, ct))
        {
            await sync.SyncAsync(null, ct);
            return true;
        }
        if (await sync.SyncPendingAsync(ct) is not null) return true;
        var now = Time.GetUtcNow();
        // Once a day (asked once per day and replica, not every poll): a version published later that day is
        // evaluated in full when it is applied, so the day's answer is right until the next day.
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (_dayChecked != today)
        {
            var lastDay = await db.ReconciliationRuns.Where(r => r.Kind == ReconciliationRun.NewDay).MaxAsync(r => (DateTimeOffset?)r.StartedAt, ct);
            var due = (lastDay is null || DateOnly.FromDateTime(lastDay.Value.UtcDateTime) < today)
                && (await db.Audiences.AsNoTracking().Where(a => a.Version > 0 && !a.Paused).ToListAsync(ct)).Any(a => a.PublishedRule().DependsOnTheDate);
            if (due) await ReconcileAsync(services, ct, ReconciliationRun.NewDay);
            _dayChecked = today;
            if (due) return true;
        }
        var last = await db.ReconciliationRuns.Where(r => r.Kind == ReconciliationRun.Reconciliation).MaxAsync(r => (DateTimeOffset?)r.StartedAt, ct);
        if (last is null || last.Value + options.Value.ReconcileEvery <= now)
        {
            await ReconcileAsync(services, ct);
            return true;
        }
        return false;
    }

    /// <summary>
    /// Everyone evaluated in full; what a reconciliation had to change is drift, recorded with the run (a new day's
    /// evaluation records the day's changes in the same column).
    /// </summary>
    public static async Task<ReconciliationRun> ReconcileAsync(IServiceProvider services, CancellationToken ct, string kind = ReconciliationRun.Reconciliation)
    {
        var (db, sync, time) = (services.GetRequiredService<EnrolmentDbContext>(), services.GetRequiredService<AudienceSync>(), services.GetRequiredService<TimeProvider>());
        var started = time.GetUtcNow();
        var outcome = await sync.SyncAsync(null, ct);
        var run = new ReconciliationRun
        {
            Id = Guid.CreateVersion7(started), Kind = kind, StartedAt = started, FinishedAt = time.GetUtcNow(), Audiences = outcome.Audiences, People = outcome.People,
            Drift = outcome.Changes,
        };
        db.ChangeTracker.Clear();
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync(ct);
        if (run.Drift > 0 && kind == ReconciliationRun.Reconciliation)
            services.GetRequiredService<ILogger<AudienceWorker>>().LogWarning("Audience reconciliation found {Drift} changes the events had not made", run.Drift);
        return run;
    }
}
