using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>
/// Applies copied ledger entries to the read model: each new entry is kept (an entry already copied is skipped, by its
/// enrolment and number), and each touched enrolment's <see cref="EnrolmentState"/> ranges are rebuilt from all of its
/// entries (<see cref="EnrolmentHistory"/>). Consumers of different event types may touch one enrolment at once, so
/// the enrolments are locked first (transaction-scoped advisory locks on buckets of enrolments, taken in one order so
/// two batches cannot deadlock), and each rebuild sees every entry committed before it.
/// </summary>
public static class EnrolmentProjection
{
    /// <summary>The advisory locks' first key: the projection's own space, apart from any other use of advisory locks.</summary>
    private const int LockSpace = 20_017;

    public static async Task ApplyAsync(AnalyticsDbContext db, IReadOnlyCollection<LedgerEventCopy> entries, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var ids = entries.Select(e => e.EnrolmentId).Distinct().ToArray();
        // One lock per bucket of enrolments (1,024 buckets), not per enrolment: a replay's envelope touches tens of
        // thousands of enrolments, more locks than PostgreSQL's lock table holds.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            SELECT pg_advisory_xact_lock({LockSpace}, k) FROM (SELECT DISTINCT (hashtextextended(id::text, 0) & 1023)::int AS k FROM unnest({ids}) AS id ORDER BY k) AS locks
            """, ct);

        var stored = await db.LedgerEvents.AsNoTracking().Where(l => ids.Contains(l.EnrolmentId)).ToListAsync(ct);
        var known = stored.Select(e => (e.EnrolmentId, e.Sequence)).ToHashSet();
        var fresh = entries.Where(e => known.Add((e.EnrolmentId, e.Sequence))).ToList();
        if (fresh.Count == 0) return;

        var touched = fresh.Select(e => e.EnrolmentId).ToHashSet();
        var touchedIds = touched.ToArray();
        await db.EnrolmentStates.Where(s => touchedIds.Contains(s.EnrolmentId)).ExecuteDeleteAsync(ct);
        var ranges = stored.Concat(fresh).Where(e => touched.Contains(e.EnrolmentId)).GroupBy(e => e.EnrolmentId)
            .SelectMany(history => EnrolmentHistory.Ranges([.. history]));
        // Written by COPY, untracked: a batch of a thousand entries and their ranges costs a fraction of as many INSERTs.
        await BulkSave.SaveChangesAsync(db, DateTimeOffset.UtcNow, [.. fresh, .. ranges], ct);
    }
}
