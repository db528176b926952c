using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Portal.Services;

namespace LmsPlatform.Portal.Security;

public sealed record MenuLink(string Title, string Href, string? Permission);

public sealed record MenuSection(string Title, IReadOnlyList<MenuLink> Links);

/// <summary>
/// The portal's menu, in one place: each link names the permission its page needs, so a learner sees the learner
/// pages, a training manager also the catalogue's management, an administrator everything; a department administrator
/// holds the administrator's permissions and sees their subtree's data in the same screens.
/// </summary>
public static class PortalMenu
{
    public static readonly IReadOnlyList<MenuSection> Sections =
    [
        new("Learning", [
            new("Home", "", null),
            new("Catalogue", "catalogue", Permissions.CatalogueRead),
            new("Profile", "profile", null),
            new("Notification settings", "settings/notifications", null),
            new("My team", "team", Permissions.TeamRead),
            new("Approvals", "approvals", Permissions.TeamRead),
        ]),
        new("Catalogue management", [
            new("Courses", "manage/courses", Permissions.CatalogueManage),
            new("Learning paths", "manage/paths", Permissions.CatalogueManage),
            new("Categories", "manage/categories", Permissions.CategoriesManage),
            new("Content", "manage/content", Permissions.ContentManage),
        ]),
        new("Assignments", [
            new("Audiences", "manage/audiences", Permissions.EnrolmentsRead),
            new("Certifications", "manage/certifications", Permissions.EnrolmentsRead),
            new("Enrolment imports", "manage/enrolment-imports", Permissions.EnrolmentsManage),
        ]),
        new("Reports", [
            new("Dashboard", "reports/dashboard", Permissions.ReportsRead),
            new("Completion and compliance", "reports/compliance", Permissions.ReportsRead),
            new("Certifications expiring", "reports/expiring", Permissions.ReportsRead),
            new("Course usage", "reports/usage", Permissions.ReportsRead),
            new("Learning over time", "reports/trend", Permissions.ReportsRead),
            new("Notification delivery", "reports/notifications", Permissions.ReportsRead),
            new("Provisioning health", "reports/provisioning", Permissions.ReportsRead),
            new("Scheduled reports", "reports/schedules", Permissions.ReportsRead),
            new("Prepared exports", "reports/exports", Permissions.ReportsRead),
        ]),
        new("Notifications", [
            new("Delivery log", "admin/notifications/deliveries", Permissions.NotificationsRead),
            new("Message templates", "admin/notifications/templates", Permissions.NotificationsManage),
            new("Reminders", "admin/notifications/reminders", Permissions.NotificationsManage),
        ]),
        new("Administration", [
            new("Users", "admin/users", Permissions.UsersRead),
            new("Organisation", "admin/org-units", Permissions.OrgUnitsRead),
            new("Roles", "admin/roles", Permissions.RolesRead),
            new("Imports", "admin/imports", Permissions.ImportsRun),
            new("Operations cockpit", "admin/operations", Permissions.OperationsManage),
            new("Checks", "admin/checks", Permissions.UsersRead),
            new("Audit log", "admin/audit", Permissions.AuditRead),
            new("Integration clients", "admin/clients", Permissions.ClientsManage),
            new("LRS credentials", "admin/lrs-clients", Permissions.ClientsManage),
        ]),
    ];

    public static IEnumerable<MenuSection> For(ClaimsPrincipal user) =>
        Sections.Select(s => s with { Links = [.. s.Links.Where(l => l.Permission is null || user.Can(l.Permission))] })
            .Where(s => s.Links.Count > 0);
}
