using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>
/// Removes resumable uploads nobody finished: once an upload has expired (a day after its last chunk), its chunks
/// leave the store and its row goes. Every hour; safe with several replicas (deleting twice deletes nothing more).
/// </summary>
public sealed class UploadSweeper(IServiceScopeFactory scopes, TimeProvider time, ILogger<UploadSweeper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "Sweeping expired uploads failed; trying again in an hour");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<IObjectStore>();
        var now = time.GetUtcNow();
        var expired = await db.Uploads.Where(u => u.CompletedAt == null && u.ExpiresAt < now).OrderBy(u => u.ExpiresAt).Take(500).ToListAsync(ct);
        foreach (var upload in expired)
        {
            await store.DeletePrefixAsync(upload.StoragePrefix, ct);
            db.Uploads.Remove(upload);
        }
        await db.SaveChangesAsync(ct);
        if (expired.Count > 0) log.LogInformation("Removed {Count} expired uploads and their chunks", expired.Count);
        return expired.Count;
    }
}
