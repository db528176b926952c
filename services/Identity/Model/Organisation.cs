using LmsPlatform.Contracts.Identity;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Http;

namespace LmsPlatform.Identity.Model;

/// <summary>
/// A department or division in the organisation tree. <see cref="Path"/> is the materialised path of ids from the root
/// ("/a/b/c/"), so a subtree is one indexed prefix query and a move that would make a cycle is easy to see.
/// Changed only through its methods, which hold the org-unit rules for every door (admin API, SCIM, CSV import) and
/// record the events and audit entries that the save writes.
/// </summary>
public sealed class OrgUnit : Aggregate
{
    private OrgUnit() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    /// <summary>The HR system's key of the unit (CSV imports, SCIM groups).</summary>
    public string? ExternalId { get; private set; }
    public Guid? ParentId { get; private set; }
    public string Path { get; private set; } = "";
    public bool Active { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>PostgreSQL's xmin: the ETag and optimistic concurrency token.</summary>
    public uint Version { get; private set; }

    public string ETag => $"\"{Version}\"";

    public static string PathOf(OrgUnit? parent, Guid id) => (parent?.Path ?? "/") + id.ToString("N") + "/";

    public IReadOnlyList<Guid> PathIds() => Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();

    /// <summary>True when <paramref name="other"/> is this unit or below it.</summary>
    public bool Contains(OrgUnit other) => other.Path.StartsWith(Path, StringComparison.Ordinal);

    /// <summary>What the audit log records of a unit before and after a change.</summary>
    public OrgUnitState State() => new(Name, ExternalId, ParentId, PathIds(), Active);

    public static OrgUnit Create(Guid id, string name, string? externalId, OrgUnit? parent, Actor actor, DateTimeOffset now)
    {
        if (parent is { Active: false })
            throw DomainRuleException.Invalid("parentId", ActiveUnderInactive(parent.Name));
        var unit = new OrgUnit
        {
            Id = id, Name = name.Trim(), ExternalId = TextInput.Clean(externalId), ParentId = parent?.Id,
            Path = PathOf(parent, id), CreatedAt = now, UpdatedAt = now,
        };
        unit.Record(new OrgUnitCreated(unit.Id, unit.Name, unit.ExternalId, unit.ParentId, now));
        unit.Record(new Audited(actor, "orgunit.created", "orgunit", unit.Id, null, unit.State(), now));
        return unit;
    }

    /// <summary>Renames the unit or changes its external id.</summary>
    public void Rename(string name, string? externalId, Actor actor, DateTimeOffset now)
    {
        var before = State();
        var changed = new List<string>();
        if (Name != name.Trim()) { Name = name.Trim(); changed.Add("name"); }
        if (ExternalId != TextInput.Clean(externalId)) { ExternalId = TextInput.Clean(externalId); changed.Add("externalId"); }
        Changed(changed, before, "orgunit.updated", actor, now);
    }

    /// <summary>
    /// Moves the unit, with its whole subtree, under <paramref name="parent"/> (null: to the root). Refused when the
    /// parent is inside the unit (a cycle), or inactive while the unit is active. Every moved unit announces its new
    /// path: the unit itself and each of <paramref name="subtree"/>, which must hold every unit below it.
    /// </summary>
    public void MoveUnder(OrgUnit? parent, IReadOnlyCollection<OrgUnit> subtree, Actor actor, DateTimeOffset now)
    {
        if (parent?.Id == ParentId) return;
        if (parent is not null && Contains(parent))
            throw new DomainRuleException("parentId", $"'{parent.Name}' is inside '{Name}': moving it there would make a cycle.");
        if (parent is { Active: false } && Active)
            throw new DomainRuleException("parentId", ActiveUnderInactive(parent.Name));
        var before = State();
        var oldPath = Path;
        Path = PathOf(parent, Id);
        ParentId = parent?.Id;
        foreach (var below in subtree.Where(u => u.Id != Id))
        {
            if (!below.Path.StartsWith(oldPath, StringComparison.Ordinal))
                throw new InvalidOperationException($"Org unit {below.Id} is not below {Id}.");
            below.Path = Path + below.Path[oldPath.Length..];
            below.UpdatedAt = now;
            below.Record(below.ChangedEvent(["path"], now));
        }
        Changed(["parentId"], before, "orgunit.moved", actor, now);
    }

    /// <summary>Refused while active units are below it or active users belong to it: they would be left in a closed unit.</summary>
    public void Deactivate(bool hasActiveSubUnits, bool hasActiveMembers, Actor actor, DateTimeOffset now)
    {
        if (!Active) return;
        if (CannotDeactivate(hasActiveSubUnits, hasActiveMembers) is { } refusal) throw new DomainRuleException("active", refusal);
        var before = State();
        Active = false;
        Changed(["active"], before, "orgunit.deactivated", actor, now);
    }

    /// <summary>Refused while the parent is inactive: reactivate from the top down.</summary>
    public void Reactivate(OrgUnit? parent, Actor actor, DateTimeOffset now)
    {
        if (Active) return;
        if (parent is { Active: false }) throw new DomainRuleException("active", $"The parent org unit '{parent.Name}' is inactive; reactivate it first.");
        var before = State();
        Active = true;
        Changed(["active"], before, "orgunit.reactivated", actor, now);
    }

    /// <summary>The deactivation rule, for planners that check a whole file before anything is changed; null when allowed.</summary>
    public static string? CannotDeactivate(bool hasActiveSubUnits, bool hasActiveMembers) =>
        hasActiveSubUnits ? "The org unit has active units below it; move or deactivate them first."
        : hasActiveMembers ? "Active users belong to the org unit; move them first."
        : null;

    public static string ActiveUnderInactive(string parentName) =>
        $"The parent org unit '{parentName}' is inactive; an active unit cannot be placed under it.";

    private void Changed(IReadOnlyList<string> changed, OrgUnitState before, string action, Actor actor, DateTimeOffset now)
    {
        if (changed.Count == 0) return;
        UpdatedAt = now;
        Record(ChangedEvent(changed, now));
        Record(new Audited(actor, action, "orgunit", Id, before, State(), now));
    }

    private OrgUnitChanged ChangedEvent(IReadOnlyList<string> changed, DateTimeOffset now) =>
        new(Id, changed, Name, ParentId, PathIds(), Active, now);
}

public sealed record OrgUnitState(string Name, string? ExternalId, Guid? ParentId, IReadOnlyList<Guid> Path, bool Active);

/// <summary>
/// A change to record in the audit log, recorded by an aggregate with its integration event and written by the same
/// save (<see cref="Infrastructure.IdentityDbContext"/> is the sink).
/// </summary>
public sealed record Audited(Actor Actor, string Action, string EntityType, Guid EntityId, object? Before, object? After, DateTimeOffset At);

/// <summary>A role granted to a user, for the whole organisation or (when <see cref="ScopeOrgUnitId"/> is set) for one subtree.</summary>
public sealed class RoleAssignment : Aggregate
{
    private RoleAssignment() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public string Role { get; private set; } = "";
    public Guid? ScopeOrgUnitId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public string? CreatedBy { get; private set; }

