using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Model.Xapi;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.ContentDelivery.Infrastructure.Xapi;

/// <summary>
/// A statement ready to store: as completed by the LRS (<see cref="Json"/>), when it was stored, what it is found by,
/// and as it was sent (for the comparison of a repeated id, and for those who follow statements).
/// </summary>
public sealed record IncomingStatement(Guid Id, string Json, DateTimeOffset Stored, StatementFacts Facts, JsonElement Sent, string[] AttachmentHashes);

/// <summary>An attachment's bytes as sent in a multipart request, matched to its statements by SHA-2.</summary>
public sealed record AttachmentContent(string Sha2, string ContentType, byte[] Content);

/// <summary>What a statement query asks for. <see cref="Keys"/> are <see cref="StatementFacts"/> keys, all of which must match.</summary>
public sealed record StatementQuery(string[] Keys, DateTimeOffset? Since, DateTimeOffset? Until, bool Ascending, int Limit, long? After);

public sealed record StatementRow(long Seq, Guid Id, string Json, DateTimeOffset Stored, bool Voided, bool IsVoiding, string[] Attachments);

/// <summary>
/// The LRS's statement store, in PostgreSQL with SQL of its own (the bulk path DESIGN.md allows): a batch is one
/// transaction of a few round trips whatever its size, so statements arrive at thousands a second. A batch is stored
/// whole or not at all: a statement whose id is already stored with different content refuses the batch (409); one
/// stored with the same content is left as it is. Voiding, references to statements that arrive later, the
/// activities' canonical definitions and attachments' bytes are written in the same transaction.
/// </summary>
public sealed class StatementStore(ContentDbContext db, IMemoryCache cache)
{
    /// <summary>How long this replica remembers an activity definition it has written: a stream of statements that all
    /// describe an activity the same way writes its definition once, not once per batch (and does not queue batches
    /// behind each other's row locks on the same activities).</summary>
    private static readonly TimeSpan DefinitionMemory = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Stores the batch; returns the id of a statement that conflicts with a stored one, or null. <paramref name="withStored"/>
    /// runs in the same transaction with the statements that were new (not repeats), so what follows from them (an
    /// outbox row, through the same DbContext) is written with them or not at all, and once.
    /// </summary>
    public Task<Guid?> StoreAsync(IReadOnlyList<IncomingStatement> batch, IReadOnlyList<AttachmentContent> attachments, DateTimeOffset stored,
        Func<IReadOnlyList<IncomingStatement>, Task<List<IncomingStatement>>>? withStored, CancellationToken cancellationToken) =>
        // One transaction, repeated whole if the connection fails on the way (a repeat finds its own rows gone with the rollback).
        db.Database.CreateExecutionStrategy().ExecuteAsync(() =>
        {
            db.ChangeTracker.Clear();
            return StoreOnceAsync(batch, attachments, stored, withStored, cancellationToken);
        });

    private async Task<Guid?> StoreOnceAsync(IReadOnlyList<IncomingStatement> batch, IReadOnlyList<AttachmentContent> attachments, DateTimeOffset stored,
        Func<IReadOnlyList<IncomingStatement>, Task<List<IncomingStatement>>>? withStored, CancellationToken cancellationToken)
    {
        Dictionary<string, (JsonObject Merged, string Raw)> written = [];
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var tx = (NpgsqlTransaction)transaction.GetDbTransaction();

        // A statement that refers to another is found by its target's keys too: the target's, in this batch or stored.
        var keys = new Dictionary<Guid, string[]>();
        var outside = batch.Where(s => s.Facts.RefersTo is { } t && batch.All(b => b.Id != t)).Select(s => s.Facts.RefersTo!.Value).Distinct().ToArray();
        var storedTargets = new Dictionary<Guid, string[]>();
        if (outside.Length > 0)
        {
            await using var select = new NpgsqlCommand("SELECT id, keys FROM xapi_statements WHERE id = ANY(@ids)", connection, tx);
            select.Parameters.AddWithValue("ids", outside);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) storedTargets[reader.GetGuid(0)] = reader.GetFieldValue<string[]>(1);
        }
        foreach (var statement in batch)
        {
            var own = statement.Facts.Keys;
            if (statement.Facts.RefersTo is { } target && (keys.TryGetValue(target, out var inBatch) || storedTargets.TryGetValue(target, out inBatch)))
                own = statement.Facts.WithTarget(inBatch);
            keys[statement.Id] = own;
        }

