using System.Diagnostics;
using System.Text.Json;
using LmsPlatform.Contracts;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// A service's DbContext with the outbox and inbox tables, so an integration event is always saved in the same
/// transaction as the change it announces. Derive from <see cref="ServiceDbContext"/>, or, when the context must
/// derive from another base (ASP.NET Core Identity's), implement this and call <see cref="MessagingModel.AddMessagingTables"/>.
/// </summary>
public interface IServiceDbContext
{
    DbSet<OutboxMessage> OutboxMessages { get; }
    DbSet<InboxMessage> InboxMessages { get; }
}

/// <summary>The usual base of a service's DbContext.</summary>
public abstract class ServiceDbContext(DbContextOptions options) : DbContext(options), IServiceDbContext
{
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.AddMessagingTables();
}

public static class MessagingModel
{
    /// <summary>Queues an integration event; it is written by the next SaveChanges, atomically with the other changes.</summary>
    public static void AddIntegrationEvent<TEvent>(this IServiceDbContext context, TEvent integrationEvent) where TEvent : class, IIntegrationEvent =>
        context.OutboxMessages.Add(OutboxMessageFactory.Create(integrationEvent, DateTimeOffset.UtcNow));

    public static ModelBuilder AddMessagingTables(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id");
            e.Property(m => m.Type).HasColumnName("type").HasMaxLength(300);
            e.Property(m => m.Payload).HasColumnName("payload").HasColumnType("jsonb");
            e.Property(m => m.OccurredAt).HasColumnName("occurred_at");
            e.Property(m => m.OrderingKey).HasColumnName("ordering_key");
            e.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(100);
            e.Property(m => m.TraceState).HasColumnName("trace_state").HasMaxLength(500);
            e.Property(m => m.SentAt).HasColumnName("sent_at");
            e.Property(m => m.Attempts).HasColumnName("attempts");
            e.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            e.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            e.HasIndex(m => m.NextAttemptAt).HasDatabaseName("ix_outbox_pending").HasFilter("sent_at IS NULL");
            e.HasIndex(m => m.SentAt).HasDatabaseName("ix_outbox_sent");
            e.HasIndex(m => new { m.OrderingKey, m.Id }).HasDatabaseName("ix_outbox_pending_by_key").HasFilter("sent_at IS NULL");
        });
        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            e.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(300);
            e.Property(m => m.ProcessedAt).HasColumnName("processed_at");
            e.Property(m => m.TraceId).HasColumnName("trace_id").HasMaxLength(32);
        });
        return modelBuilder;
    }
}

/// <summary>Turns events into outbox rows and back. Pure functions, unit-tested.</summary>
public static class OutboxMessageFactory
{
    private static readonly Dictionary<string, Type> EventTypes = typeof(IIntegrationEvent).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IIntegrationEvent).IsAssignableFrom(t))
        .ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    public static OutboxMessage Create(IIntegrationEvent integrationEvent, DateTimeOffset now)
    {
        var type = integrationEvent.GetType();
        var activity = Activity.Current;
        return new OutboxMessage
        {
            Id = SequentialGuid.NewVersion7(now), // time-ordered and increasing, so dispatch order is write order
            Type = type.FullName!,
            Payload = JsonSerializer.Serialize(integrationEvent, type, JsonSerializerOptions.Web),
            OccurredAt = now,
            OrderingKey = OrderingKey(integrationEvent),
            NextAttemptAt = now,
            TraceParent = activity?.IdFormat == ActivityIdFormat.W3C ? activity.Id : null,
            TraceState = activity?.TraceStateString,
        };
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, System.Reflection.PropertyInfo?> KeyProperties = new();

    /// <summary>
    /// The aggregate an event is about: by the convention of <see cref="IIntegrationEvent"/>, the first <see cref="Guid"/>
    /// of the record's primary constructor (<c>UserCreated(Guid UserId, ...)</c>, <c>OrgUnitChanged(Guid OrgUnitId, ...)</c>).
    /// Null when the record has none; such an event is ordered with nothing.
    /// </summary>
    public static Guid? OrderingKey(IIntegrationEvent integrationEvent)
    {
        var property = KeyProperties.GetOrAdd(integrationEvent.GetType(), static type =>
        {
            var parameter = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault()?
                .GetParameters().FirstOrDefault(p => p.ParameterType == typeof(Guid));
            return parameter is null ? null : type.GetProperty(parameter.Name!);
        });
        return property?.GetValue(integrationEvent) as Guid?;
    }

    /// <summary>The event type named by a row; null when this build no longer knows it.</summary>
    public static Type? ResolveType(string typeName) => EventTypes.GetValueOrDefault(typeName);

    public static object Deserialize(OutboxMessage message)
    {
        var type = ResolveType(message.Type) ?? throw new InvalidOperationException($"Unknown integration event type '{message.Type}'.");
        return JsonSerializer.Deserialize(message.Payload, type, JsonSerializerOptions.Web)
               ?? throw new InvalidOperationException($"Outbox message {message.Id} has an empty payload.");
    }

    /// <summary>
    /// The wait before the next attempt after <paramref name="attempts"/> failures: 1 s doubling, capped at 60 s, with
    /// up to 20 % jitter so that replicas do not retry in lock-step.
    /// </summary>
    public static TimeSpan Backoff(int attempts, double jitter01)
    {
        var seconds = Math.Min(60, Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds * (1 + 0.2 * Math.Clamp(jitter01, 0, 1)));
    }
}
