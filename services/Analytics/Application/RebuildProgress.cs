using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Contracts;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>Counts a replayed page into its rebuild (<see cref="Model.ReadModelRebuild.Folded"/>).</summary>
public static class RebuildProgress
{
    /// <summary>
    /// Locks the rebuild's row first, until the page's transaction commits: pages of different sources are folded by
    /// different consumers at once, and each must count on the others' counts, or the last two pages could each miss the
    /// other and the rebuild never complete. Taken before the page's own writes, so every page takes its locks in one order.
    /// </summary>
    public static async Task FoldedAsync(AnalyticsDbContext db, IReplayPage page, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"""SELECT 1 FROM read_model_rebuilds WHERE "Id" = {page.ReplayId} FOR UPDATE""", ct);
        if (await db.Rebuilds.FindAsync([page.ReplayId], ct) is { } rebuild) rebuild.Folded(page);
    }
}