        var inserted = await InsertAsync(connection, tx, batch, keys, stored, cancellationToken);

        // An id already stored: the same statement again changes nothing; a different one is a conflict.
        var repeated = batch.Where(s => !inserted.Contains(s.Id)).ToList();
        if (repeated.Count > 0)
        {
            var existing = await ReadAsync(connection, tx, repeated.Select(s => s.Id).ToArray(), cancellationToken);
            foreach (var statement in repeated)
            {
                var withTimestamp = statement.Sent.TryGetProperty("timestamp", out _);
                using var before = JsonDocument.Parse(existing[statement.Id].Json);
                using var now = JsonDocument.Parse(statement.Json);
                if (StatementDocument.Signature(before.RootElement, withTimestamp) != StatementDocument.Signature(now.RootElement, withTimestamp))
                    return statement.Id; // the transaction is disposed without a commit: nothing of the batch is written
            }
        }

        var fresh = batch.Where(s => inserted.Contains(s.Id)).ToList();
        if (fresh.Count > 0)
        {
            var freshIds = fresh.Select(s => s.Id).ToArray();
            await using var effects = new NpgsqlBatch(connection, tx);
            // A voiding statement voids its target, unless the target is itself a voiding statement.
            var targets = fresh.Where(s => s.Facts.Voids is not null).Select(s => s.Facts.Voids!.Value).ToArray();
            if (targets.Length > 0)
                effects.BatchCommands.Add(Command("UPDATE xapi_statements SET voided = true WHERE id = ANY(@p) AND voids IS NULL", targets));
            // A statement voided before it arrived is voided now.
            // (Each is written to start from the partial index on voids or refers_to with the batch's ids, so neither ever
            // scans the table, whatever plan a prepared statement settles on.)
            effects.BatchCommands.Add(Command("""
                UPDATE xapi_statements s SET voided = true
                FROM (SELECT DISTINCT voids FROM xapi_statements WHERE voids = ANY(@p)) v
                WHERE s.id = v.voids AND s.voids IS NULL
                """, freshIds));
            // Statements that referred to one of these before it arrived take its keys now.
            effects.BatchCommands.Add(Command("""
                UPDATE xapi_statements r SET keys = ARRAY(SELECT DISTINCT k FROM unnest(r.keys || ARRAY(SELECT x FROM unnest(t.keys) x WHERE x NOT LIKE 'w:%')) k)
                FROM xapi_statements t
                WHERE r.refers_to = ANY(@p) AND t.id = r.refers_to
                """, freshIds));
            var definitions = CanonicalDefinitions(fresh, sent => cache.TryGetValue(DefinitionKey(sent.Id), out string? known) && known == sent.Definition);
            written = definitions;
            if (definitions.Count > 0)
            {
                var ids = definitions.Keys.Order(StringComparer.Ordinal).ToArray(); // one order for every batch: no deadlocks between them
                var upsert = new NpgsqlBatchCommand("""
                    INSERT INTO xapi_activities (id, definition, updated_at)
                    SELECT u.id, u.definition, @now FROM unnest(@ids, @definitions) WITH ORDINALITY AS u(id, definition, n) ORDER BY u.n
                    ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, definition =
                        xapi_activities.definition || excluded.definition
                        || jsonb_strip_nulls(jsonb_build_object(
                            'name', NULLIF(COALESCE(xapi_activities.definition->'name', '{}') || COALESCE(excluded.definition->'name', '{}'), '{}'::jsonb),
                            'description', NULLIF(COALESCE(xapi_activities.definition->'description', '{}') || COALESCE(excluded.definition->'description', '{}'), '{}'::jsonb)))
                    """);
                upsert.Parameters.AddWithValue("now", stored);
                upsert.Parameters.AddWithValue("ids", ids);
                upsert.Parameters.Add(new NpgsqlParameter("definitions", NpgsqlDbType.Array | NpgsqlDbType.Jsonb) { Value = ids.Select(id => definitions[id].Merged.ToJsonString()).ToArray() });
                effects.BatchCommands.Add(upsert);
            }
            var parts = attachments.Where(a => fresh.Any(s => s.AttachmentHashes.Contains(a.Sha2))).ToList();
            foreach (var part in parts)
            {
                var command = new NpgsqlBatchCommand("INSERT INTO xapi_attachments (sha2, content_type, content) VALUES (@sha2, @type, @content) ON CONFLICT (sha2) DO NOTHING");
                command.Parameters.AddWithValue("sha2", part.Sha2);
                command.Parameters.AddWithValue("type", part.ContentType);
                command.Parameters.AddWithValue("content", part.Content);
                effects.BatchCommands.Add(command);
            }
            await effects.PrepareAsync(cancellationToken);
            await effects.ExecuteNonQueryAsync(cancellationToken);
            // What follows from the new statements (progress, the LMS's own statements) is written in this transaction.
            if (withStored is not null && await withStored(fresh) is { Count: > 0 } followUps)
                await InsertAsync(connection, tx, followUps, followUps.ToDictionary(f => f.Id, f => f.Facts.Keys), stored, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        foreach (var (id, (_, raw)) in written) cache.Set(DefinitionKey(id), raw, DefinitionMemory);
        return null;

        static NpgsqlBatchCommand Command(string sql, Guid[] ids)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("p", ids);
            return command;
        }
    }

