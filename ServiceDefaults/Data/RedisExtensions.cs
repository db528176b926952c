using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LmsPlatform.ServiceDefaults.Data;

public static class RedisExtensions
{
    /// <summary>
    /// Redis from <c>ConnectionStrings:{connectionName}</c>: one shared multiplexer (reconnecting on its own), an
    /// <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/> on it, and a readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddRedisCache(this IHostApplicationBuilder builder, string connectionName)
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");
        var options = ConfigurationOptions.Parse(connectionString);
        options.AbortOnConnectFail = false;
        var multiplexer = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(options));

        builder.Services.AddSingleton(_ => multiplexer.Value);
        builder.Services.AddStackExchangeRedisCache(cache =>
        {
            cache.InstanceName = builder.Environment.ApplicationName + ":";
            cache.ConnectionMultiplexerFactory = () => Task.FromResult(multiplexer.Value);
        });
        builder.Services.AddHealthChecks().AddRedis(_ => multiplexer.Value, name: connectionName);
        return builder;
    }
}
