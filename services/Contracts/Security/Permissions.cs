using System.Collections.Frozen;

namespace LmsPlatform.Contracts.Security;

/// <summary>
/// The named permissions every endpoint checks. Code asks "may the caller do X" (a permission), never "is the caller
/// role Y": which roles carry which permissions is decided once, in <see cref="Roles"/>.
/// </summary>
public static class Permissions
{
    public const string UsersRead = "users.read";
    public const string UsersWrite = "users.write";
    public const string UsersErase = "users.erase";
    public const string OrgUnitsRead = "orgunits.read";
    public const string OrgUnitsWrite = "orgunits.write";
    public const string RolesRead = "roles.read";
    public const string RolesAssign = "roles.assign";
    public const string ImportsRun = "imports.run";
    public const string AuditRead = "audit.read";
    public const string ClientsManage = "clients.manage";
    public const string ScimProvision = "scim.provision";

    public const string CatalogueRead = "catalogue.read";
    public const string CatalogueManage = "catalogue.manage";
    /// <summary>Shape the category tree, which every course and path is filed under.</summary>
    public const string CategoriesManage = "categories.manage";
    public const string EnrolmentsRead = "enrolments.read";
    public const string EnrolmentsManage = "enrolments.manage";
    /// <summary>Record a completion by hand (a session held, a migrated record): instructors, training managers, administrators.</summary>
    public const string CompletionsRecord = "completions.record";
    public const string ContentRead = "content.read";
    public const string ContentManage = "content.manage";
    public const string NotificationsRead = "notifications.read";
    public const string NotificationsManage = "notifications.manage";
    public const string ReportsRead = "reports.read";
    public const string ReportsManage = "reports.manage";
    public const string TeamRead = "team.read";
    /// <summary>Run the platform: failed messages (inspect, re-queue, discard).</summary>
    public const string OperationsManage = "operations.manage";

    public static readonly IReadOnlyList<string> All =
    [
        UsersRead, UsersWrite, UsersErase, OrgUnitsRead, OrgUnitsWrite, RolesRead, RolesAssign, ImportsRun, AuditRead,
        ClientsManage, ScimProvision, CatalogueRead, CatalogueManage, CategoriesManage, EnrolmentsRead, EnrolmentsManage, CompletionsRecord, ContentRead,
        ContentManage, NotificationsRead, NotificationsManage, ReportsRead, ReportsManage, TeamRead, OperationsManage,
    ];
}

/// <summary>The platform's roles and the permissions each carries.</summary>
public static class Roles
{
    public const string Administrator = "Administrator";
    public const string TrainingManager = "TrainingManager";
    public const string Instructor = "Instructor";
    public const string Manager = "Manager";
    public const string Learner = "Learner";

    private static readonly FrozenDictionary<string, FrozenSet<string>> Grants = new Dictionary<string, FrozenSet<string>>
    {
        [Administrator] = Permissions.All.Where(p => p != Permissions.ScimProvision).ToFrozenSet(),
        [TrainingManager] = new[]
        {
            Permissions.UsersRead, Permissions.OrgUnitsRead, Permissions.CatalogueRead, Permissions.CatalogueManage,
            Permissions.EnrolmentsRead, Permissions.EnrolmentsManage, Permissions.CompletionsRecord, Permissions.ContentRead, Permissions.ContentManage,
            Permissions.ReportsRead, Permissions.NotificationsManage, Permissions.TeamRead,
        }.ToFrozenSet(),
        [Instructor] = new[]
        {
            Permissions.CatalogueRead, Permissions.EnrolmentsRead, Permissions.CompletionsRecord, Permissions.ContentRead, Permissions.ReportsRead,
        }.ToFrozenSet(),
        [Manager] = new[]
        {
            Permissions.CatalogueRead, Permissions.ContentRead, Permissions.TeamRead, Permissions.ReportsRead,
        }.ToFrozenSet(),
        [Learner] = new[] { Permissions.CatalogueRead, Permissions.ContentRead }.ToFrozenSet(),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All { get; } = Grants.Keys;

    public static bool Exists(string role) => Grants.ContainsKey(role);

    public static IReadOnlySet<string> PermissionsOf(string role) => Grants.TryGetValue(role, out var set) ? set : FrozenSet<string>.Empty;

    /// <summary>
    /// The permissions a role carries when it is granted for an org unit subtree ("Administrator of Sales EMEA"):
    /// only those whose every use the services confine to the subtree (users and their checks, the reading of the tree
    /// and of roles) or to what the person owns (the catalogue). The rest (imports, the audit log, granting roles,
    /// integration clients, shaping the org tree or the categories, enrolments until that service scopes them) need
    /// the role organisation-wide. Reading reports is scoped: analytics reports on the subtree's people only. Tokens carry only these, so menus and endpoints agree.
    /// </summary>
    public static readonly FrozenSet<string> Scopable = new[]
    {
        Permissions.UsersRead, Permissions.UsersWrite, Permissions.UsersErase, Permissions.OrgUnitsRead, Permissions.RolesRead,
        Permissions.TeamRead, Permissions.CatalogueRead, Permissions.CatalogueManage, Permissions.ContentRead, Permissions.ReportsRead,
    }.ToFrozenSet();

    /// <summary>What the role carries for a subtree: its permissions that <see cref="Scopable"/> allows.</summary>
    public static IEnumerable<string> ScopedPermissionsOf(string role) => PermissionsOf(role).Where(Scopable.Contains);

    /// <summary>The role's exact spelling for a case-insensitive name, or null.</summary>
    public static string? Canonical(string? role) =>
        role is null ? null : Grants.Keys.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Claim types, scopes and the audience of the platform's access tokens.</summary>
public static class LmsClaims
{
    public const string Permission = "permission";
    public const string Role = "role";
    public const string OrgUnit = "org_unit";
    /// <summary>A role limited to an org unit subtree: <c>Role:orgUnitId</c>.</summary>
    public const string ScopedRole = "scoped_role";

    /// <summary>The audience (resource) of every access token the platform's APIs accept.</summary>
    public const string Audience = "lms-api";

    public const string ApiScope = "lms_api";
    public const string ScimScope = "scim";
}
