using LmsPlatform.Contracts.Identity;
using Microsoft.AspNetCore.Identity;

namespace LmsPlatform.Identity.Model;

public enum UserStatus { Active, Suspended, Deactivated }

/// <summary>
/// A person the platform knows, on ASP.NET Core Identity's user (password hash, lockout, security stamp). The user
/// name is the email. Never hard-deleted: deactivated, or erased (personal data anonymised) on a GDPR request.
/// <see cref="IdentityUser{TKey}.ConcurrencyStamp"/> is the ETag: every change sets a new one.
/// </summary>
public sealed class User : IdentityUser<Guid>
{
    public string GivenName { get; set; } = "";
    public string FamilyName { get; set; } = "";
    /// <summary>The HR system's employee number: the key of CSV imports and SCIM's employeeNumber.</summary>
    public string? ExternalId { get; set; }
    /// <summary>The provisioning client's own id for the user (SCIM externalId).</summary>
    public string? ScimExternalId { get; set; }
    public string? JobTitle { get; set; }
    public string? Location { get; set; }
    public DateOnly? HireDate { get; set; }
    public Guid? ManagerId { get; set; }
    public Guid? OrgUnitId { get; set; }
    public UserStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; set; }
    public DateTimeOffset? ErasedAt { get; set; }
    /// <summary>Deleted by a SCIM client: deactivated and no longer visible to SCIM (never hard-deleted).</summary>
    public bool ScimDeleted { get; set; }

    public string DisplayName => $"{GivenName} {FamilyName}".Trim();

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();

    public static User New(string email, string givenName, string familyName, DateTimeOffset now) => new User
    {
        Id = Guid.CreateVersion7(now),
        SecurityStamp = Guid.NewGuid().ToString("N"),
        LockoutEnabled = true,
        Status = UserStatus.Active,
        CreatedAt = now,
        GivenName = givenName,
        FamilyName = familyName,
    }.WithEmail(email, now);

    public User WithEmail(string email, DateTimeOffset now)
    {
        Email = UserName = email.Trim();
        NormalizedEmail = NormalizedUserName = Normalize(email);
        return Touch(now);
    }

    /// <summary>Marks a change: a new ETag and update time.</summary>
    public User Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        ConcurrencyStamp = Guid.NewGuid().ToString("N");
        return this;
    }

    public string ETag => $"\"{ConcurrencyStamp}\"";

    /// <summary>The attributes HR owns besides name and email: one place for the admin API, SCIM and imports.</summary>
    public void SetHrAttributes(string? externalId, string? jobTitle, string? location, DateOnly? hireDate, Guid? managerId, Guid? orgUnitId)
    {
        ExternalId = externalId;
        JobTitle = jobTitle;
        Location = location;
        HireDate = hireDate;
        ManagerId = managerId;
        OrgUnitId = orgUnitId;
    }

    public UserProfile Profile() => new(Email ?? "", GivenName, FamilyName, ExternalId, JobTitle, Location, HireDate, ManagerId, OrgUnitId, Status.ToString());

    /// <summary>The attributes (camelCase) whose values differ between two profiles.</summary>
    public static IReadOnlyList<string> Changes(UserProfile before, UserProfile after)
    {
        var changed = new List<string>();
        if (!string.Equals(before.Email, after.Email, StringComparison.Ordinal)) changed.Add("email");
        if (before.GivenName != after.GivenName) changed.Add("givenName");
        if (before.FamilyName != after.FamilyName) changed.Add("familyName");
        if (before.ExternalId != after.ExternalId) changed.Add("externalId");
        if (before.JobTitle != after.JobTitle) changed.Add("jobTitle");
        if (before.Location != after.Location) changed.Add("location");
        if (before.HireDate != after.HireDate) changed.Add("hireDate");
        if (before.ManagerId != after.ManagerId) changed.Add("managerId");
        if (before.OrgUnitId != after.OrgUnitId) changed.Add("orgUnitId");
        if (before.Status != after.Status) changed.Add("status");
        return changed;
    }
}
