using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model.Xapi;
using LmsPlatform.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>Which document: its kind, activity, agent (by identifier), registration, and the client's id for it.</summary>
public sealed record DocumentKey(XapiDocumentKind Kind, string ActivityId, string AgentKey, Guid? Registration, string DocumentId);

/// <summary>The conditions of a write: <c>If-Match</c> and <c>If-None-Match</c> as sent.</summary>
public sealed record Preconditions(string? IfMatch, string? IfNoneMatch)
{
    public bool None => IfMatch is null && IfNoneMatch is null;

    public static bool Matches(string header, string etag) => header.Split(',').Select(t => t.Trim()).Any(t =>
        t == "*" || (t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t).Trim('"') == etag);
}

public sealed record DocumentOutcome(int Status, string? Reason = null)
{
    public static readonly DocumentOutcome Done = new(StatusCodes.Status204NoContent);
}

/// <summary>
/// The State, Activity Profile and Agent Profile resources: documents kept whole as sent, replaced by PUT, merged by
/// POST (top-level keys of two JSON objects), and guarded by their ETag (the SHA-1 of their bytes). A write that
/// fails its precondition is 412; a profile replaced without one is 409, as xAPI asks (a State may be, as it allows).
/// Each write reads the document under a row lock, so two writers never both win.
/// </summary>
public sealed class Documents(ContentDbContext db, TimeProvider time)
{
    public Task<XapiDocument?> GetAsync(DocumentKey key, CancellationToken cancellationToken) =>
        Find(key).AsNoTracking().FirstOrDefaultAsync(cancellationToken);

    /// <summary>The ids of the documents for an activity/agent/registration, changed after <paramref name="since"/>, and when the newest changed.</summary>
    public async Task<(IReadOnlyList<string> Ids, DateTimeOffset? LastModified)> ListAsync(XapiDocumentKind kind, string activityId, string agentKey,
        Guid? registration, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var rows = await Scope(kind, activityId, agentKey, registration).Where(d => since == null || d.UpdatedAt > since)
            .OrderBy(d => d.DocumentId).Select(d => new { d.DocumentId, d.UpdatedAt }).ToListAsync(cancellationToken);
        return (rows.Select(r => r.DocumentId).ToList(), rows.Count == 0 ? null : rows.Max(r => r.UpdatedAt));
    }

    /// <summary>Replaces (PUT) or merges into (POST) a document, in one transaction the connection's retries repeat whole.</summary>
    public Task<DocumentOutcome> WriteAsync(DocumentKey key, byte[] content, string contentType, bool merge, Preconditions conditions,
        CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(() => WriteOnceAsync(key, content, contentType, merge, conditions, cancellationToken));

    private async Task<DocumentOutcome> WriteOnceAsync(DocumentKey key, byte[] content, string contentType, bool merge, Preconditions conditions,
        CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var json = IsJson(contentType);
        JsonObject? posted = null;
        if (json)
        {
            try
            {
                posted = JsonNode.Parse(content) as JsonObject;
            }
            catch (JsonException)
            {
                return new DocumentOutcome(StatusCodes.Status400BadRequest, "The body is labelled application/json and is not JSON.");
            }
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await Locked(key, cancellationToken);
        if (Refusal(existing, conditions) is { } refused) return refused;
        if (!merge && conditions.None && existing is not null && key.Kind != XapiDocumentKind.State)
            return new DocumentOutcome(StatusCodes.Status409Conflict,
                "The profile exists: read it, then PUT again with If-Match carrying its ETag (or If-None-Match: * to create only).");
        if (merge && existing is not null)
        {
            if (!json || posted is null || !IsJson(existing.ContentType) || JsonNode.Parse(existing.Content) is not JsonObject stored)
                return new DocumentOutcome(StatusCodes.Status400BadRequest,
                    "POST merges JSON objects: the stored document and the body must both be application/json objects (PUT replaces a document of any kind).");
            foreach (var (name, value) in posted) stored[name] = value?.DeepClone();
            content = JsonSerializer.SerializeToUtf8Bytes(stored);
            contentType = "application/json";
        }
        var document = existing ?? db.XapiDocuments.Add(new XapiDocument
        {
            Kind = key.Kind, ActivityId = key.ActivityId, AgentKey = key.AgentKey, Registration = key.Registration, DocumentId = key.DocumentId,
        }).Entity;
        document.Content = content;
        document.ContentType = contentType;
        document.ETag = ETagOf(content);
        document.UpdatedAt = time.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return new DocumentOutcome(StatusCodes.Status409Conflict, "Another request created this document at the same moment: read it and try again.");
        }
        return DocumentOutcome.Done;
    }

    public Task<DocumentOutcome> DeleteAsync(DocumentKey key, Preconditions conditions, CancellationToken cancellationToken) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var existing = await Locked(key, cancellationToken);
        if (Refusal(existing, conditions) is { } refused) return refused;
        if (existing is not null)
        {
            db.XapiDocuments.Remove(existing);
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return DocumentOutcome.Done;
    });

    /// <summary>Every State document of an activity, agent and registration (a DELETE without a stateId).</summary>
    public Task DeleteStatesAsync(string activityId, string agentKey, Guid? registration, CancellationToken cancellationToken) =>
        Scope(XapiDocumentKind.State, activityId, agentKey, registration).ExecuteDeleteAsync(cancellationToken);

    public static string ETagOf(byte[] content) => Convert.ToHexStringLower(SHA1.HashData(content));

    public static bool IsJson(string? contentType) =>
        contentType is not null && contentType.Split(';')[0].Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);

    private static DocumentOutcome? Refusal(XapiDocument? existing, Preconditions conditions)
    {
        if (conditions.IfMatch is { } ifMatch && (existing is null || !Preconditions.Matches(ifMatch, existing.ETag)))
            return new DocumentOutcome(StatusCodes.Status412PreconditionFailed,
                existing is null ? "If-Match names a document that does not exist." : "The document has changed since the ETag in If-Match: read it again.");
        if (conditions.IfNoneMatch is { } ifNoneMatch && existing is not null && Preconditions.Matches(ifNoneMatch, existing.ETag))
            return new DocumentOutcome(StatusCodes.Status412PreconditionFailed, "If-None-Match: the document exists.");
        return null;
    }

    private IQueryable<XapiDocument> Scope(XapiDocumentKind kind, string activityId, string agentKey, Guid? registration) =>
        db.XapiDocuments.Where(d => d.Kind == kind && d.ActivityId == activityId && d.AgentKey == agentKey && d.Registration == registration);

    private IQueryable<XapiDocument> Find(DocumentKey key) =>
        Scope(key.Kind, key.ActivityId, key.AgentKey, key.Registration).Where(d => d.DocumentId == key.DocumentId);

    private Task<XapiDocument?> Locked(DocumentKey key, CancellationToken cancellationToken) =>
        db.XapiDocuments.FromSqlRaw("""
            SELECT * FROM xapi_documents
            WHERE kind = @kind AND activity_id = @activity AND agent_key = @agent AND registration IS NOT DISTINCT FROM @registration AND document_id = @id
            FOR UPDATE
            """,
            new NpgsqlParameter("kind", key.Kind.ToString()), new NpgsqlParameter("activity", key.ActivityId), new NpgsqlParameter("agent", key.AgentKey),
            new NpgsqlParameter("registration", NpgsqlDbType.Uuid) { Value = (object?)key.Registration ?? DBNull.Value }, new NpgsqlParameter("id", key.DocumentId))
            .FirstOrDefaultAsync(cancellationToken);
}
