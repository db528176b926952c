namespace LmsPlatform.Contracts.Identity;

public sealed record OrgUnitCreated(Guid OrgUnitId, string Name, string? ExternalId, Guid? ParentId, DateTimeOffset CreatedAt) : IIntegrationEvent;

/// <summary>An org unit was renamed, moved or (de)activated. <see cref="Path"/> lists its ancestors' ids, root first, then its own.</summary>
public sealed record OrgUnitChanged(Guid OrgUnitId, IReadOnlyList<string> Changed, string Name, Guid? ParentId, IReadOnlyList<Guid> Path, bool Active, DateTimeOffset ChangedAt) : IIntegrationEvent;

/// <summary>A role was granted (<see cref="Granted"/> true) or revoked, optionally scoped to an org unit subtree.</summary>
public sealed record RoleAssignmentChanged(Guid AssignmentId, Guid UserId, string Role, Guid? ScopeOrgUnitId, bool Granted, DateTimeOffset ChangedAt) : IIntegrationEvent;

/// <summary>One org unit as a replay sends it: as it is now.</summary>
public sealed record ReplayedOrgUnit(Guid OrgUnitId, string Name, Guid? ParentId, bool Active);

/// <summary>A page of the org unit tree sent again for a replay, in id order.</summary>
public sealed record OrgUnitsReplayed(Guid ReplayId, int Page, IReadOnlyList<ReplayedOrgUnit> Units, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.OrgUnits;
    int IReplayPage.Count => Units.Count;
}

/// <summary>A page of the roles held sent again for a replay: each assignment as its grant announced it.</summary>
public sealed record RolesReplayed(Guid ReplayId, int Page, IReadOnlyList<RoleAssignmentChanged> Roles, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Roles;
    int IReplayPage.Count => Roles.Count;
}
