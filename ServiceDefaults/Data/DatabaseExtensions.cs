using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace LmsPlatform.ServiceDefaults.Data;

public static class DatabaseExtensions
{
    /// <summary>
    /// The service's own PostgreSQL database from <c>ConnectionStrings:{connectionName}</c>: a pooled EF Core context on
    /// Npgsql, enriched by Aspire's client integration (retry on transient failures, a readiness health check, tracing
    /// and metrics), migrations applied at start (retried until the database answers), and the outbox signal.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName,
        Action<DbContextOptionsBuilder>? configure = null)
        where TContext : DbContext, IServiceDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{connectionName} is not configured.");

        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxSignalInterceptor>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DomainEventsInterceptor>();
        builder.Services.AddDbContextPool<TContext>((services, options) =>
        {
            options.UseNpgsql(connectionString)
                .AddInterceptors(services.GetRequiredService<DomainEventsInterceptor>(), services.GetRequiredService<OutboxSignalInterceptor>())
                // The check compares the model with the migrations' snapshot at every start (a second model built and
                // diffed: about a second of CPU per service); the build's migration test covers it instead.
                .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning));
            configure?.Invoke(options);
        });
        builder.EnrichNpgsqlDbContext<TContext>();
        builder.Services.AddHostedService<MigrationHostedService<TContext>>();
        return builder;
    }
}

/// <summary>
/// Applies pending migrations before the service takes traffic. Retries with backoff while the database is not
/// reachable, since under Kubernetes nothing waits for it on the service's behalf. EF Core's migration lock makes
/// concurrent replicas safe.
/// </summary>
public sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<MigrationHostedService<TContext>> logger) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<TContext>();
                await db.Database.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (attempt < 30 && ex is NpgsqlException or TimeoutException or InvalidOperationException
                                       && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Database not ready (attempt {Attempt}); retrying in {Delay}", attempt, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
