using System.Net;
using System.Net.Http.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;

namespace LmsPlatform.IntegrationTests.Identity;

/// <summary>
/// Every protected endpoint × every role and anonymous, through the gateway: anonymous gets 401, a role without the
/// endpoint's permission gets 403, a role with it gets past authorisation (200, 201, 400 or 404 by the input).
/// </summary>
public class AuthorizationMatrixTests(PlatformFixture platform)
{
    private static readonly string Missing = Guid.NewGuid().ToString();

    /// <summary>Method, path, the permission it needs (null: any signed-in user), and a body for writes.</summary>
    public static readonly (string Method, string Path, string? Permission)[] Endpoints =
    [
        ("GET", "/api/identity/users", Permissions.UsersRead),
        ("POST", "/api/identity/users", Permissions.UsersWrite),
        ("GET", $"/api/identity/users/{Missing}", Permissions.UsersRead),
        ("PUT", $"/api/identity/users/{Missing}", Permissions.UsersWrite),
        ("POST", $"/api/identity/users/{Missing}/deactivate", Permissions.UsersWrite),
        ("POST", $"/api/identity/users/{Missing}/erase", Permissions.UsersErase),
        ("POST", $"/api/identity/users/{Missing}/reactivate", Permissions.UsersWrite),
        ("GET", $"/api/identity/users/{Missing}/reports", Permissions.UsersRead),
        ("POST", $"/api/identity/users/{Missing}/invitation", Permissions.UsersWrite),
        ("POST", "/api/identity/invitations", Permissions.UsersWrite),
        ("GET", "/api/identity/org-units", Permissions.OrgUnitsRead),
        ("POST", "/api/identity/org-units", Permissions.OrgUnitsWrite),
        ("GET", $"/api/identity/org-units/{Missing}", Permissions.OrgUnitsRead),
        ("PUT", $"/api/identity/org-units/{Missing}", Permissions.OrgUnitsWrite),
        ("POST", $"/api/identity/org-units/{Missing}/deactivate", Permissions.OrgUnitsWrite),
        ("POST", $"/api/identity/org-units/{Missing}/reactivate", Permissions.OrgUnitsWrite),
        ("GET", "/api/identity/roles", Permissions.RolesRead),
        ("GET", "/api/identity/role-assignments", Permissions.RolesRead),
        ("POST", "/api/identity/role-assignments", Permissions.RolesAssign),
        ("DELETE", $"/api/identity/role-assignments/{Missing}", Permissions.RolesAssign),
        ("GET", "/api/identity/audit", Permissions.AuditRead),
        ("GET", "/api/identity/audit/export", Permissions.AuditRead),
        ("GET", "/api/identity/imports", Permissions.ImportsRun),
        ("POST", "/api/identity/imports", Permissions.ImportsRun),
        ("GET", "/api/identity/clients", Permissions.ClientsManage),
        ("POST", "/api/identity/clients", Permissions.ClientsManage),
        ("GET", "/api/identity/checks/inactive", Permissions.UsersRead),
        ("GET", "/api/identity/checks/duplicates", Permissions.UsersRead),
        ("GET", "/api/identity/checks/unassigned", Permissions.UsersRead),
        ("GET", "/api/identity/me", null),
        ("POST", "/api/identity/me/sign-out-everywhere", null),
        ("GET", "/api/identity/me/team", Permissions.TeamRead),
        ("GET", "/api/catalogue/courses", Permissions.CatalogueManage),
        ("POST", "/api/catalogue/courses", Permissions.CatalogueManage),
        ("GET", $"/api/catalogue/courses/{Missing}", Permissions.CatalogueRead),
        ("GET", $"/api/catalogue/courses/{Missing}/versions", Permissions.CatalogueManage),
        ("GET", $"/api/catalogue/courses/{Missing}/versions/1", Permissions.CatalogueRead),
        ("GET", $"/api/catalogue/courses/{Missing}/draft", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/courses/{Missing}/draft", Permissions.CatalogueManage),
        ("PUT", $"/api/catalogue/courses/{Missing}/draft", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/courses/{Missing}/publish", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/courses/{Missing}/archive", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/courses/{Missing}/replace", Permissions.CatalogueManage),
        ("PUT", $"/api/catalogue/courses/{Missing}/prerequisites", Permissions.CatalogueManage),
        ("GET", "/api/catalogue/paths", Permissions.CatalogueManage),
        ("POST", "/api/catalogue/paths", Permissions.CatalogueManage),
        ("GET", $"/api/catalogue/paths/{Missing}", Permissions.CatalogueRead),
        ("GET", $"/api/catalogue/paths/{Missing}/versions", Permissions.CatalogueManage),
        ("GET", $"/api/catalogue/paths/{Missing}/versions/1", Permissions.CatalogueRead),
        ("GET", $"/api/catalogue/paths/{Missing}/draft", Permissions.CatalogueManage),
        ("PUT", $"/api/catalogue/paths/{Missing}/draft", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/paths/{Missing}/publish", Permissions.CatalogueManage),
        ("POST", $"/api/catalogue/paths/{Missing}/archive", Permissions.CatalogueManage),
        ("PUT", $"/api/catalogue/paths/{Missing}/prerequisites", Permissions.CatalogueManage),
        ("GET", "/api/catalogue/categories", Permissions.CatalogueRead),
        ("POST", "/api/catalogue/categories", Permissions.CategoriesManage),
        ("PUT", $"/api/catalogue/categories/{Missing}", Permissions.CategoriesManage),
        ("DELETE", $"/api/catalogue/categories/{Missing}", Permissions.CategoriesManage),
        ("GET", "/api/catalogue/search?q=safety", Permissions.CatalogueRead),
        ("GET", "/api/enrolment/enrolments", Permissions.EnrolmentsRead),
        ("POST", "/api/enrolment/enrolments", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/enrolments/{Missing}", Permissions.EnrolmentsRead),
        ("POST", "/api/enrolment/enrolments/batch", Permissions.EnrolmentsManage),
        ("GET", "/api/enrolment/me", null),
        ("GET", $"/api/enrolment/enrolments/{Missing}/ledger", Permissions.EnrolmentsRead),
        ("POST", $"/api/enrolment/enrolments/{Missing}/complete", Permissions.CompletionsRecord),
        ("POST", $"/api/enrolment/enrolments/{Missing}/due-date", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/enrolments/{Missing}/waive", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/enrolments/{Missing}/reset", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/enrolments/{Missing}/suspend", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/enrolments/{Missing}/resume", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/enrolments/{Missing}/withdraw", Permissions.EnrolmentsManage),
        ("GET", "/api/enrolment/audiences", Permissions.EnrolmentsRead),
        ("POST", "/api/enrolment/audiences", Permissions.EnrolmentsManage),
        ("POST", "/api/enrolment/audiences/preview", Permissions.EnrolmentsManage),
        ("GET", "/api/enrolment/audiences/reconciliations", Permissions.EnrolmentsRead),
        ("POST", "/api/enrolment/audiences/reconciliations", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/audiences/{Missing}", Permissions.EnrolmentsRead),
        ("PUT", $"/api/enrolment/audiences/{Missing}", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/audiences/{Missing}/publish", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/audiences/{Missing}/pause", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/audiences/{Missing}/resume", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/audiences/{Missing}/members", Permissions.EnrolmentsRead),
        ("GET", $"/api/enrolment/audiences/{Missing}/history", Permissions.EnrolmentsRead),
        ("GET", $"/api/enrolment/audiences/{Missing}/people/{Missing}", Permissions.EnrolmentsRead),
        ("GET", "/api/enrolment/me/certificates", null),
        ("GET", "/api/enrolment/me/certifications", null),
        ("GET", "/api/enrolment/certificates", Permissions.EnrolmentsRead),
        // A certificate's PDF and credential are its holder's (or a reader's): to anyone else it does not exist (404).
        ("GET", $"/api/enrolment/certificates/{Missing}/pdf", null),
        ("GET", $"/api/enrolment/certificates/{Missing}/credential", null),
        ("GET", "/api/enrolment/certifications", Permissions.EnrolmentsRead),
        ("GET", "/api/enrolment/team", Permissions.TeamRead),
        ("GET", $"/api/enrolment/team/{Missing}/enrolments", Permissions.TeamRead),
        ("GET", $"/api/enrolment/certifications/{Missing}", Permissions.EnrolmentsRead),
        ("POST", $"/api/enrolment/courses/{Missing}/migrations", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/paths/{Missing}/enrolments", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/paths/{Missing}/enrolments", Permissions.EnrolmentsRead),
        ("GET", "/api/enrolment/me/paths", null),
        ("GET", $"/api/enrolment/learners/{Missing}/enrolments", Permissions.EnrolmentsRead),
        ("GET", $"/api/enrolment/learners/{Missing}/paths", Permissions.EnrolmentsRead),
        ("POST", "/api/enrolment/imports", Permissions.EnrolmentsManage),
        ("GET", "/api/enrolment/imports", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/imports/{Missing}", Permissions.EnrolmentsManage),
        ("POST", $"/api/enrolment/imports/{Missing}/apply", Permissions.EnrolmentsManage),
        ("GET", $"/api/enrolment/imports/{Missing}/errors", Permissions.EnrolmentsManage),
        // Signed in: whose request it is, or whose manager they are, is the request's rule (404 otherwise).
        ("GET", $"/api/enrolment/me/courses/{Missing}", null),
        ("POST", $"/api/enrolment/me/courses/{Missing}/enrol", null),
        ("GET", $"/api/enrolment/me/paths/{Missing}", null),
        ("POST", $"/api/enrolment/me/paths/{Missing}/enrol", null),
        ("GET", "/api/enrolment/me/requests", null),
        ("POST", $"/api/enrolment/me/requests/{Missing}/cancel", null),
        ("GET", "/api/enrolment/approvals", null),
        ("GET", $"/api/enrolment/approvals/{Missing}", null),
        ("POST", $"/api/enrolment/approvals/{Missing}/approve", null),
        ("POST", $"/api/enrolment/approvals/{Missing}/decline", null),
        ("GET", "/api/content/items", Permissions.ContentRead),
        ("POST", "/api/content/items", Permissions.ContentManage),
        ("GET", "/api/content/packages", Permissions.ContentRead),
        ("GET", $"/api/content/packages/{Missing}", Permissions.ContentRead),
        ("POST", "/api/content/packages", Permissions.ContentManage),
        ("POST", "/api/content/packages/from-url", Permissions.ContentManage),
        ("POST", "/api/content/launches", Permissions.ContentRead),
        ("POST", "/api/content/files", Permissions.ContentManage),
        ("POST", "/api/content/uploads", Permissions.ContentManage),
        ("GET", $"/api/content/uploads/{Missing}", Permissions.ContentManage),
        ("PUT", $"/api/content/uploads/{Missing}", Permissions.ContentManage),
        ("POST", $"/api/content/uploads/{Missing}/complete", Permissions.ContentManage),
        ("POST", $"/api/content/packages/{Missing}/preview", Permissions.ContentManage),
        ("GET", "/api/content/attempts", Permissions.ContentRead),
        ("GET", "/api/content/launch-problems", Permissions.ContentManage),
        ("GET", "/api/content/xapi-clients", Permissions.ClientsManage),
        ("POST", "/api/content/xapi-clients", Permissions.ClientsManage),
        ("POST", $"/api/content/xapi-clients/{Missing}/revoke", Permissions.ClientsManage),
        ("POST", $"/api/content/cmi5/registrations/{Missing}/waivers", Permissions.EnrolmentsManage),
        // The LRS: any signed-in person with their token (or a client with Basic credentials); anonymous gets 401.
        ("GET", "/xapi/statements", null),
        ("POST", "/xapi/statements", null),
        ("PUT", "/xapi/statements", null),
        ("GET", "/xapi/activities/state", null),
        ("PUT", "/xapi/activities/profile", null),
        ("GET", "/xapi/agents/profile", null),
        ("GET", "/xapi/activities", null),
        ("GET", "/xapi/agents", null),
        ("GET", "/api/notification/notifications", Permissions.NotificationsRead),
        ("POST", "/api/notification/notifications", Permissions.NotificationsManage),
        // Each person's own inbox and preferences: any signed-in person.
        ("GET", "/api/notification/inbox", null),
        ("GET", "/api/notification/inbox/unread", null),
        ("POST", $"/api/notification/inbox/{Missing}/read", null),
        ("POST", "/api/notification/inbox/read-all", null),
        ("GET", "/api/notification/preferences", null),
        ("PUT", "/api/notification/preferences", null),
        ("GET", "/api/notification/templates", Permissions.NotificationsManage),
        ("GET", "/api/notification/templates/enrolment-assigned", Permissions.NotificationsManage),
        ("PUT", "/api/notification/templates/enrolment-assigned", Permissions.NotificationsManage),
        ("POST", "/api/notification/templates/enrolment-assigned/preview", Permissions.NotificationsManage),
        ("POST", "/api/notification/templates/enrolment-assigned/test", Permissions.NotificationsManage),
        ("GET", "/api/notification/deliveries", Permissions.NotificationsRead),
        ("GET", "/api/notification/deliveries/summary", Permissions.NotificationsRead),
        ("GET", $"/api/notification/deliveries/{Missing}", Permissions.NotificationsRead),
        ("POST", $"/api/notification/deliveries/{Missing}/retry", Permissions.NotificationsManage),
        ("POST", "/api/notification/deliveries/retry", Permissions.NotificationsManage),
        ("GET", "/api/notification/reminder-policy", Permissions.NotificationsManage),
        ("PUT", "/api/notification/reminder-policy", Permissions.NotificationsManage),
        ("GET", "/api/notification/reminder-policy/courses", Permissions.NotificationsManage),
        ("GET", $"/api/notification/reminder-policy/courses/{Missing}", Permissions.NotificationsManage),
        ("PUT", $"/api/notification/reminder-policy/courses/{Missing}", Permissions.NotificationsManage),
        ("DELETE", $"/api/notification/reminder-policy/courses/{Missing}", Permissions.NotificationsManage),
        ("GET", "/api/analytics/summary", Permissions.ReportsRead),
        ("POST", "/api/analytics/reports", Permissions.ReportsManage),
        ("GET", "/api/analytics/metrics", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/completion", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/overdue", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/compliance", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/completion/export", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/compliance/export", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/overdue/export", Permissions.ReportsRead),
        // Operations: each service's failed messages.
        ("GET", "/api/identity/operations/failed-messages", Permissions.OperationsManage),
        ("GET", "/api/catalogue/operations/failed-messages", Permissions.OperationsManage),
        ("GET", "/api/enrolment/operations/failed-messages", Permissions.OperationsManage),
        ("POST", $"/api/enrolment/operations/failed-messages/{Missing}/requeue", Permissions.OperationsManage),
        ("DELETE", $"/api/enrolment/operations/failed-messages/{Missing}", Permissions.OperationsManage),
        ("GET", "/api/content/operations/failed-messages", Permissions.OperationsManage),
        ("GET", "/api/notification/operations/failed-messages", Permissions.OperationsManage),
        ("POST", $"/api/notification/operations/failed-messages/{Missing}/requeue", Permissions.OperationsManage),
        ("GET", "/api/analytics/operations/failed-messages", Permissions.OperationsManage),
        ("POST", "/api/analytics/operations/rebuilds", Permissions.OperationsManage),
        ("GET", "/api/analytics/operations/rebuilds", Permissions.OperationsManage),
        ("GET", "/api/analytics/operations/checks", Permissions.OperationsManage),
        ("GET", $"/api/analytics/operations/rebuilds/{Missing}", Permissions.OperationsManage),
        ("POST", $"/api/analytics/operations/rebuilds/{Missing}/abandon", Permissions.OperationsManage),
        ("GET", "/api/analytics/reports/compliance/audit-pack", Permissions.ReportsRead),
        ("GET", "/api/analytics/dashboard", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/notifications", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/certifications/expiring", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/certifications/expiring/export", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/usage", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/usage/export", Permissions.ReportsRead),
        ("POST", "/api/analytics/exports", Permissions.ReportsRead),
        ("GET", "/api/analytics/exports", Permissions.ReportsRead),
        ("GET", $"/api/analytics/exports/{Missing}", Permissions.ReportsRead),
        ("GET", $"/api/analytics/exports/{Missing}/file", Permissions.ReportsRead),
        ("GET", "/api/analytics/report-schedules", Permissions.ReportsRead),
        ("POST", "/api/analytics/report-schedules", Permissions.ReportsRead),
        ("POST", $"/api/analytics/report-schedules/{Missing}/send", Permissions.ReportsRead),
        ("DELETE", $"/api/analytics/report-schedules/{Missing}", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/trend", Permissions.ReportsRead),
        ("GET", $"/api/analytics/reports/transcript/{Missing}", Permissions.ReportsRead),
        ("GET", $"/api/analytics/reports/transcript/{Missing}/export", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/provisioning", Permissions.ReportsRead),
        ("GET", "/api/analytics/reports/provisioning/export", Permissions.ReportsRead),
    ];

    [Fact]
    public async Task Every_endpoint_answers_every_role_as_its_permission_says()
    {
        var people = new Dictionary<string, string?> { ["anonymous"] = null, [Roles.Administrator] = platform.AdminToken };
        foreach (var role in new[] { Roles.Learner, Roles.Manager, Roles.Instructor, Roles.TrainingManager })
        {
            var (_, _, tokens) = await People.CreateSignedInAsync(platform.App, platform.Gateway, role.ToLowerInvariant(),
                role == Roles.Learner ? [] : [role]);
            people[role] = tokens.AccessToken;
        }

        var failures = new List<string>();
        foreach (var (who, token) in people)
        {
            using var client = token is null ? platform.App.CreateHttpClient(ResourceNames.Gateway) : Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), token);
            foreach (var (method, path, permission) in Endpoints)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT") request.Content = JsonContent.Create(new { });
                using var response = await client.SendAsync(request);
                // Every signed-in user is a Learner as well as their other role.
                var allowed = token is not null && (permission is null || Roles.PermissionsOf(who).Contains(permission) || Roles.PermissionsOf(Roles.Learner).Contains(permission));
                var status = response.StatusCode;
                var ok = token is null ? status == HttpStatusCode.Unauthorized
                    : allowed ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)status < 500
                    : status == HttpStatusCode.Forbidden;
                if (!ok) failures.Add($"{who} {method} {path}: {(int)status} (expected {(token is null ? "401" : allowed ? "allowed" : "403")})");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
