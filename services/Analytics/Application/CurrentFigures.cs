using System.Data;
using System.Diagnostics;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// The organisation's figures now, kept ready: the same groupings a report makes (<see cref="Reports.AssignmentFigures"/>,
/// <see cref="Reports.PeopleFigures"/>, <see cref="Reports.CertificationFigures"/>) for everyone, per org unit and
/// course, with the dashboards' weekly trend (<see cref="Trends.CellsAsync"/>), computed in one repeatable-read transaction (so they are the read model at one moment) and written in place of
/// the last ones. A report about now for the whole organisation or a subtree adds up these cells, so it costs the same
/// whether the organisation has ten thousand assignments or ten million. See ADR 0020.
/// </summary>
public static class CurrentFigures
{
    /// <summary>Takes the figures now, unless another replica is taking them. Returns the snapshot written, or null.</summary>
    public static async Task<FiguresSnapshot?> TakeAsync(AnalyticsDbContext db, TimeProvider time, TimeSpan trendInterval, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        db.ChangeTracker.Clear();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            clock.Restart();
            await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            // The first statement fixes what the transaction reads; the figures are about that moment.
            if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(20017, -1) AS \"Value\"").SingleAsync(ct)) return (FiguresSnapshot?)null;
            var now = time.GetUtcNow();
            var source = await Reports.SourceAsync(db, new ReportScope(true, [], []), new ReportFilter(now, IsNow: true), ct);
            var assignments = await Reports.AssignmentFigures(source.Rows).ToListAsync(ct);
            var people = await Reports.PeopleFigures(source.Rows).ToListAsync(ct);
            var certifications = await Reports.CertificationFigures(db, source, now).ToListAsync(ct);
            // The weekly trend's cells cost several times the rest over a million assignments, and a week's figures move
            // slowly: they are taken again only every trendInterval, and the last ones are kept meanwhile.
            var trendTakenAt = await db.FiguresSnapshots.Where(f => f.Id == 1).Select(f => f.TrendTakenAt).FirstOrDefaultAsync(ct);
            var takeTrend = trendTakenAt is null || now - trendTakenAt >= trendInterval;
            var (weeks, activity) = takeTrend
                ? await Trends.CellsAsync(db, source, Trends.LastWeeks(now, Trends.FigureWeeks), Trends.LastMonth(now), ct)
                : ([], []);

            await db.AssignmentFigures.ExecuteDeleteAsync(ct);
            await db.PeopleFigures.ExecuteDeleteAsync(ct);
            await db.CertificationFigures.ExecuteDeleteAsync(ct);
            if (takeTrend)
            {
                await db.WeekFigures.ExecuteDeleteAsync(ct);
                await db.ActivityFigures.ExecuteDeleteAsync(ct);
            }
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await CopyAsync(connection, "current_assignment_figures", ["OrgUnitId", "CourseId", "Assigned", "NotStarted", "InProgress", "Completed", "Paused",
                "Overdue", "Required", "RequiredOverdue"], assignments,
                f => [f.OrgUnitId, f.CourseId, f.Assigned, f.NotStarted, f.InProgress, f.Completed, f.Paused, f.Overdue, f.Required, f.RequiredOverdue], ct);
            await CopyAsync(connection, "current_people_figures", ["OrgUnitId", "People", "Compliant"], people, f => [f.OrgUnitId, f.People, f.Compliant], ct);
            await CopyAsync(connection, "current_certification_figures", ["OrgUnitId", "CourseId", "Certified", "Expiring30", "Expiring60", "Expiring90"],
                certifications, f => [f.OrgUnitId, f.CourseId, f.Certified, f.Expiring30, f.Expiring60, f.Expiring90], ct);
            if (takeTrend) await CopyAsync(connection, "current_week_figures", ["OrgUnitId", "CourseId", "WeekStart", "NewAssignments", "Completions"], weeks,
                f => [f.OrgUnitId, f.CourseId, f.WeekStart, f.NewAssignments, f.Completions], ct);
            if (takeTrend) await CopyAsync(connection, "current_activity_figures", ["OrgUnitId", "WeekStart", "ActiveLearners"], activity,
                f => [f.OrgUnitId, f.WeekStart, f.ActiveLearners], ct);

            // Written in SQL, not saved through the context: a save moves the change sequence, and would set off another round.
            var snapshot = new FiguresSnapshot { Id = 1, TakenAt = now, Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                Cells = assignments.Count + people.Count + certifications.Count + weeks.Count + activity.Count, TrendTakenAt = takeTrend ? now : trendTakenAt };
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO current_figures ("Id", "TakenAt", "Seconds", "Cells", "TrendTakenAt")
                VALUES (1, {snapshot.TakenAt}, {snapshot.Seconds}, {snapshot.Cells}, {snapshot.TrendTakenAt})
                ON CONFLICT ("Id") DO UPDATE SET "TakenAt" = excluded."TakenAt", "Seconds" = excluded."Seconds", "Cells" = excluded."Cells",
                    "TrendTakenAt" = excluded."TrendTakenAt"
                """, ct);
            await transaction.CommitAsync(ct);
            return snapshot;
        });
    }

    /// <summary>The number of saves the read model has had (its change sequence), to tell whether the figures may be out of date.</summary>
    public static Task<long> ChangesAsync(AnalyticsDbContext db, CancellationToken ct) =>
        db.Database.SqlQuery<long>($"SELECT last_value AS \"Value\" FROM read_model_changes").SingleAsync(ct);

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, string[] columns, List<T> rows, Func<T, object?[]> values,
        CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var value in values(row))
            {
                switch (value)
                {
                    case null: await writer.WriteNullAsync(ct); break;
                    case Guid g: await writer.WriteAsync(g, NpgsqlDbType.Uuid, ct); break;
                    case long l: await writer.WriteAsync(l, NpgsqlDbType.Bigint, ct); break;
                    case DateTimeOffset d: await writer.WriteAsync(d, NpgsqlDbType.TimestampTz, ct); break;
                    default: throw new InvalidOperationException($"No COPY mapping for {value.GetType()}");
                }
            }
        }
        await writer.CompleteAsync(ct);
    }
}

/// <summary>
/// Keeps the current figures current: a round every <c>Analytics:CurrentFiguresInterval</c> (2 s by default) takes them
/// again when the read model has changed since the last round, once more after that (a save counted before it
/// committed is in that one), and at least once a minute, since time alone makes assignments overdue; never sooner
/// than three round-lengths after the last start. Reports about now are therefore a few seconds behind the read model
/// at most (the interval, or three rounds, plus a round: measured in the closing note).
/// </summary>
public sealed class CurrentFiguresWorker(IServiceScopeFactory scopes, TimeProvider time, IConfiguration configuration, ILogger<CurrentFiguresWorker> log)
    : RoundWorker(scopes, time, log)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private long _seen = -1;
    private bool _trailing;
    private DateTimeOffset _takenAt = DateTimeOffset.MinValue;
    private TimeSpan _roundTime;

    protected override string Doing => "Taking the current figures";

    protected override TimeSpan PollInterval => configuration.GetValue("Analytics:CurrentFiguresInterval", TimeSpan.FromSeconds(2));

    protected override async Task<int> RunOnceAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<AnalyticsDbContext>();
        var changes = await CurrentFigures.ChangesAsync(db, ct);
        var changed = changes != _seen;
        var since = Time.GetUtcNow() - _takenAt;
        if (!changed && !_trailing && since < MaxAge) return 0;
        // Under a steady stream of changes, rounds are spaced by twice their length at least, so that taking the figures
        // holds at most a third of a core and the consumers keep the rest.
        if (since < 3 * _roundTime) return 0;
        if (await CurrentFigures.TakeAsync(db, Time, configuration.GetValue("Analytics:TrendFiguresInterval", TimeSpan.FromMinutes(10)), ct) is { } snapshot)
        {
            (_takenAt, _roundTime) = (snapshot.TakenAt, TimeSpan.FromSeconds(snapshot.Seconds));
            log.LogDebug("Current figures taken in {Seconds} s: {Cells} cells", snapshot.Seconds, snapshot.Cells);
        }
        (_seen, _trailing) = (changes, changed);
        return 0;
    }
}
