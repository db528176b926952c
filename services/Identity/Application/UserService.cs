using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Application;

/// <summary>The HR attributes an administrator, SCIM client or import sets on a user.</summary>
public sealed record UserInput(
    string? Email, string? GivenName, string? FamilyName, string? ExternalId = null, string? JobTitle = null,
    string? Location = null, DateOnly? HireDate = null, Guid? ManagerId = null, Guid? OrgUnitId = null)
{
    public ValidationErrors Validate() => new ValidationErrors()
        .Email("email", Email)
        .Required("givenName", GivenName, 100)
        .Required("familyName", FamilyName, 100)
        .MaxLength("externalId", ExternalId, 64)
        .MaxLength("jobTitle", JobTitle, 200)
        .MaxLength("location", Location, 200);
}

/// <summary>
/// Creating, changing, deactivating, reactivating and erasing users: one place for the rules (unique email and
/// external id, an existing manager without a reporting cycle, an active org unit), the event and the audit entry,
/// all saved in one transaction. The admin API and SCIM both use it.
/// </summary>
public sealed class UserService(IdentityDbContext db, TimeProvider time)
{
    public async Task<Outcome<User>> CreateAsync(UserInput input, Actor actor, CancellationToken ct, Action<User>? extra = null)
    {
        var errors = input.Validate();
        if (!errors.IsValid) return new Outcome<User>.Invalid(errors.ToDictionary());
        var user = User.New(input.Email!, input.GivenName!.Trim(), input.FamilyName!.Trim(), time.GetUtcNow());
        if (await CheckAsync(user, input, ct) is { } refused) return refused;
        Apply(user, input);
        extra?.Invoke(user);
        db.Users.Add(user);
        var profile = user.Profile();
        db.AddIntegrationEvent(new UserCreated(user.Id, user.Email!, user.GivenName, user.FamilyName, user.ExternalId, user.CreatedAt) { Profile = profile });
        db.Audit(actor, "user.created", "user", user.Id, null, profile, user.CreatedAt);
        return await SaveAsync(user, ct);
    }

    /// <summary>Replaces the user's attributes; <paramref name="expectedETag"/>, when given, must match (else 409).</summary>
    public async Task<Outcome<User>> UpdateAsync(User user, UserInput input, string? expectedETag, Actor actor, CancellationToken ct, Action<User>? extra = null)
    {
        if (ETags.IsStale(expectedETag, user.ETag))
            return new Outcome<User>.Conflict("The user was changed by someone else since you read it; read it again and retry.", "etag");
        var errors = input.Validate();
        if (!errors.IsValid) return new Outcome<User>.Invalid(errors.ToDictionary());
        if (await CheckAsync(user, input, ct) is { } refused) return refused;

        var before = user.Profile();
        var now = time.GetUtcNow();
        if (!string.Equals(user.Email, input.Email!.Trim(), StringComparison.Ordinal)) user.WithEmail(input.Email, now);
        user.GivenName = input.GivenName!.Trim();
        user.FamilyName = input.FamilyName!.Trim();
        Apply(user, input);
        extra?.Invoke(user);
        var after = user.Profile();
        var changed = User.Changes(before, after);
        if (changed.Count == 0 && !db.ChangeTracker.HasChanges()) return user;
        user.Touch(now);
        if (changed.Count > 0)
        {
            db.AddIntegrationEvent(new UserUpdated(user.Id, changed, after, now));
            db.Audit(actor, "user.updated", "user", user.Id, before, after, now);
        }
        return await SaveAsync(user, ct);
    }

    public async Task<Outcome<User>> SetStatusAsync(User user, UserStatus status, string reason, Actor actor, CancellationToken ct)
    {
        if (user.Status == status) return user;
        if (user.ErasedAt is not null) return new Outcome<User>.Conflict("An erased user cannot be reactivated.", "status");
        var before = user.Profile();
        var now = time.GetUtcNow();
        user.Status = status;
        user.Touch(now);
        if (status == UserStatus.Active)
            db.AddIntegrationEvent(new UserReactivated(user.Id, now));
        else
        {
            // A deactivated or suspended user can no longer use a token refresh or a sign-in session.
            user.SecurityStamp = Guid.NewGuid().ToString("N");
            db.AddIntegrationEvent(new UserDeactivated(user.Id, reason, now));
        }
        db.AddIntegrationEvent(new UserUpdated(user.Id, ["status"], user.Profile(), now));
        db.Audit(actor, status == UserStatus.Active ? "user.reactivated" : "user.deactivated", "user", user.Id, before, user.Profile(), now);
        return await SaveAsync(user, ct);
    }

