using System.Text.Json.Nodes;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Scim;

/// <summary>
/// A user's SCIM attributes while a request changes them: set from a POST/PUT body attribute by attribute, or by
/// PATCH paths (including "name.givenName", "emails[type eq \"work\"].value" and the enterprise extension's
/// "urn:…:enterprise:2.0:User:manager"). Unknown attributes are ignored, as identity providers send many.
/// </summary>
internal sealed class ScimUserState
{
    private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    public string? UserName { get; set; }
    /// <summary>The work email; when the provider sends none, a userName that is an email address serves as one.</summary>
    public string? Email { get; set; }
    public string? GivenName { get; set; }
    public string? FamilyName { get; set; }
    public string? JobTitle { get; set; }
    public string? Location { get; set; }
    public string? EmployeeNumber { get; set; }
    public string? ScimExternalId { get; set; }
    public Guid? ManagerId { get; set; }
    public Guid? OrgUnitId { get; set; }
    public DateOnly? HireDate { get; set; }
    public bool? Active { get; set; }
    /// <summary>The enterprise department as the provider sent it, kept even when it names no org unit.</summary>
    public string? Department { get; set; }

    public static ScimUserState From(User u, IReadOnlyDictionary<Guid, string> departments) => new()
    {
        UserName = u.UserName, Email = u.Email, GivenName = u.GivenName, FamilyName = u.FamilyName, JobTitle = u.JobTitle, Location = u.Location,
        EmployeeNumber = u.ExternalId, ScimExternalId = u.ScimExternalId, ManagerId = u.ManagerId, OrgUnitId = u.OrgUnitId,
        HireDate = u.HireDate, Active = u.Status == UserStatus.Active, Department = u.Department,
    };

    /// <summary>What SCIM keeps on the user beyond the HR attributes: its own external id and the department's text.</summary>
    public void ApplyScimAttributes(User user)
    {
        user.ScimExternalId = ScimExternalId;
        user.Department = Department;
    }

    public UserInput ToInput() => new(Email ?? (IsEmail(UserName) ? UserName : null), GivenName, FamilyName, EmployeeNumber, JobTitle, Location,
        HireDate, ManagerId, OrgUnitId, UserName ?? "");

    private static bool IsEmail(string? text) =>
        text is not null && System.Net.Mail.MailAddress.TryCreate(text, out var address) && address.Address == text.Trim();

    public async Task SetAsync(string path, JsonNode? value, IdentityDbContext db, CancellationToken ct)
    {
        var p = path.Trim();
        if (p.StartsWith(Enterprise, StringComparison.OrdinalIgnoreCase))
        {
            var rest = p[Enterprise.Length..].TrimStart(':', '.');
            if (rest.Length == 0)
            {
                if (value is JsonObject extension)
                    foreach (var (name, v) in extension) await SetEnterpriseAsync(name, v, db, ct);
                else if (value is null) { EmployeeNumber = null; ManagerId = null; OrgUnitId = null; }
                return;
            }
            await SetEnterpriseAsync(rest, value, db, ct);
            return;
        }
        switch (p.ToLowerInvariant())
        {
            case "username": UserName = Text(value); break;
            case "externalid": ScimExternalId = Text(value); break;
            case "title": JobTitle = Text(value); break;
            case "active": Active = Bool(value); break;
            case "name" when value is JsonObject name:
                if (name["givenName"] is { } g) GivenName = Text(g);
                if (name["familyName"] is { } f) FamilyName = Text(f);
                break;
            case "name.givenname": GivenName = Text(value); break;
            case "name.familyname": FamilyName = Text(value); break;
            case "emails" when value is JsonArray emails:
                var primary = emails.FirstOrDefault(e => e?["primary"]?.GetValueKind() == System.Text.Json.JsonValueKind.True) ?? emails.FirstOrDefault();
                if (primary?["value"] is { } email) Email = Text(email);
                break;
            case "emails" when value is null: Email = null; break;
            case "emails.value" or "emails[type eq \"work\"].value" or "emails[primary eq true].value":
                if (value is not null) Email = Text(value);
                break;
            case "addresses" when value is JsonArray addresses:
                Location = Text(addresses.FirstOrDefault()?["locality"]);
                break;
            case "addresses" when value is null: Location = null; break;
            case "addresses.locality" or "addresses[type eq \"work\"].locality": Location = Text(value); break;
            case "employeenumber" or "department" or "manager": await SetEnterpriseAsync(p, value, db, ct); break;
        }
    }

    private async Task SetEnterpriseAsync(string name, JsonNode? value, IdentityDbContext db, CancellationToken ct)
    {
        switch (name.ToLowerInvariant())
        {
            case "employeenumber": EmployeeNumber = Text(value); break;
            case "manager" or "manager.value":
                var id = value is JsonObject o ? Text(o["value"]) : Text(value);
                if (id is null) { ManagerId = null; break; }
                if (!Guid.TryParse(id, out var managerId)) throw new ScimException(400, "invalidValue", $"manager '{id}' is not a user id.");
                ManagerId = managerId;
                break;
            case "department":
                // A department that names an active org unit (by external id or name) places the user there; one that
                // names none is kept as the provider's text and leaves the placement as it was.
                var department = Text(value);
                Department = department;
                if (department is null) { OrgUnitId = null; break; }
                if (await db.OrgUnits.Where(u => u.Active && (u.ExternalId == department || u.Name == department))
                        .OrderBy(u => u.ExternalId == department ? 0 : 1).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct) is { } unit)
                    OrgUnitId = unit;
                break;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? (string.IsNullOrWhiteSpace(s) ? null : s.Trim()) : node is null ? null : node.ToString();

    private static bool? Bool(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) && bool.TryParse(s, out var b) => b, // Entra sends "False"
        _ => throw new ScimException(400, "invalidValue", "active must be true or false."),
    };
}
