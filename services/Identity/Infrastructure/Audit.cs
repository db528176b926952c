using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using LmsPlatform.Identity.Model;
using OpenIddict.Abstractions;

namespace LmsPlatform.Identity.Infrastructure;

/// <summary>Who made a change and from where: a signed-in user, an integration client, or the system itself.</summary>
public sealed record Actor(string? Id, string Name, string? IpAddress)
{
    public static readonly Actor System = new(null, "system", null);

    public static Actor From(HttpContext http)
    {
        var user = http.User;
        var id = user.FindFirstValue(OpenIddictConstants.Claims.Subject);
        var name = user.FindFirstValue(OpenIddictConstants.Claims.Email)
                   ?? user.FindFirstValue(OpenIddictConstants.Claims.Name)
                   ?? user.FindFirstValue(OpenIddictConstants.Claims.ClientId)
                   ?? id ?? "anonymous";
        return new Actor(id, name, http.Connection.RemoteIpAddress?.ToString());
    }
}

public static class AuditExtensions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds an audit entry to the context; it is saved with the change it records, in one transaction.</summary>
    public static AuditEntry Audit(this IdentityDbContext db, Actor actor, string action, string entityType, object entityId,
        object? before, object? after, DateTimeOffset? at = null)
    {
        var entry = Entry(actor, action, entityType, entityId, before, after, at);
        db.AuditEntries.Add(entry);
        return entry;
    }

    /// <summary>The audit entry of an aggregate's <see cref="Audited"/> event.</summary>
    public static AuditEntry Entry(Audited a) => Entry(a.Actor, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.At);

    public static AuditEntry Entry(Actor actor, string action, string entityType, object entityId, object? before, object? after, DateTimeOffset? at = null) =>
        new AuditEntry
        {
            Id = Guid.CreateVersion7(),
            OccurredAt = at ?? DateTimeOffset.UtcNow,
            ActorId = actor.Id,
            ActorName = actor.Name,
            Action = action,
            EntityType = entityType,
            EntityId = entityId.ToString()!,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
            IpAddress = actor.IpAddress,
            TraceId = Activity.Current?.TraceId.ToString(),
        };
}