    /// <summary>
    /// GDPR erasure: personal data is replaced by placeholders, sign-in data removed, the account deactivated. The row
    /// (and so references from learning records) stays, as does the audit trail, which records that erasure happened.
    /// </summary>
    public async Task<Outcome<User>> EraseAsync(User user, Actor actor, CancellationToken ct)
    {
        if (user.ErasedAt is not null) return user;
        var now = time.GetUtcNow();
        var placeholder = $"erased-{user.Id:N}@erased.invalid";
        user.WithEmail(placeholder, now);
        user.GivenName = "Erased";
        user.FamilyName = "User";
        user.ExternalId = null;
        user.ScimExternalId = null;
        user.JobTitle = null;
        user.Location = null;
        user.HireDate = null;
        user.PasswordHash = null;
        user.PhoneNumber = null;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.Status = UserStatus.Deactivated;
        user.ErasedAt = now;
        await db.PasswordResetTickets.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        db.AddIntegrationEvent(new UserErased(user.Id, now));
        db.Audit(actor, "user.erased", "user", user.Id, null, new { erased = true }, now);
        return await SaveAsync(user, ct);
    }

    private static void Apply(User user, UserInput input)
    {
        user.SetHrAttributes(TextInput.Clean(input.ExternalId), TextInput.Clean(input.JobTitle), TextInput.Clean(input.Location),
            input.HireDate, input.ManagerId, input.OrgUnitId);
    }

    private async Task<Outcome<User>?> CheckAsync(User user, UserInput input, CancellationToken ct)
    {
        var normalized = User.Normalize(input.Email!);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized && u.Id != user.Id, ct))
            return new Outcome<User>.Conflict($"A user with the email '{input.Email!.Trim()}' exists already.", "email");
        var externalId = TextInput.Clean(input.ExternalId);
        if (externalId is not null && await db.Users.AnyAsync(u => u.ExternalId == externalId && u.Id != user.Id, ct))
            return new Outcome<User>.Conflict($"A user with the external id '{externalId}' exists already.", "externalId");
        if (input.OrgUnitId is { } unitId && !await db.OrgUnits.AnyAsync(o => o.Id == unitId && o.Active, ct))
            return Invalid("orgUnitId", "is not an active org unit");
        if (input.ManagerId is { } managerId)
        {
            if (managerId == user.Id) return Invalid("managerId", "a user cannot be their own manager");
            if (!await db.Users.AnyAsync(u => u.Id == managerId, ct)) return Invalid("managerId", "is not a known user");
            if (await ManagesAsync(user.Id, managerId, ct))
                return new Outcome<User>.Conflict("The manager reports to this user already (directly or through others): that would be a cycle.", "managerId");
        }
        return null;
    }

    /// <summary>True when <paramref name="candidate"/> is in <paramref name="userId"/>'s reporting line (below them).</summary>
    private async Task<bool> ManagesAsync(Guid userId, Guid candidate, CancellationToken ct)
    {
        var chain = await db.Database.SqlQuery<Guid>($"""
            WITH RECURSIVE up AS (
                SELECT "Id", "ManagerId", 1 AS depth FROM users WHERE "Id" = {candidate}
                UNION ALL
                SELECT u."Id", u."ManagerId", up.depth + 1 FROM users u JOIN up ON u."Id" = up."ManagerId" WHERE up.depth < 100)
            SELECT "Id" AS "Value" FROM up
            """).ToListAsync(ct);
        return chain.Contains(userId);
    }

    private static Outcome<User> Invalid(string field, string message) =>
        new Outcome<User>.Invalid(new Dictionary<string, string[]> { [field] = [message] });

    private async Task<Outcome<User>> SaveAsync(User user, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return user;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            db.ChangeTracker.Clear();
            return new Outcome<User>.Conflict("A user with this email or external id exists already.", "email");
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return new Outcome<User>.Conflict("The user was changed by someone else at the same time; read it again and retry.", "etag");
        }
    }
}
