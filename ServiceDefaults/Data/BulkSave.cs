using System.Text.RegularExpressions;
using LmsPlatform.Contracts;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;
using NpgsqlTypes;

namespace LmsPlatform.ServiceDefaults.Data;

/// <summary>
/// SaveChanges for a change that adds tens of thousands of rows (an audience assigning a course to a whole
/// organisation). New rows may be handed over untracked (<c>rows</c>: tracking a hundred thousand entities costs
/// more than writing them); the aggregates' events, theirs and the tracked ones', are dispatched first as SaveChanges
/// would (integration events into the outbox, the rest to the context's sink); then changes to existing rows are saved
/// by SaveChanges, and every new row, untracked or added, is written by PostgreSQL's binary COPY (principal tables
/// before their dependents), columns and conversions read from the EF model: the rows EF would insert, all in the
/// caller's transaction.
/// </summary>
public static partial class BulkSave
{
    public static async Task SaveChangesAsync(DbContext db, DateTimeOffset now, IReadOnlyCollection<object> rows, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("A bulk save runs inside the caller's transaction.");
        var extra = new List<object>(rows);
        foreach (var aggregate in rows.OfType<IAggregate>())
            foreach (var domainEvent in aggregate.TakeDomainEvents())
            {
                if (domainEvent is IIntegrationEvent integrationEvent) extra.Add(OutboxMessageFactory.Create(integrationEvent, now));
                extra.AddRange((db as IDomainEventSink)?.RowsOf(domainEvent) ?? []);
            }
        db.ChangeTracker.DetectChanges();
        DomainEventsInterceptor.Dispatch(db, now);
        foreach (var entry in db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added).ToList())
        {
            extra.Add(entry.Entity);
            entry.State = EntityState.Detached;
        }
        await db.SaveChangesAsync(ct);
        if (extra.Count == 0) return;
        if (db is IDomainEventSink sink) extra = [.. sink.Compact(extra)];
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        foreach (var group in extra.GroupBy(r => db.Model.FindEntityType(r.GetType()) ?? throw new InvalidOperationException($"{r.GetType().Name} is not an entity"))
                     .OrderBy(g => Depth(g.Key)))
            await CopyAsync(connection, group.Key, group, ct);
    }

    /// <summary>How many foreign keys deep the type stands: principals are written before their dependents.</summary>
    private static int Depth(IEntityType type, int guard = 0) =>
        guard > 10 ? 0 : type.GetForeignKeys().Where(f => f.PrincipalEntityType != type).Select(f => 1 + Depth(f.PrincipalEntityType, guard + 1)).DefaultIfEmpty(0).Max();

    private static async Task CopyAsync(NpgsqlConnection connection, IEntityType type, IEnumerable<object> rows, CancellationToken ct)
    {
        var table = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties()
            .Where(p => p.ValueGenerated != ValueGenerated.OnAddOrUpdate && p.GetValueGenerationStrategy() is not (NpgsqlValueGenerationStrategy.IdentityAlwaysColumn
                or NpgsqlValueGenerationStrategy.IdentityByDefaultColumn or NpgsqlValueGenerationStrategy.SerialColumn))
            .Select(p => new Column(p.GetColumnName(table)!, p.GetGetter(), p.GetTypeMapping().Converter, Writer(p)))
            .Concat(type.GetNavigations().Where(n => n.ForeignKey.IsOwnership && n.TargetEntityType.IsMappedToJson())
                .Select(n => new Column(n.TargetEntityType.GetContainerColumnName()!, n.GetGetter(), null,
                    (w, v) => w.Write(ToJson(n.TargetEntityType, v).ToJsonString(), NpgsqlDbType.Jsonb))))
            .ToList();
        var target = table.Schema is null ? $"\"{table.Name}\"" : $"\"{table.Schema}\".\"{table.Name}\"";
        await using var writer = await connection.BeginBinaryImportAsync(
            $"COPY {target} ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var column in columns)
            {
                var value = column.Getter.GetClrValueUsingContainingEntity(row);
                if (value is not null && column.Converter is { } converter) value = converter.ConvertToProvider(value);
                if (value is null) writer.WriteNull();
                else column.Write(writer, value);
            }
        }
        await writer.CompleteAsync(ct);
    }

    /// <summary>
    /// An owned type mapped to a JSON column (an owned collection, or one owned object), as EF writes it: its
    /// non-shadow properties by their JSON names, owned navigations nested.
    /// </summary>
    private static System.Text.Json.Nodes.JsonNode ToJson(IEntityType owned, object value)
    {
        if (value is System.Collections.IEnumerable items and not string)
            return new System.Text.Json.Nodes.JsonArray([.. items.Cast<object>().Select(item => ToJson(owned, item))]);
        var json = new System.Text.Json.Nodes.JsonObject();
        foreach (var property in owned.GetProperties().Where(p => !p.IsShadowProperty()))
        {
            var raw = property.GetGetter().GetClrValueUsingContainingEntity(value);
            if (raw is not null && property.GetTypeMapping().Converter is { } converter) raw = converter.ConvertToProvider(raw);
            json[property.GetJsonPropertyName()!] = System.Text.Json.JsonSerializer.SerializeToNode(raw);
        }
        foreach (var navigation in owned.GetNavigations().Where(n => n.ForeignKey.IsOwnership))
            json[navigation.TargetEntityType.GetJsonPropertyName()!] = navigation.GetGetter().GetClrValueUsingContainingEntity(value) is { } inner
                ? ToJson(navigation.TargetEntityType, inner) : null;
        return json;
    }

    private sealed record Column(string Name, IClrPropertyGetter Getter, Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter? Converter,
        Action<NpgsqlBinaryImporter, object> Write);

    /// <summary>A typed write for the column's provider type (a write by type name resolves the type for every value).</summary>
    private static Action<NpgsqlBinaryImporter, object> Writer(IProperty property)
    {
        var provider = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
        provider = Nullable.GetUnderlyingType(provider) ?? provider;
        var storeType = Facets().Replace(property.GetColumnType(), "");
        return provider switch
        {
            _ when provider == typeof(Guid) => (w, v) => w.Write((Guid)v, NpgsqlDbType.Uuid),
            _ when provider == typeof(int) => (w, v) => w.Write((int)v, NpgsqlDbType.Integer),
            _ when provider == typeof(long) => (w, v) => w.Write((long)v, NpgsqlDbType.Bigint),
            _ when provider == typeof(bool) => (w, v) => w.Write((bool)v, NpgsqlDbType.Boolean),
            _ when provider == typeof(DateTimeOffset) => (w, v) => w.Write((DateTimeOffset)v, NpgsqlDbType.TimestampTz),
            _ when provider == typeof(DateOnly) => (w, v) => w.Write((DateOnly)v, NpgsqlDbType.Date),
            _ when provider == typeof(string) && storeType == "jsonb" => (w, v) => w.Write((string)v, NpgsqlDbType.Jsonb),
            _ when provider == typeof(string) => (w, v) => w.Write((string)v, NpgsqlDbType.Text),
            _ => (w, v) => w.Write(v, storeType),
        };
    }

    [GeneratedRegex(@"\(.*\)")]
    private static partial Regex Facets();
}
