using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LmsPlatform.ServiceDefaults.Data;

public static class DbExceptionExtensions
{
    /// <summary>True when the save failed on a unique index (a concurrent duplicate): the caller answers 409.</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
