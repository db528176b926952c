using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace LmsPlatform.Catalogue.Application;

public sealed class CatalogueCacheOptions
{
    /// <summary>Off for measuring the catalogue without its cache (<c>Catalogue__Cache__Enabled=false</c>); the generation is kept either way.</summary>
    public bool Enabled { get; set; } = true;
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>The in-process copy of recent cached responses, in front of Redis.</summary>
    public long LocalBytes { get; set; } = 64 * 1024 * 1024;
}

/// <summary>
/// The cache of published reads (course and path pages, search results, the category tree): Redis, shared by the
/// replicas, with an in-process copy of what this replica read recently in front of it.
/// <para>
/// Every key carries the catalogue's generation, a counter in Redis. A publish, archive, replacement, category change
/// or org unit move increments it after its transaction commits, and again when its event comes back from the
/// broker. From that moment every reader uses new keys, so nobody sees what was true before the commit. A reader that
/// filled the cache from a read taken just before the commit wrote under the old generation, where nobody looks any
/// more; the old keys expire on their own. The generation is read from Redis on every request, so the in-process copy
/// is never older than Redis's; the search index (<see cref="CatalogueIndex"/>) follows the same generation.
/// </para>
/// If Redis is down, reads go to PostgreSQL and the failure is logged; the catalogue keeps answering.
/// </summary>
public sealed class CatalogueCache(IConnectionMultiplexer redis, CatalogueCacheOptions options, ILogger<CatalogueCache> logger) : IDisposable
{
    private const string GenerationKey = "catalogue:generation";
    private static readonly Meter Meter = new("LmsPlatform.Catalogue");
    private static readonly Counter<long> Lookups = Meter.CreateCounter<long>("catalogue.cache.lookups", description: "Cache lookups of published reads, by result (hit or miss) and tier (local or redis)");
    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = options.LocalBytes });

    public async Task<(T? Value, bool Hit)> GetOrCreateAsync<T>(string key, Func<CancellationToken, Task<T?>> create, CancellationToken ct) where T : class
    {
        if (!options.Enabled) return (await create(ct), false);
        var (_, fullKey, cached) = await ReadAsync(key);
        if (cached is not null) return (JsonSerializer.Deserialize<T>(cached, JsonSerializerOptions.Web), true);
        var value = await create(ct);
        if (value is not null) Write(fullKey, key, JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));
        return (value, false);
    }

    /// <summary>
    /// The same, but hands back the cached JSON as it is, for responses the caller need not look into: a hit costs
    /// no deserialising and no serialising. <paramref name="create"/> is given the generation the key was made for
    /// (null when Redis cannot be reached).
    /// </summary>
    public async Task<(byte[] Json, bool Hit)> GetOrCreateJsonAsync<T>(string key, Func<long?, CancellationToken, Task<T>> create, CancellationToken ct)
    {
        if (!options.Enabled) return (JsonSerializer.SerializeToUtf8Bytes(await create(await GenerationAsync(), ct), JsonSerializerOptions.Web), false);
        var (generation, fullKey, cached) = await ReadAsync(key);
        if (cached is not null) return (cached, true);
        var json = JsonSerializer.SerializeToUtf8Bytes(await create(generation, ct), JsonSerializerOptions.Web);
        Write(fullKey, key, json);
        return (json, false);
    }

    /// <summary>The current generation, or null when Redis cannot be reached.</summary>
    public async Task<long?> GenerationAsync()
    {
        try
        {
            return await CurrentGenerationAsync(redis.GetDatabase());
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Redis unavailable; the catalogue generation is unknown, reads go to the database");
            return null;
        }
    }

    /// <summary>The current generation, the key under it and its cached JSON, if any; no generation and no key when Redis cannot be reached.</summary>
    private async Task<(long? Generation, string? FullKey, byte[]? Json)> ReadAsync(string key)
    {
        if (await GenerationAsync() is not { } generation)
        {
            Lookups.Add(1, new KeyValuePair<string, object?>("result", "miss"), new KeyValuePair<string, object?>("tier", "redis"));
            return (null, null, null);
        }
        var fullKey = $"catalogue:{generation}:{key}";
        if (_local.TryGetValue(fullKey, out byte[]? local))
        {
            Lookups.Add(1, new KeyValuePair<string, object?>("result", "hit"), new KeyValuePair<string, object?>("tier", "local"));
            return (generation, fullKey, local);
        }
        try
        {
            var cached = await redis.GetDatabase().StringGetAsync(fullKey);
            Lookups.Add(1, new KeyValuePair<string, object?>("result", cached.HasValue ? "hit" : "miss"), new KeyValuePair<string, object?>("tier", "redis"));
            if (!cached.HasValue) return (generation, fullKey, null);
            var json = (byte[])cached!;
            KeepLocally(fullKey, json);
            return (generation, fullKey, json);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Redis unavailable; reading {Key} from the database", key);
            Lookups.Add(1, new KeyValuePair<string, object?>("result", "miss"), new KeyValuePair<string, object?>("tier", "redis"));
            return (null, null, null);
        }
    }

    private void KeepLocally(string fullKey, byte[] json) =>
        _local.Set(fullKey, json, new MemoryCacheEntryOptions { Size = json.Length + fullKey.Length, AbsoluteExpirationRelativeToNow = options.TimeToLive });

    private void Write(string? fullKey, string key, byte[] json)
    {
        if (fullKey is null) return;
        KeepLocally(fullKey, json);
        try
        {
            redis.GetDatabase().StringSet(fullKey, json, options.TimeToLive, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Redis unavailable; {Key} not cached", key);
        }
    }

    public void Dispose() => _local.Dispose();

    /// <summary>Moves every reader to fresh keys; throws if Redis cannot be reached (event consumers retry).</summary>
    public async Task BumpGenerationAsync()
    {
        var db = redis.GetDatabase();
        await CurrentGenerationAsync(db);
        await db.StringIncrementAsync(GenerationKey);
    }

    /// <summary>
    /// The generation must never go back: the search index and the in-process copies take any generation at or below
    /// theirs as current. A missing key means Redis lost its data (a restart without persistence, a flush) or never
    /// had it, so it starts again from the clock in microseconds, above every generation handed out before (one
    /// increment per publish is far fewer than one per microsecond), rather than from zero.
    /// </summary>
    private static async Task<long> CurrentGenerationAsync(IDatabase db)
    {
        var value = await db.StringGetAsync(GenerationKey);
        if (value.HasValue) return (long)value;
        await db.StringSetAsync(GenerationKey, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000, when: When.NotExists);
        return (long)await db.StringGetAsync(GenerationKey);
    }

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
