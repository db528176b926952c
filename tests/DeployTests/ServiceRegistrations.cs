using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LmsPlatform.DeployTests;

/// <summary>
/// A service's own registration (its public static <c>X(IHostApplicationBuilder)</c> methods: <c>AddApplicationServices</c>,
/// the gateway's <c>AddGateway</c>) run against a given environment, without building or starting anything. It reads
/// its connection strings and settings there, so a variable a service needs and its Deployment lacks fails it; and its
/// event-bus registrations tell which queues it consumes.
/// </summary>
public sealed class ServiceRegistration
{
    private ServiceRegistration(IServiceCollection services) => Services = services;

    public IServiceCollection Services { get; }

    public static ServiceRegistration Run(string assemblyName, IReadOnlyDictionary<string, string?> environment)
    {
        var assembly = Assembly.Load(assemblyName);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = assemblyName,
            EnvironmentName = environment.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") ?? Environments.Production,
        });
        // As the environment-variable configuration provider reads them: "__" separates sections.
        builder.Configuration.AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(e.Key.Replace("__", ":"), e.Value)));

        var registrations = assembly.GetExportedTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true })
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetParameters() is [var parameter] && parameter.ParameterType == typeof(IHostApplicationBuilder))
            .ToList();
        if (registrations.Count == 0)
            throw new InvalidOperationException($"{assemblyName} has no public static method taking an IHostApplicationBuilder.");
        foreach (var registration in registrations)
        {
            try
            {
                registration.Invoke(null, [builder]);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                throw new InvalidOperationException($"{registration.DeclaringType!.FullName}.{registration.Name} failed: {inner.Message}", inner);
            }
        }
        return new ServiceRegistration(builder.Services);
    }

    /// <summary>
    /// The queues MassTransit declares for the registered consumers: each consumer's endpoint name from the service's
    /// endpoint name formatter (kebab case with the service's prefix, as <c>AddEventBus</c> sets it).
    /// </summary>
    public IReadOnlySet<string> ConsumerQueues()
    {
        var consumers = Services.Where(d => d.ImplementationType is { } type && d.ServiceType == type && typeof(IConsumer).IsAssignableFrom(type))
            .Select(d => d.ImplementationType!)
            .Distinct()
            .ToList();
        if (consumers.Count == 0) return new HashSet<string>();

        // The platform's own definition (IdempotentConsumerDefinition) sets batch options only; any other may name its
        // own endpoint. MassTransit registers each definition as itself and IConsumerDefinition<T> by a factory over it.
        if (Services.Any(d => d.ImplementationType is { } type && type.GetInterfaces().Any(i => i == typeof(IConsumerDefinition))
                              && type.Name != "IdempotentConsumerDefinition`1"))
            throw new NotSupportedException("A consumer definition may name its own endpoint: teach ConsumerQueues to read it.");
        var formatter = Services.LastOrDefault(d => d.ServiceType == typeof(IEndpointNameFormatter))?.ImplementationInstance as IEndpointNameFormatter
                        ?? throw new InvalidOperationException("Consumers are registered but no endpoint name formatter instance is.");
        var consumerName = typeof(IEndpointNameFormatter).GetMethod(nameof(IEndpointNameFormatter.Consumer))!;
        return consumers.Select(type => (string)consumerName.MakeGenericMethod(type).Invoke(formatter, null)!).ToHashSet(StringComparer.Ordinal);
    }
}
