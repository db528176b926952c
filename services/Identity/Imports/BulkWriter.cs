using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.Identity.Imports;

/// <summary>
/// Writes an import's new users, with their outbox rows and audit entries, by PostgreSQL's binary COPY in one
/// transaction: the same rows EF Core would insert, at a fraction of the cost, which matters when an HR file creates
/// a hundred thousand people. The context's tracked changes (updates) are saved in the same transaction.
/// </summary>
public static class BulkWriter
{
    public static async Task SaveAsync(IdentityDbContext db, IReadOnlyList<User> users, IReadOnlyList<OutboxMessage> outbox,
        IReadOnlyList<AuditEntry> audit, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                await using var transaction = await connection.BeginTransactionAsync(ct);
                await db.Database.UseTransactionAsync(transaction, ct);
                await CopyAsync(connection, """COPY users ("Id", "GivenName", "FamilyName", "ExternalId", "JobTitle", "Location", "HireDate", "ManagerId", "OrgUnitId", "Status", "CreatedAt", "UpdatedAt", "ScimDeleted", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount") FROM STDIN (FORMAT BINARY)""",
                    users, (w, u) =>
                    {
                        w.Write(u.Id, NpgsqlDbType.Uuid);
                        w.Write(u.GivenName, NpgsqlDbType.Varchar);
                        w.Write(u.FamilyName, NpgsqlDbType.Varchar);
                        Nullable(w, u.ExternalId, NpgsqlDbType.Varchar);
                        Nullable(w, u.JobTitle, NpgsqlDbType.Varchar);
                        Nullable(w, u.Location, NpgsqlDbType.Varchar);
                        Nullable(w, u.HireDate, NpgsqlDbType.Date);
                        Nullable(w, u.ManagerId, NpgsqlDbType.Uuid);
                        Nullable(w, u.OrgUnitId, NpgsqlDbType.Uuid);
                        w.Write(u.Status.ToString(), NpgsqlDbType.Varchar);
                        w.Write(u.CreatedAt, NpgsqlDbType.TimestampTz);
                        w.Write(u.UpdatedAt, NpgsqlDbType.TimestampTz);
                        w.Write(u.ScimDeleted, NpgsqlDbType.Boolean);
                        Nullable(w, u.UserName, NpgsqlDbType.Varchar);
                        Nullable(w, u.NormalizedUserName, NpgsqlDbType.Varchar);
                        w.Write(u.Email!, NpgsqlDbType.Varchar);
                        w.Write(u.NormalizedEmail!, NpgsqlDbType.Varchar);
                        w.Write(u.EmailConfirmed, NpgsqlDbType.Boolean);
                        Nullable(w, u.SecurityStamp, NpgsqlDbType.Text);
                        Nullable(w, u.ConcurrencyStamp, NpgsqlDbType.Text);
                        w.Write(u.PhoneNumberConfirmed, NpgsqlDbType.Boolean);
                        w.Write(u.TwoFactorEnabled, NpgsqlDbType.Boolean);
                        w.Write(u.LockoutEnabled, NpgsqlDbType.Boolean);
                        w.Write(u.AccessFailedCount, NpgsqlDbType.Integer);
                    }, ct);
                await CopyAsync(connection, "COPY outbox_messages (id, type, payload, occurred_at, ordering_key, trace_parent, trace_state, attempts, next_attempt_at) FROM STDIN (FORMAT BINARY)",
                    outbox, (w, m) =>
                    {
                        w.Write(m.Id, NpgsqlDbType.Uuid);
                        w.Write(m.Type, NpgsqlDbType.Varchar);
                        w.Write(m.Payload, NpgsqlDbType.Jsonb);
                        w.Write(m.OccurredAt, NpgsqlDbType.TimestampTz);
                        if (m.OrderingKey is { } key) w.Write(key, NpgsqlDbType.Uuid); else w.WriteNull();
                        Nullable(w, m.TraceParent, NpgsqlDbType.Varchar);
                        Nullable(w, m.TraceState, NpgsqlDbType.Varchar);
                        w.Write(m.Attempts, NpgsqlDbType.Integer);
                        w.Write(m.NextAttemptAt, NpgsqlDbType.TimestampTz);
                    }, ct);
                await CopyAsync(connection, """COPY audit_log ("Id", "OccurredAt", "ActorId", "ActorName", "Action", "EntityType", "EntityId", "Before", "After", "IpAddress", "TraceId") FROM STDIN (FORMAT BINARY)""",
                    audit, (w, a) =>
                    {
                        w.Write(a.Id, NpgsqlDbType.Uuid);
                        w.Write(a.OccurredAt, NpgsqlDbType.TimestampTz);
                        Nullable(w, a.ActorId, NpgsqlDbType.Varchar);
                        w.Write(a.ActorName, NpgsqlDbType.Varchar);
                        w.Write(a.Action, NpgsqlDbType.Varchar);
                        w.Write(a.EntityType, NpgsqlDbType.Varchar);
                        w.Write(a.EntityId, NpgsqlDbType.Varchar);
                        Nullable(w, a.Before, NpgsqlDbType.Jsonb);
                        Nullable(w, a.After, NpgsqlDbType.Jsonb);
                        Nullable(w, a.IpAddress, NpgsqlDbType.Varchar);
                        Nullable(w, a.TraceId, NpgsqlDbType.Varchar);
                    }, ct);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, ct);
                await db.Database.CloseConnectionAsync();
            }
        });
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string copy, IReadOnlyList<T> rows, Action<NpgsqlBinaryImporter, T> write, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        await using var writer = await connection.BeginBinaryImportAsync(copy, ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            write(writer, row);
        }
        await writer.CompleteAsync(ct);
    }

    private static void Nullable<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type)
    {
        if (value is null) writer.WriteNull();
        else writer.Write(value, type);
    }
}
