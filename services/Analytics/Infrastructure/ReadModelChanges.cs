using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace LmsPlatform.Analytics.Infrastructure;

/// <summary>
/// Moves the read model's change sequence on before every save, so <see cref="Application.CurrentFigures"/> can tell
/// cheaply that the figures may have changed. A sequence takes no row lock, so the consumers' batches do not queue on
/// it; a save that then fails has moved it for nothing, which costs one needless refresh.
/// </summary>
public sealed class ReadModelChanges : SaveChangesInterceptor
{
    private const string Sql = $"SELECT nextval('{AnalyticsDbContext.ChangesSequence}')";

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) await db.Database.ExecuteSqlRawAsync(Sql, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        eventData.Context?.Database.ExecuteSqlRaw(Sql);
        return result;
    }
}
