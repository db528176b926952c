using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Identity;

namespace LmsPlatform.Identity.Model;

public enum UserStatus { Active, Suspended, Deactivated }

/// <summary>
/// The attributes an administrator, SCIM client or import sets on a user. A person an administrator or an HR file adds
/// needs an email (which is also their user name) and names; a directory record from a provisioning client
/// (<see cref="UserName"/> set) needs only its user name, as SCIM's schema says, and may have no email.
/// </summary>
public sealed record UserInput(
    string? Email, string? GivenName, string? FamilyName, string? ExternalId = null, string? JobTitle = null,
    string? Location = null, DateOnly? HireDate = null, Guid? ManagerId = null, Guid? OrgUnitId = null, string? UserName = null)
{
    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors();
        if (UserName is null) errors.Email("email", Email).Required("givenName", GivenName, 100).Required("familyName", FamilyName, 100);
        else
        {
            errors.Required("userName", UserName, 254);
            if (Email is not null) errors.Email("email", Email);
            errors.MaxLength("givenName", GivenName, 100).MaxLength("familyName", FamilyName, 100);
        }
        return errors.MaxLength("externalId", ExternalId, 64).MaxLength("jobTitle", JobTitle, 200).MaxLength("location", Location, 200);
    }

    /// <summary>The name the user is known by: the user name when given, else the email.</summary>
    public string LoginName => (UserName ?? Email ?? "").Trim();
}

/// <summary>
/// A person the platform knows, on ASP.NET Core Identity's user (password hash, lockout, security stamp). The user
/// name is the email. Never hard-deleted: deactivated, or erased (personal data anonymised) on a GDPR request.
/// <see cref="IdentityUser{TKey}.ConcurrencyStamp"/> is the ETag: every change sets a new one.
/// Its lifecycle (<see cref="Register"/>, <see cref="Change"/>, <see cref="SetStatus"/>, <see cref="Erase"/>) records
/// the integration events and audit entries; the admin API, SCIM, imports and bootstrap all go through it.
/// </summary>
public sealed class User : IdentityUser<Guid>, IAggregate
{
    private readonly DomainEvents events = new();

    public IReadOnlyList<object> TakeDomainEvents() => events.Take();

    public string GivenName { get; set; } = "";
    public string FamilyName { get; set; } = "";
    /// <summary>The HR system's employee number: the key of CSV imports and SCIM's employeeNumber.</summary>
    public string? ExternalId { get; set; }
    /// <summary>The provisioning client's own id for the user (SCIM externalId).</summary>
    public string? ScimExternalId { get; set; }
    /// <summary>The department a provisioning client sent (SCIM's enterprise department), as text: it need not name an org unit.</summary>
    public string? Department { get; set; }
    public string? JobTitle { get; set; }
    public string? Location { get; set; }
    public DateOnly? HireDate { get; set; }
    public Guid? ManagerId { get; set; }
    public Guid? OrgUnitId { get; set; }
    public UserStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? LastSignInAt { get; private set; }

    /// <summary>
    /// The person signed in: remembered for the inactive-people check, announced (<see cref="UserSignedIn"/>) for the
    /// reports, and logged (<see cref="SignInEntry"/>) so the reports can be rebuilt.
    /// </summary>
    public void SignedIn(string method, DateTimeOffset now)
    {
        LastSignInAt = now;
        events.Record(new UserSignedIn(Id, method, now));
    }
    /// <summary>When the last invitation to set a password went out, and who sent it.</summary>
    public DateTimeOffset? InvitedAt { get; set; }
    public string? InvitedBy { get; set; }
    public DateTimeOffset? ErasedAt { get; set; }
    /// <summary>Deleted by a SCIM client: deactivated and no longer visible to SCIM (never hard-deleted).</summary>
    public bool ScimDeleted { get; set; }

    public string DisplayName => $"{GivenName} {FamilyName}".Trim();

    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    /// <summary>A new user whose user name is their email.</summary>
    public static User New(string email, string givenName, string familyName, DateTimeOffset now) => New(email, email, givenName, familyName, now);

