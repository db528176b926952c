using LmsPlatform.Contracts.Security;
using LmsPlatform.Portal.Services;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Portal.Security;

/// <summary>
/// A page says which permission it needs as its policy (<c>[Authorize(Policy = Permissions.UsersRead)]</c>); the policy
/// is "signed in and holding that permission". The APIs check the same permission again: the portal's check only keeps
/// people away from screens they could not use.
/// </summary>
public sealed class PermissionPolicies(IOptions<AuthorizationOptions> options) : DefaultAuthorizationPolicyProvider(options)
{
    public override async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName) =>
        Permissions.All.Contains(policyName)
            ? new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(PortalClaims.Permission, policyName).Build()
            : await base.GetPolicyAsync(policyName);
}

/// <summary>Words a person understands for each permission, for the 403 page and the menus.</summary>
public static class PermissionNames
{
    public static string Describe(string permission) => permission switch
    {
        Permissions.UsersRead => "see people (users.read)",
        Permissions.UsersWrite => "change people (users.write)",
        Permissions.UsersErase => "erase people's personal data (users.erase)",
        Permissions.OrgUnitsRead => "see the organisation (orgunits.read)",
        Permissions.OrgUnitsWrite => "change the organisation (orgunits.write)",
        Permissions.RolesRead => "see role assignments (roles.read)",
        Permissions.RolesAssign => "assign roles (roles.assign)",
        Permissions.ImportsRun => "run imports (imports.run)",
        Permissions.AuditRead => "read the audit log (audit.read)",
        Permissions.ClientsManage => "manage integration clients (clients.manage)",
        Permissions.CatalogueRead => "browse the catalogue (catalogue.read)",
        Permissions.CatalogueManage => "manage courses and paths (catalogue.manage)",
        Permissions.CategoriesManage => "manage categories (categories.manage)",
        Permissions.EnrolmentsRead => "see enrolments (enrolments.read)",
        Permissions.EnrolmentsManage => "enrol people (enrolments.manage)",
        Permissions.CompletionsRecord => "record completions (completions.record)",
        Permissions.TeamRead => "see your team's learning (team.read)",
        Permissions.ContentRead => "open learning content (content.read)",
        Permissions.ContentManage => "manage learning content and packages (content.manage)",
        Permissions.NotificationsRead => "see the email delivery log (notifications.read)",
        Permissions.NotificationsManage => "manage messages, templates and reminders (notifications.manage)",
        Permissions.ReportsRead => "read reports (reports.read)",
        Permissions.ReportsManage => "manage reports (reports.manage)",
        Permissions.OperationsManage => "run the platform's operations (operations.manage)",
        _ => $"{permission} ({permission})",
    };
}