    /// <summary>Grants <paramref name="role"/> (a canonical role name other than Learner, which every user is).</summary>
    public static RoleAssignment Grant(Guid userId, string role, Guid? scopeOrgUnitId, Actor actor, DateTimeOffset now)
    {
        if (Roles.Canonical(role) is not { } canonical) throw DomainRuleException.Invalid("role", $"must be one of {string.Join(", ", Roles.All)}");
        if (canonical == Roles.Learner) throw DomainRuleException.Invalid("role", "every user is a Learner already");
        var assignment = new RoleAssignment
        {
            Id = Guid.CreateVersion7(now), UserId = userId, Role = canonical, ScopeOrgUnitId = scopeOrgUnitId, CreatedAt = now, CreatedBy = actor.Name,
        };
        assignment.Record(new Audited(actor, "role.granted", "user", userId, null, assignment.State(), now));
        assignment.Record(new RoleAssignmentChanged(assignment.Id, userId, canonical, scopeOrgUnitId, Granted: true, now));
        return assignment;
    }

    /// <summary>Records the revocation; the caller removes the row. The last organisation-wide administrator stays.</summary>
    public void Revoke(int organisationWideAdministrators, Actor actor, DateTimeOffset now)
    {
        if (IsOrganisationWideAdministrator && organisationWideAdministrators <= 1)
            throw new DomainRuleException("role", "This is the last organisation-wide administrator; grant the role to someone else first.");
        Record(new Audited(actor, "role.revoked", "user", UserId, State(), null, now));
        Record(new RoleAssignmentChanged(Id, UserId, Role, ScopeOrgUnitId, Granted: false, now));
    }

    public bool IsOrganisationWideAdministrator => Role == Roles.Administrator && ScopeOrgUnitId is null;

    public object State() => new { Id, UserId, Role, ScopeOrgUnitId, CreatedAt, CreatedBy, Permissions = Roles.PermissionsOf(Role) };
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

/// <summary>A single-use, expiring password token (a reset, or an invitation to set one); only its SHA-256 hash is kept.</summary>
public sealed class PasswordResetTicket
{
    public const string Reset = "reset", Invitation = "invitation";

    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Purpose { get; set; } = Reset;
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