    public static User New(string userName, string? email, string givenName, string familyName, DateTimeOffset now) => new User
    {
        Id = Guid.CreateVersion7(now),
        SecurityStamp = Guid.NewGuid().ToString("N"),
        LockoutEnabled = true,
        Status = UserStatus.Active,
        CreatedAt = now,
        GivenName = givenName,
        FamilyName = familyName,
    }.WithUserName(userName, now).WithEmail(email, now);

    public User WithUserName(string userName, DateTimeOffset now)
    {
        UserName = userName.Trim();
        NormalizedUserName = Normalize(userName);
        return Touch(now);
    }

    public User WithEmail(string? email, DateTimeOffset now)
    {
        Email = TextInput.Clean(email);
        NormalizedEmail = Email is null ? null : Normalize(Email);
        return Touch(now);
    }

    /// <summary>True while the user name is the email (every user but a directory record with a name of its own): they change together.</summary>
    public bool UserNameIsEmail => Email is not null && string.Equals(NormalizedUserName, NormalizedEmail, StringComparison.Ordinal);

    /// <summary>Marks a change: a new ETag and update time.</summary>
    public User Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        ConcurrencyStamp = Guid.NewGuid().ToString("N");
        return this;
    }

    public string ETag => $"\"{ConcurrencyStamp}\"";

    /// <summary>A new user with <paramref name="input"/>'s attributes (validated by the caller): announced and audited.</summary>
    public static User Register(UserInput input, Actor actor, DateTimeOffset now, Guid? id = null, UserStatus status = UserStatus.Active, Action<User>? extra = null)
    {
        var user = New(input.LoginName, input.Email, input.GivenName?.Trim() ?? "", input.FamilyName?.Trim() ?? "", now);
        if (id is { } given) user.Id = given;
        user.Apply(input);
        user.Status = status;
        extra?.Invoke(user);
        var profile = user.Profile();
        user.events.Record(new UserCreated(user.Id, user.Email, user.GivenName, user.FamilyName, user.ExternalId, now) { Profile = profile });
        user.events.Record(new Audited(actor, "user.created", "user", user.Id, null, profile, now));
        return user;
    }

    /// <summary>
    /// Replaces the attributes (and, when given, the status): records <see cref="UserUpdated"/> with what changed and,
    /// for a status change, <see cref="UserDeactivated"/> or <see cref="UserReactivated"/>. Returns whether anything changed.
    /// </summary>
    public bool Change(UserInput input, Actor actor, DateTimeOffset now, UserStatus? status = null, string reason = "")
    {
        EnsureStatusAllowed(status ?? Status);
        var before = Profile();
        var userName = input.UserName?.Trim() ?? (UserNameIsEmail ? input.Email?.Trim() : null);
        if (userName is not null && !string.Equals(UserName, userName, StringComparison.Ordinal)) WithUserName(userName, now);
        if (!string.Equals(Email, TextInput.Clean(input.Email), StringComparison.Ordinal)) WithEmail(input.Email, now);
        GivenName = input.GivenName?.Trim() ?? "";
        FamilyName = input.FamilyName?.Trim() ?? "";
        Apply(input);
        return Changed(before, status ?? Status, reason, actor, now);
    }

    /// <summary>Activates, suspends or deactivates; an erased user stays deactivated.</summary>
    public bool SetStatus(UserStatus status, string reason, Actor actor, DateTimeOffset now)
    {
        if (status == Status) return false;
        EnsureStatusAllowed(status);
        return Changed(Profile(), status, reason, actor, now);
    }

    /// <summary>Why the status cannot become <paramref name="status"/>, or null: an erased user's status is final.</summary>
    public string? CannotSetStatus(UserStatus status) =>
        status != Status && ErasedAt is not null ? "An erased user cannot be reactivated." : null;

    private void EnsureStatusAllowed(UserStatus status)
    {
        if (CannotSetStatus(status) is { } refusal) throw new DomainRuleException("status", refusal);
    }

    /// <summary>
    /// GDPR erasure: personal data is replaced by placeholders, sign-in data removed, the account deactivated. The row
    /// (and so references from learning records) stays, as does the audit trail, which records that erasure happened.
    /// </summary>
    public bool Erase(Actor actor, DateTimeOffset now)
    {
        if (ErasedAt is not null) return false;
        WithUserName($"erased-{Id:N}@erased.invalid", now).WithEmail($"erased-{Id:N}@erased.invalid", now);
        GivenName = "Erased";
        FamilyName = "User";
        ExternalId = null;
        ScimExternalId = null;
        Department = null;
        JobTitle = null;
        Location = null;
        HireDate = null;
        PasswordHash = null;
        PhoneNumber = null;
        SecurityStamp = Guid.NewGuid().ToString("N");
        Status = UserStatus.Deactivated;
        ErasedAt = now;
        events.Record(new UserErased(Id, now));
        events.Record(new Audited(actor, "user.erased", "user", Id, null, new { erased = true }, now));
        return true;
    }

    /// <summary>Why the user cannot be invited, or null: only an active person who has never signed in, with an email.</summary>
    public string? CannotInvite() =>
        ErasedAt is not null ? "The user was erased."
        : Status != UserStatus.Active ? "The user is not active; reactivate them first."
        : LastSignInAt is not null ? "The user has signed in already; they can use \"Forgot your password?\"."
        : string.IsNullOrWhiteSpace(Email) ? "The user has no email address to send the invitation to."
        : null;

    /// <summary>Records an invitation whose single-use link (<paramref name="setPasswordUrl"/>) the notification service delivers.</summary>
    public void Invite(string setPasswordUrl, DateTimeOffset expiresAt, Actor actor, DateTimeOffset now)
    {
        if (CannotInvite() is { } refusal) throw new DomainRuleException("userId", refusal);
        InvitedAt = now;
        InvitedBy = actor.Name;
        events.Record(new UserInvited(Id, Email!, GivenName, setPasswordUrl, expiresAt, actor.Name));
        events.Record(new Audited(actor, "user.invited", "user", Id, null, new { expiresAt }, now));
    }

    private void Apply(UserInput input)
    {
        ExternalId = TextInput.Clean(input.ExternalId);
        JobTitle = TextInput.Clean(input.JobTitle);
        Location = TextInput.Clean(input.Location);
        HireDate = input.HireDate;
        ManagerId = input.ManagerId;
        OrgUnitId = input.OrgUnitId;
    }

    private bool Changed(UserProfile before, UserStatus status, string reason, Actor actor, DateTimeOffset now)
    {
        var statusChanged = status != Status;
        Status = status;
        var after = Profile();
        var changed = Changes(before, after);
        if (changed.Count == 0) return false;
        Touch(now);
        events.Record(new UserUpdated(Id, changed, after, now));
        if (statusChanged && status == UserStatus.Active) events.Record(new UserReactivated(Id, now));
        else if (statusChanged)
        {
            // A deactivated or suspended user can no longer use a token refresh or a sign-in session.
            SecurityStamp = Guid.NewGuid().ToString("N");
            events.Record(new UserDeactivated(Id, reason, now));
        }
        var action = changed is ["status"] ? (status == UserStatus.Active ? "user.reactivated" : "user.deactivated") : "user.updated";
        events.Record(new Audited(actor, action, "user", Id, before, after, now));
        return true;
    }

    public UserProfile Profile() => new(Email, GivenName, FamilyName, ExternalId, JobTitle, Location, HireDate, ManagerId, OrgUnitId, Status.ToString());

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

/// <summary>
/// One sign-in, in identity's log: the history the "active learners" of a period count, kept here so a read model can be
/// rebuilt from it (the last sign-in alone is on the user). Written from <see cref="UserSignedIn"/>, with the sign-in.
/// </summary>
public sealed class SignInEntry
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Method { get; set; } = "";
    public DateTimeOffset At { get; set; }

    public static SignInEntry Of(UserSignedIn signedIn) =>
        new() { Id = Guid.CreateVersion7(signedIn.At), UserId = signedIn.UserId, Method = signedIn.Method, At = signedIn.At };

    public UserSignedIn Announced() => new(UserId, Method, At);
}
