using Microsoft.EntityFrameworkCore;
using LmsPlatform.Contracts;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

using LmsPlatform.ServiceDefaults.Operations;

namespace LmsPlatform.ServiceDefaults.Messaging;

public static class EventBusExtensions
{
    /// <summary>
    /// MassTransit over RabbitMQ from <c>ConnectionStrings:eventbus</c>, with the service's transactional outbox
    /// (dispatcher included) on <typeparamref name="TContext"/>. Queue names are kebab-case and prefixed with
    /// <paramref name="endpointPrefix"/> (so each service has its own queue per consumer); a message that still fails
    /// after the retries lands in the queue's <c>_error</c> queue, where operators see it.
    /// </summary>
    public static IHostApplicationBuilder AddEventBus<TContext>(
        this IHostApplicationBuilder builder,
        string endpointPrefix,
        Action<IBusRegistrationConfigurator>? configureConsumers = null)
        where TContext : DbContext, IServiceDbContext
    {
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.EventBus)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.EventBus} is not configured.");

        // Before MassTransit's hosted service, so that the bus starts once the broker answers (see BrokerReachable).
        builder.Services.AddHostedService(sp => new BrokerReachable(new Uri(connectionString),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<BrokerReachable>>()));
        builder.Services.AddMassTransit(bus =>
        {
            // MassTransit would otherwise report usage to its vendor's host: nothing leaves the platform unasked.
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(endpointPrefix, includeNamespace: false));
            configureConsumers?.Invoke(bus);
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(new Uri(connectionString), host => host.ConnectionName(endpointPrefix));
                // Retry in place with growing gaps (about 20 s in all), then fault to the _error queue.
                rabbit.UseMessageRetry(retry => retry.Exponential(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400)));
                rabbit.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new OutboxOptions());
        builder.Services.AddSingleton(builder.Configuration.GetSection("Messaging:Consumers").Get<IdempotentConsumerOptions>() ?? new IdempotentConsumerOptions());
        builder.Services.AddSingleton<IOutboxPublisher, MassTransitOutboxPublisher>();
        builder.Services.AddHostedService<OutboxDispatcher<TContext>>();
        builder.Services.AddSingleton(sp =>
        {
            var failed = new FailedMessages(new Uri(connectionString), endpointPrefix, sp.GetRequiredService<IEndpointNameFormatter>(),
                sp.GetServices<ConsumerQueue>(), sp.GetRequiredService<IServiceScopeFactory>(), services => services.GetRequiredService<TContext>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FailedMessages>>());
            MessagingTelemetry.ObserveFailedMessages(() => failed.LastCounts);
            return failed;
        });
        builder.Services.AddHealthChecks().AddCheck<FailedMessagesHealthCheck>(FailedMessagesHealthCheck.Name);
        builder.Services.AddOperationsChecks<TContext>(endpointPrefix);
        return builder;
    }

    /// <summary>Registers an <see cref="IdempotentConsumer{TMessage,TContext}"/> with the platform's batch settings.</summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddIdempotentConsumer<TConsumer>(this IBusRegistrationConfigurator bus)
        where TConsumer : class, IConsumer
    {
        bus.AddSingleton(new ConsumerQueue(formatter => formatter.Consumer<TConsumer>()));
        return bus.AddConsumer<TConsumer, IdempotentConsumerDefinition<TConsumer>>();
    }
}
