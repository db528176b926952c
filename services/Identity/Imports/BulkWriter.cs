using LmsPlatform.Contracts;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.Identity.Imports;

/// <summary>One import batch as it is written: new users, changed users with the stamp they were read with, events and audit entries.</summary>
public sealed class UserBatch
{
    public List<User> Created { get; } = [];
    public List<(User User, string? ExpectedStamp)> Changed { get; } = [];
    public List<OutboxMessage> Events { get; } = [];
    public List<AuditEntry> Audit { get; } = [];

    /// <summary>
    /// Takes the events a user's methods recorded, as the save interceptor would: integration events become outbox
    /// rows, <see cref="Audited"/> events audit entries.
    /// </summary>
    public void Take(User user, DateTimeOffset now)
    {
        foreach (var domainEvent in user.TakeDomainEvents())
        {
            if (domainEvent is IIntegrationEvent integrationEvent) Events.Add(OutboxMessageFactory.Create(integrationEvent, now));
            if (domainEvent is Audited audited) Audit.Add(AuditExtensions.Entry(audited));
        }
    }
}

/// <summary>
/// Writes an import batch by PostgreSQL's binary COPY in one transaction: new users, outbox rows and audit entries
/// straight into their tables, changed users into a temporary table and from there with one UPDATE. The same rows EF
/// Core would write, at a fraction of the cost, which matters when an HR file creates or changes a hundred thousand
/// people. A changed user is only written if its concurrency stamp is still the one it was read with; if any is not,
/// nothing is written and <see cref="DbUpdateConcurrencyException"/> is thrown, so the caller reads the batch again.
/// </summary>
public static class BulkWriter
{
    public static async Task SaveAsync(IdentityDbContext db, UserBatch batch, CancellationToken ct)
    {
        var (users, outbox, audit) = (batch.Created, batch.Events, batch.Audit);
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
                        Nullable(w, u.Email, NpgsqlDbType.Varchar);
                        Nullable(w, u.NormalizedEmail, NpgsqlDbType.Varchar);
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
                await UpdateAsync(connection, batch.Changed, ct);
                await transaction.CommitAsync(ct);
            }
            finally
            {
                await db.Database.UseTransactionAsync(null, ct);
                await db.Database.CloseConnectionAsync();
            }
        });
    }

    private static async Task UpdateAsync(NpgsqlConnection connection, IReadOnlyList<(User User, string? ExpectedStamp)> changed, CancellationToken ct)
    {
        if (changed.Count == 0) return;
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE user_changes (id uuid, expected_stamp text, email text, normalized_email text, user_name text,
                normalized_user_name text, given_name text, family_name text, external_id text, job_title text,
                location text, hire_date date, manager_id uuid, org_unit_id uuid, status text, security_stamp text, concurrency_stamp text,
                updated_at timestamptz) ON COMMIT DROP
            """, connection))
            await create.ExecuteNonQueryAsync(ct);
        await CopyAsync(connection, "COPY user_changes FROM STDIN (FORMAT BINARY)", changed, (w, c) =>
        {
            var u = c.User;
            w.Write(u.Id, NpgsqlDbType.Uuid);
            Nullable(w, c.ExpectedStamp, NpgsqlDbType.Text);
            Nullable(w, u.Email, NpgsqlDbType.Varchar);
            Nullable(w, u.NormalizedEmail, NpgsqlDbType.Varchar);
            Nullable(w, u.UserName, NpgsqlDbType.Varchar);
            Nullable(w, u.NormalizedUserName, NpgsqlDbType.Varchar);
            w.Write(u.GivenName, NpgsqlDbType.Varchar);
            w.Write(u.FamilyName, NpgsqlDbType.Varchar);
            Nullable(w, u.ExternalId, NpgsqlDbType.Varchar);
            Nullable(w, u.JobTitle, NpgsqlDbType.Varchar);
            Nullable(w, u.Location, NpgsqlDbType.Varchar);
            Nullable(w, u.HireDate, NpgsqlDbType.Date);
            Nullable(w, u.ManagerId, NpgsqlDbType.Uuid);
            Nullable(w, u.OrgUnitId, NpgsqlDbType.Uuid);
            w.Write(u.Status.ToString(), NpgsqlDbType.Varchar);
            Nullable(w, u.SecurityStamp, NpgsqlDbType.Text);
            Nullable(w, u.ConcurrencyStamp, NpgsqlDbType.Text);
            w.Write(u.UpdatedAt, NpgsqlDbType.TimestampTz);
        }, ct);
        await using var update = new NpgsqlCommand("""
            UPDATE users u SET "Email" = c.email, "NormalizedEmail" = c.normalized_email, "UserName" = c.user_name,
                "NormalizedUserName" = c.normalized_user_name, "GivenName" = c.given_name, "FamilyName" = c.family_name,
                "ExternalId" = c.external_id, "JobTitle" = c.job_title, "Location" = c.location, "HireDate" = c.hire_date,
                "ManagerId" = c.manager_id, "OrgUnitId" = c.org_unit_id, "Status" = c.status, "SecurityStamp" = c.security_stamp,
                "ConcurrencyStamp" = c.concurrency_stamp, "UpdatedAt" = c.updated_at
            FROM user_changes c
            WHERE u."Id" = c.id AND u."ConcurrencyStamp" IS NOT DISTINCT FROM c.expected_stamp
            """, connection);
        var updated = await update.ExecuteNonQueryAsync(ct);
        if (updated != changed.Count)
            throw new DbUpdateConcurrencyException($"{changed.Count - updated} of {changed.Count} users changed since they were read.");
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
