using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Contracts;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>Counts replayed pages into their rebuild (<see cref="Model.ReadModelRebuild.Folded"/>).</summary>
public static class RebuildProgress
{
    /// <summary>
    /// Locks the rows of the batch's rebuilds, until the batch commits, before the batch reads or writes anything but its
    /// inbox rows (which a rebuild never empties):
    /// pages of different sources are folded by different consumers at once, and each must count on the others' counts,
    /// or the last two pages could each miss the other and the rebuild never complete. Taken first, in id order, so every
    /// page and a rebuild starting (which locks the table, then empties the copies) take their locks in one order.
    /// </summary>
    public static async Task LockAsync(AnalyticsDbContext db, IEnumerable<IReplayPage> pages, CancellationToken ct)
    {
        var ids = pages.Select(p => p.ReplayId).Distinct().Order().ToArray();
        await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM read_model_rebuilds WHERE "Id" = ANY({ids}) ORDER BY "Id" FOR UPDATE""", ct);
    }

    /// <summary>Counts one page (its rebuild locked by <see cref="LockAsync"/>); a page of no known rebuild is applied all the same.</summary>
    public static async Task FoldedAsync(AnalyticsDbContext db, IReplayPage page, CancellationToken ct)
    {
        if (await db.Rebuilds.FindAsync([page.ReplayId], ct) is { } rebuild) rebuild.Folded(page);
    }
}
