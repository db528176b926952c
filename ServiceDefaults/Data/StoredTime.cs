namespace LmsPlatform.ServiceDefaults.Data;

/// <summary>
/// PostgreSQL keeps a time to the microsecond, .NET to the tenth of one. A time an event carries and the same time read
/// back from a table (a log sent again for a replay) are equal only as stored: a log kept once compares them so.
/// </summary>
public static class StoredTime
{
    public static DateTimeOffset AsStored(this DateTimeOffset at) => new(at.UtcTicks - at.UtcTicks % 10, TimeSpan.Zero);
}
