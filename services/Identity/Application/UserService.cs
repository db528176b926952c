using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Application;

/// <summary>
/// Creating, changing, deactivating, reactivating and erasing users: one place for the rules (unique email and
/// external id, an existing manager without a reporting cycle, an active org unit), the event and the audit entry,
/// all saved in one transaction. The admin API and SCIM both use it.
/// </summary>
public sealed class UserService(IdentityDbContext db, TimeProvider time)
{
    public async Task<Outcome<User>> CreateAsync(UserInput input, Actor actor, CancellationToken ct, Action<User>? extra = null, UserStatus status = UserStatus.Active)
    {
        var errors = input.Validate();
        if (!errors.IsValid) return new Outcome<User>.Invalid(errors.ToDictionary());
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        if (await CheckAsync(id, input, ct) is { } refused) return refused;
        var user = User.Register(input, actor, now, id, status, extra);
        db.Users.Add(user);
        return await SaveAsync(user, ct);
    }

    /// <summary>Replaces the user's attributes; <paramref name="expectedETag"/>, when given, must match (else 409).</summary>
    public async Task<Outcome<User>> UpdateAsync(User user, UserInput input, string? expectedETag, Actor actor, CancellationToken ct,
        Action<User>? extra = null, UserStatus? status = null, string reason = "")
    {
        if (ETags.IsStale(expectedETag, user.ETag))
            return new Outcome<User>.Conflict("The user was changed by someone else since you read it; read it again and retry.", "etag");
        var errors = input.Validate();
        if (!errors.IsValid) return new Outcome<User>.Invalid(errors.ToDictionary());
        if (await CheckAsync(user.Id, input, ct) is { } refused) return refused;
        if (status is { } wanted && user.CannotSetStatus(wanted) is { } statusRefused) return new Outcome<User>.Conflict(statusRefused, "status");
        extra?.Invoke(user);
        var now = time.GetUtcNow();
        if (!user.Change(input, actor, now, status, reason))
        {
            if (!db.ChangeTracker.HasChanges()) return user;
            user.Touch(now); // an attribute outside the profile (SCIM's externalId) changed
        }
        return await SaveAsync(user, ct);
    }

    public async Task<Outcome<User>> SetStatusAsync(User user, UserStatus status, string reason, Actor actor, CancellationToken ct)
    {
        if (user.Status == status) return user;
        if (user.CannotSetStatus(status) is { } refused) return new Outcome<User>.Conflict(refused, "status");
        user.SetStatus(status, reason, actor, time.GetUtcNow());
        return await SaveAsync(user, ct);
    }

    /// <summary>GDPR erasure (<see cref="User.Erase"/>); the user's pending password resets go too.</summary>
    public async Task<Outcome<User>> EraseAsync(User user, Actor actor, CancellationToken ct)
    {
        if (!user.Erase(actor, time.GetUtcNow())) return user;
        await db.PasswordResetTickets.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        return await SaveAsync(user, ct);
    }

    private async Task<Outcome<User>?> CheckAsync(Guid userId, UserInput input, CancellationToken ct)
    {
        var userName = User.Normalize(input.LoginName);
        if (await db.Users.AnyAsync(u => u.NormalizedUserName == userName && u.Id != userId, ct))
            return input.UserName is null
                ? new Outcome<User>.Conflict($"A user with the email '{input.LoginName}' exists already.", "email")
                : new Outcome<User>.Conflict($"A user with the userName '{input.LoginName}' exists already.", "userName");
        if (TextInput.Clean(input.Email) is { } email && await db.Users.AnyAsync(u => u.NormalizedEmail == User.Normalize(email) && u.Id != userId, ct))
            return new Outcome<User>.Conflict($"A user with the email '{email}' exists already.", "email");
        var externalId = TextInput.Clean(input.ExternalId);
        if (externalId is not null && await db.Users.AnyAsync(u => u.ExternalId == externalId && u.Id != userId, ct))
            return new Outcome<User>.Conflict($"A user with the external id '{externalId}' exists already.", "externalId");
        if (input.OrgUnitId is { } unitId && !await db.OrgUnits.AnyAsync(o => o.Id == unitId && o.Active, ct))
            return Invalid("orgUnitId", "is not an active org unit");
        if (input.ManagerId is { } managerId)
        {
            if (managerId == userId) return Invalid("managerId", "a user cannot be their own manager");
            if (!await db.Users.AnyAsync(u => u.Id == managerId, ct)) return Invalid("managerId", "is not a known user");
            if (await ManagesAsync(userId, managerId, ct))
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
