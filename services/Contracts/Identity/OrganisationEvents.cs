namespace LmsPlatform.Contracts.Identity;

public sealed record OrgUnitCreated(Guid OrgUnitId, string Name, string? ExternalId, Guid? ParentId, DateTimeOffset CreatedAt) : IIntegrationEvent;

/// <summary>An org unit was renamed, moved or (de)activated. <see cref="Path"/> lists its ancestors' ids, root first, then its own.</summary>
public sealed record OrgUnitChanged(Guid OrgUnitId, IReadOnlyList<string> Changed, string Name, Guid? ParentId, IReadOnlyList<Guid> Path, bool Active, DateTimeOffset ChangedAt) : IIntegrationEvent;

/// <summary>A role was granted (<see cref="Granted"/> true) or revoked, optionally scoped to an org unit subtree.</summary>
public sealed record RoleAssignmentChanged(Guid AssignmentId, Guid UserId, string Role, Guid? ScopeOrgUnitId, bool Granted, DateTimeOffset ChangedAt) : IIntegrationEvent;