    /// <summary>One INSERT for the whole batch; the ids that were new (a stored id is left as it is).</summary>
    private static async Task<HashSet<Guid>> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IReadOnlyList<IncomingStatement> batch,
        IReadOnlyDictionary<Guid, string[]> keys, DateTimeOffset stored, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<Guid>();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO xapi_statements (id, stored, keys, refers_to, voids, voided, statement, attachments)
            SELECT u.id, @stored, (@keys)[u.keys_from:u.keys_to], u.refers_to, u.voids, false, u.statement, (@attachments)[u.attachments_from:u.attachments_to]
            FROM unnest(@ids, @keys_from, @keys_to, @refers, @voids, @statements, @attachments_from, @attachments_to)
                 WITH ORDINALITY AS u(id, keys_from, keys_to, refers_to, voids, statement, attachments_from, attachments_to, n)
            ORDER BY u.n
            ON CONFLICT (id) DO NOTHING
            RETURNING id
            """, connection, tx))
        {
            insert.Parameters.AddWithValue("stored", stored);
            insert.Parameters.AddWithValue("ids", batch.Select(s => s.Id).ToArray());
            // Each row's keys (and attachment hashes) are a slice of one flat array: no per-row parsing in the database.
            AddSlices(insert, "keys", batch.Select(s => keys[s.Id]).ToList());
            AddSlices(insert, "attachments", batch.Select(s => s.AttachmentHashes).ToList());
            insert.Parameters.Add(new NpgsqlParameter("refers", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = batch.Select(s => (object?)s.Facts.RefersTo ?? DBNull.Value).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("voids", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = batch.Select(s => (object?)s.Facts.Voids ?? DBNull.Value).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter("statements", NpgsqlDbType.Array | NpgsqlDbType.Json) { Value = batch.Select(s => s.Json).ToArray() });
            // Prepared on the pooled connection once, then only executed: no parse and plan per batch.
            await insert.PrepareAsync(cancellationToken);
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) inserted.Add(reader.GetGuid(0));
        }

        return inserted;
    }

    /// <summary>Lists of strings as one flat array <c>@name</c> and each list's bounds (<c>@name_from</c>, <c>@name_to</c>, 1-based, inclusive).</summary>
    private static void AddSlices(NpgsqlCommand command, string name, IReadOnlyList<string[]> lists)
    {
        var flat = new List<string>();
        var from = new int[lists.Count];
        var to = new int[lists.Count];
        for (var i = 0; i < lists.Count; i++)
        {
            from[i] = flat.Count + 1;
            flat.AddRange(lists[i]);
            to[i] = flat.Count;
        }
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = flat.ToArray() });
        command.Parameters.AddWithValue(name + "_from", from);
        command.Parameters.AddWithValue(name + "_to", to);
    }

    private static string DefinitionKey(string activityId) => "xapi-definition:" + activityId;

    /// <summary>
    /// The definitions the batch brings that are not <paramref name="known"/> already (as sent, text for text), merged
    /// per activity (language maps joined, the latest value of anything else), each with the last text sent for it.
    /// </summary>
    private static Dictionary<string, (JsonObject Merged, string Raw)> CanonicalDefinitions(IEnumerable<IncomingStatement> statements,
        Func<(string Id, string Definition), bool> known)
    {
        var merged = new Dictionary<string, (JsonObject Merged, string Raw)>(StringComparer.Ordinal);
        foreach (var statement in statements)
            foreach (var (id, sent) in StatementDocument.Definitions(statement.Sent))
            {
                var raw = sent.GetRawText();
                if (!merged.ContainsKey(id) && known((id, raw))) continue;
                if (!merged.TryGetValue(id, out var entry)) entry = ([], raw);
                var into = entry.Merged;
                merged[id] = (into, raw);
                foreach (var (name, value) in JsonObject.Create(sent)!)
                {
                    if (name is "name" or "description" && into[name] is JsonObject map && value is JsonObject more)
                        foreach (var (language, text) in more) map[language] = text?.DeepClone();
                    else into[name] = value?.DeepClone();
                }
            }
        return merged;
    }

    public async Task<StatementRow?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        var rows = await ReadAsync(connection, null, [id], cancellationToken);
        return rows.GetValueOrDefault(id);
    }

    private static async Task<Dictionary<Guid, StatementRow>> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid[] ids, CancellationToken cancellationToken)
    {
        await using var select = new NpgsqlCommand(
            "SELECT seq, id, statement::text, stored, voided, voids IS NOT NULL, attachments FROM xapi_statements WHERE id = ANY(@ids)", connection, tx);
        select.Parameters.AddWithValue("ids", ids);
        var rows = new Dictionary<Guid, StatementRow>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows[reader.GetGuid(1)] = Row(reader);
        return rows;
    }

    private static StatementRow Row(NpgsqlDataReader reader) => new(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2),
        reader.GetFieldValue<DateTimeOffset>(3), reader.GetBoolean(4), reader.GetBoolean(5), reader.GetFieldValue<string[]>(6));

    /// <summary>
    /// One page of statements (never voided ones), newest first unless ascending, after the cursor, and one more than
    /// the page when there is a next page.
    /// </summary>
    public async Task<IReadOnlyList<StatementRow>> QueryAsync(StatementQuery query, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        var where = new List<string> { "NOT voided" };
        await using var select = new NpgsqlCommand { Connection = connection };
        if (query.Keys.Length > 0)
        {
            where.Add("keys @> @keys");
            select.Parameters.AddWithValue("keys", query.Keys);
        }
        if (query.Since is { } since)
        {
            where.Add("stored > @since");
            select.Parameters.AddWithValue("since", since);
        }
        if (query.Until is { } until)
        {
            where.Add("stored <= @until");
            select.Parameters.AddWithValue("until", until);
        }
        if (query.After is { } after)
        {
            where.Add(query.Ascending ? "seq > @after" : "seq < @after");
            select.Parameters.AddWithValue("after", after);
        }
        select.Parameters.AddWithValue("limit", query.Limit + 1);
        select.CommandText = $"""
            SELECT seq, id, statement::text, stored, voided, voids IS NOT NULL, attachments FROM xapi_statements
            WHERE {string.Join(" AND ", where)} ORDER BY seq {(query.Ascending ? "ASC" : "DESC")} LIMIT @limit
            """;
        var rows = new List<StatementRow>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(Row(reader));
        return rows;
    }

    public async Task<IReadOnlyList<AttachmentContent>> AttachmentsAsync(IReadOnlyCollection<string> hashes, CancellationToken cancellationToken)
    {
        if (hashes.Count == 0) return [];
        return await db.XapiAttachments.AsNoTracking().Where(a => hashes.Contains(a.Sha2))
            .Select(a => new AttachmentContent(a.Sha2, a.ContentType, a.Content)).ToListAsync(cancellationToken);
    }

    public async Task<JsonObject?> DefinitionAsync(string activityId, CancellationToken cancellationToken) =>
        await db.XapiActivities.AsNoTracking().Where(a => a.Id == activityId).Select(a => a.Definition).FirstOrDefaultAsync(cancellationToken) is { } json
            ? JsonNode.Parse(json)!.AsObject() : null;

    public async Task<Dictionary<string, JsonObject>> DefinitionsAsync(IReadOnlyCollection<string> activityIds, CancellationToken cancellationToken) =>
        (await db.XapiActivities.AsNoTracking().Where(a => activityIds.Contains(a.Id)).Select(a => new { a.Id, a.Definition }).ToListAsync(cancellationToken))
        .ToDictionary(a => a.Id, a => JsonNode.Parse(a.Definition)!.AsObject(), StringComparer.Ordinal);

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }
}
