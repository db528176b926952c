using Microsoft.Extensions.Hosting;

namespace LmsPlatform.ServiceDefaults.Data;

public static class RedisExtensions
{
    /// <summary>
    /// Redis from <c>ConnectionStrings:{connectionName}</c> through Aspire's client integration: one shared
    /// <see cref="StackExchange.Redis.IConnectionMultiplexer"/> that reconnects on its own (a Redis outage degrades the
    /// cache, never the start), a readiness check and tracing.
    /// </summary>
    public static IHostApplicationBuilder AddRedisCache(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.AddRedisClient(connectionName, configureOptions: options => options.AbortOnConnectFail = false);
        return builder;
    }
}
