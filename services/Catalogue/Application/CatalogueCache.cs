using System.Diagnostics.Metrics;
using System.Text.Json;
using StackExchange.Redis;

namespace LmsPlatform.Catalogue.Application;

public sealed class CatalogueCacheOptions
{
    /// <summary>Off for measuring the catalogue without its cache (<c>Catalogue__Cache__Enabled=false</c>).</summary>
    public bool Enabled { get; set; } = true;
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The Redis cache of published reads (course and path pages, search results, the category tree).
/// <para>
/// Every key carries the catalogue's generation, a counter in Redis. A publish, archive, replacement, category change
/// or org unit move increments it after its transaction commits, and again when its event comes back from the
/// broker. From that moment every reader uses new keys, so nobody sees what was true before the commit. A reader that
/// filled the cache from a read taken just before the commit wrote under the old generation, where nobody looks any
/// more; the old keys expire on their own.
/// </para>
/// If Redis is down, reads go to PostgreSQL and the failure is logged; the catalogue keeps answering.
/// </summary>
public sealed class CatalogueCache(IConnectionMultiplexer redis, CatalogueCacheOptions options, ILogger<CatalogueCache> logger)
{
    private const string GenerationKey = "catalogue:generation";
    private static readonly Meter Meter = new("LmsPlatform.Catalogue");
    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>("catalogue.cache.lookups", description: "Cache lookups of published reads, by result (hit or miss)");

    public async Task<(T? Value, bool Hit)> GetOrCreateAsync<T>(string key, Func<CancellationToken, Task<T?>> create, CancellationToken ct) where T : class
    {
        if (!options.Enabled) return (await create(ct), false);
        var (fullKey, cached) = await ReadAsync(key);
        if (cached is not null) return (JsonSerializer.Deserialize<T>(cached, JsonSerializerOptions.Web), true);
        var value = await create(ct);
        if (value is not null) Write(fullKey, key, JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));
        return (value, false);
    }

    /// <summary>
    /// The same, but hands back the cached JSON as it is, for responses the caller need not look into: a hit costs
    /// no deserialising and no serialising.
    /// </summary>
    public async Task<(byte[] Json, bool Hit)> GetOrCreateJsonAsync<T>(string key, Func<CancellationToken, Task<T>> create, CancellationToken ct)
    {
        if (!options.Enabled) return (JsonSerializer.SerializeToUtf8Bytes(await create(ct), JsonSerializerOptions.Web), false);
        var (fullKey, cached) = await ReadAsync(key);
        if (cached is not null) return (cached, true);
        var json = JsonSerializer.SerializeToUtf8Bytes(await create(ct), JsonSerializerOptions.Web);
        Write(fullKey, key, json);
        return (json, false);
    }

    /// <summary>The key under the current generation and its cached JSON, if any; no key when Redis cannot be reached.</summary>
    private async Task<(string? FullKey, byte[]? Json)> ReadAsync(string key)
    {
        try
        {
            var db = redis.GetDatabase();
            var generation = (long?)await db.StringGetAsync(GenerationKey) ?? 0;
            var fullKey = $"catalogue:{generation}:{key}";
            var cached = await db.StringGetAsync(fullKey);
            Lookups.Add(1, new KeyValuePair<string, object?>("result", cached.HasValue ? "hit" : "miss"));
            return (fullKey, cached.HasValue ? (byte[])cached! : null);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Redis unavailable; reading {Key} from the database", key);
            Lookups.Add(1, new KeyValuePair<string, object?>("result", "miss"));
            return (null, null);
        }
    }

    private void Write(string? fullKey, string key, byte[] json)
    {
        if (fullKey is null) return;
        try
        {
            redis.GetDatabase().StringSet(fullKey, json, options.TimeToLive, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Redis unavailable; {Key} not cached", key);
        }
    }

    /// <summary>Moves every reader to fresh keys; throws if Redis cannot be reached (event consumers retry).</summary>
    public Task BumpGenerationAsync() => options.Enabled ? redis.GetDatabase().StringIncrementAsync(GenerationKey) : Task.CompletedTask;

    /// <summary>Moves every reader to fresh keys. Call after the change has committed.</summary>
    public async Task InvalidateAsync()
    {
        try
        {
            await BumpGenerationAsync();
        }
        catch (RedisException ex)
        {
            // The change's event will invalidate again when it is consumed; until then readers may see the old state.
            logger.LogError(ex, "Could not invalidate the catalogue cache");
        }
    }
}
