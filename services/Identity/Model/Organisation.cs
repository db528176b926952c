namespace LmsPlatform.Identity.Model;

/// <summary>
/// A department or division in the organisation tree. <see cref="Path"/> is the materialised path of ids from the root
/// ("/a/b/c/"), so a subtree is one indexed prefix query and a move that would make a cycle is easy to see.
/// </summary>
public sealed class OrgUnit
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The HR system's key of the unit (CSV imports, SCIM groups).</summary>
    public string? ExternalId { get; set; }
    public Guid? ParentId { get; set; }
    public required string Path { get; set; }
    public bool Active { get; set; } = true;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>PostgreSQL's xmin: the ETag and optimistic concurrency token.</summary>
    public uint Version { get; set; }

    public string ETag => $"\"{Version}\"";

    public static string PathOf(OrgUnit? parent, Guid id) => (parent?.Path ?? "/") + id.ToString("N") + "/";

    public IReadOnlyList<Guid> PathIds() => Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
}

/// <summary>A role granted to a user, for the whole organisation or (when <see cref="ScopeOrgUnitId"/> is set) for one subtree.</summary>
public sealed class RoleAssignment
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Role { get; set; }
    public Guid? ScopeOrgUnitId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}

/// <summary>One administrative change: who, what, before and after, when and from where.</summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public string? ActorId { get; set; }
    public required string ActorName { get; set; }
    public required string Action { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? IpAddress { get; set; }
    public string? TraceId { get; set; }
}

/// <summary>A single-use, expiring password reset token; only its SHA-256 hash is kept.</summary>
public sealed class PasswordResetTicket
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

/// <summary>A token signing or encryption key, created once and kept so that restarts and replicas share it.</summary>
public sealed class SigningKey
{
    public required string Id { get; set; }
    public required string Use { get; set; }
    /// <summary>PKCS#8 private key.</summary>
    public required byte[] PrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What an integration client (HR feed, SCIM, reporting tool) may do: the permissions its tokens carry.</summary>
public sealed class ClientGrant
{
    public required string ClientId { get; set; }
    public required string DisplayName { get; set; }
    public List<string> Permissions { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public string? CreatedBy { get; set; }
}
