using Microsoft.EntityFrameworkCore;
using Npgsql.EntityFrameworkCore.PostgreSQL;

namespace LmsPlatform.ServiceDefaults.Data;

public static class Streaming
{
    /// <summary>
    /// Runs <paramref name="write"/>, which reads a query a row at a time into a response (an export), so that EF hands
    /// over the rows as they come. Under the retrying execution strategy every service has, EF reads a whole result set
    /// into memory before giving the first row (so that it could run the query again); inside a strategy that never
    /// retries, it streams. A database failure midway then fails the download, rather than sending rows twice.
    /// </summary>
    public static Task StreamAsync(this DbContext db, Func<CancellationToken, Task> write, CancellationToken ct) =>
        new NpgsqlRetryingExecutionStrategy(db, maxRetryCount: 0).ExecuteAsync(write, ct);
}
