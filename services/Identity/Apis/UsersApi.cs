using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Auth;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record UserRequest(
    string? Email, string? GivenName, string? FamilyName, string? ExternalId = null, string? JobTitle = null,
    string? Location = null, DateOnly? HireDate = null, Guid? ManagerId = null, Guid? OrgUnitId = null)
{
    public UserInput ToInput() => new(Email, GivenName, FamilyName, ExternalId, JobTitle, Location, HireDate, ManagerId, OrgUnitId);
}

public sealed record UserDto(
    Guid Id, string? Email, string GivenName, string FamilyName, string? ExternalId, string? JobTitle, string? Location,
    DateOnly? HireDate, Guid? ManagerId, Guid? OrgUnitId, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignInAt, bool LockedOut, DateTimeOffset? InvitedAt, string? InvitedBy, string UserName)
{
    public static UserDto From(User u) => new(u.Id, u.Email, u.GivenName, u.FamilyName, u.ExternalId, u.JobTitle, u.Location,
        u.HireDate, u.ManagerId, u.OrgUnitId, u.Status.ToString(), u.CreatedAt, u.UpdatedAt, u.LastSignInAt,
        u.LockoutEnd > DateTimeOffset.UtcNow, u.InvitedAt, u.InvitedBy, u.UserName!);
}

/// <summary>Filters of the user list; <see cref="SignedIn"/> false finds the people who have never signed in, <see cref="Invited"/> whether an invitation went out.</summary>
public sealed record UserQuery(string? Search, string? Email, Guid? OrgUnitId, Guid? ManagerId, string? Status, string? Role, bool? SignedIn = null, bool? Invited = null);

/// <summary>
/// Whom to invite: the listed users, or every active user who has never signed in in an org unit's subtree, or (with
/// <see cref="Everyone"/>, said explicitly) in the whole organisation; <see cref="NotYetInvited"/> leaves out those invited before.
/// </summary>
public sealed record BulkInvitationRequest(IReadOnlyList<Guid>? UserIds, Guid? OrgUnitId, bool NotYetInvited = false, bool Everyone = false);

public sealed record InvitationDto(int Invited, IReadOnlyList<Guid> InvitedUserIds, IReadOnlyList<SkippedInvitation> Skipped, DateTimeOffset ExpiresAt);

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/users").WithTags("Users");
        api.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("Create a user; publishes UserCreated").RequireAuthorization(Permissions.UsersWrite);
        api.MapGet("/{id:guid}", GetUser).WithName("GetUser").WithSummary("Get a user (ETag in the response)").RequireAuthorization(Permissions.UsersRead);
        api.MapPut("/{id:guid}", UpdateUser).WithName("UpdateUser").WithSummary("Replace a user's attributes; If-Match is checked (409 when stale)").RequireAuthorization(Permissions.UsersWrite);
        api.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("List users: search, email, org unit subtree, manager, status, role; paged").RequireAuthorization(Permissions.UsersRead);
        api.MapPost("/{id:guid}/deactivate", Deactivate).WithName("DeactivateUser").WithSummary("Deactivate a user; publishes UserDeactivated").RequireAuthorization(Permissions.UsersWrite);
        api.MapPost("/{id:guid}/reactivate", Reactivate).WithName("ReactivateUser").WithSummary("Reactivate a user; publishes UserReactivated").RequireAuthorization(Permissions.UsersWrite);
        api.MapPost("/{id:guid}/erase", Erase).WithName("EraseUser").WithSummary("GDPR erasure: anonymise the user's personal data (audited)").RequireAuthorization(Permissions.UsersErase);
        api.MapPost("/{id:guid}/invitation", Invite).WithName("InviteUser")
            .WithSummary("Send (or send again) a single-use link to set a password, valid 7 days; publishes UserInvited").RequireAuthorization(Permissions.UsersWrite);
        app.MapPost("/api/identity/invitations", InviteMany).WithTags("Users").WithName("InviteUsers")
            .WithSummary("Invite many: the listed users, or everyone active who has never signed in (optionally in an org unit's subtree, or not yet invited)")
            .RequireAuthorization(Permissions.UsersWrite);
        api.MapGet("/{id:guid}/reports", Reports).WithName("UserReports").WithSummary("The people who report to a user, directly or (transitive=true) through the tree").RequireAuthorization(Permissions.UsersRead);
        return app;
    }

    public static async Task<Results<Created<UserDto>, ValidationProblem, Conflict<ProblemDetails>, ForbidHttpResult>> CreateUser(
        UserRequest request, HttpContext http, UserService users, IdentityDbContext db, CancellationToken ct)
    {
        var scope = await CallerScope.ForAsync(http.User, Permissions.UsersWrite, db, ct);
        if (!scope.Covers(request.OrgUnitId)) return TypedResults.Forbid();
        switch (await users.CreateAsync(request.ToInput(), Actor.From(http), ct))
        {
            case Outcome<User>.Ok(var user):
                http.Response.Headers.ETag = user.ETag;
                return TypedResults.Created($"/api/identity/users/{user.Id}", UserDto.From(user));
            case Outcome<User>.Invalid(var errors): return TypedResults.ValidationProblem(errors);
            case Outcome<User>.Conflict(var detail, var field): return Problems.Conflict(detail, field);
            default: throw new InvalidOperationException();
        }
    }

    public static async Task<Results<Ok<UserDto>, NotFound>> GetUser(Guid id, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var user = await (await db.UsersFor(http.User, Permissions.UsersRead, ct)).AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return TypedResults.NotFound();
        http.Response.Headers.ETag = user.ETag;
        return TypedResults.Ok(UserDto.From(user));
    }

    public static async Task<Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult>> UpdateUser(
        Guid id, UserRequest request, HttpContext http, UserService users, IdentityDbContext db, CancellationToken ct)
    {
        var scope = await CallerScope.ForAsync(http.User, Permissions.UsersWrite, db, ct);
        var user = await scope.Filter(db.Users).FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return TypedResults.NotFound();
        if (!scope.Covers(request.OrgUnitId)) return TypedResults.Forbid();
        return ToResult(await users.UpdateAsync(user, request.ToInput(), http.Request.Headers.IfMatch.FirstOrDefault(), Actor.From(http), ct), http);
    }

    public static Task<Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult>> Deactivate(
        Guid id, HttpContext http, UserService users, IdentityDbContext db, CancellationToken ct) =>
        ChangeAsync(id, http, db, Permissions.UsersWrite, ct, user => users.SetStatusAsync(user, UserStatus.Deactivated, "administrator", Actor.From(http), ct));

    public static Task<Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult>> Reactivate(
        Guid id, HttpContext http, UserService users, IdentityDbContext db, CancellationToken ct) =>
        ChangeAsync(id, http, db, Permissions.UsersWrite, ct, user => users.SetStatusAsync(user, UserStatus.Active, "administrator", Actor.From(http), ct));

    public static Task<Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult>> Erase(
        Guid id, HttpContext http, UserService users, IdentityDbContext db, CancellationToken ct) =>
        ChangeAsync(id, http, db, Permissions.UsersErase, ct, user => users.EraseAsync(user, Actor.From(http), ct));

    public static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> ListUsers(
        [AsParameters] PageRequest paging, [AsParameters] UserQuery filter, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        foreach (var (field, messages) in paging.Validate()) foreach (var m in messages) errors.Add(field, m);
        UserStatus? status = null;
        if (filter.Status is not null)
        {
            if (Enum.TryParse<UserStatus>(filter.Status, true, out var s)) status = s;
            else errors.Add("status", "must be Active, Suspended or Deactivated");
        }
        var role = Roles.Canonical(filter.Role);
        if (filter.Role is not null && role is null) errors.Add("role", $"must be one of {string.Join(", ", Roles.All)}");
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());

        var query = (await db.UsersFor(http.User, Permissions.UsersRead, ct)).AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Search))
        {
            var pattern = $"%{Like(filter.Search.Trim())}%";
            query = query.Where(u => EF.Functions.ILike(u.UserName!, pattern) || EF.Functions.ILike(u.Email!, pattern) || EF.Functions.ILike(u.GivenName, pattern)
                                     || EF.Functions.ILike(u.FamilyName, pattern) || EF.Functions.ILike(u.GivenName + " " + u.FamilyName, pattern)
                                     || u.ExternalId == filter.Search.Trim());
        }
        if (!string.IsNullOrWhiteSpace(filter.Email))
        {
            var normalized = User.Normalize(filter.Email);
            query = query.Where(u => u.NormalizedEmail == normalized);
        }
        if (filter.OrgUnitId is { } unitId)
        {
            var path = await db.OrgUnits.Where(o => o.Id == unitId).Select(o => o.Path).FirstOrDefaultAsync(ct) ?? "\u0000";
            query = query.Where(u => db.OrgUnits.Any(o => o.Id == u.OrgUnitId && o.Path.StartsWith(path)));
        }
        if (filter.ManagerId is { } managerId) query = query.Where(u => u.ManagerId == managerId);
        if (filter.SignedIn is { } signedIn) query = signedIn ? query.Where(u => u.LastSignInAt != null) : query.Where(u => u.LastSignInAt == null);
        if (filter.Invited is { } invited) query = invited ? query.Where(u => u.InvitedAt != null) : query.Where(u => u.InvitedAt == null);
        if (status is { } st) query = query.Where(u => u.Status == st);
        if (role is not null)
            query = role == Roles.Learner ? query : query.Where(u => db.RoleAssignments.Any(r => r.UserId == u.Id && r.Role == role));

        var page = await query.OrderBy(u => u.FamilyName).ThenBy(u => u.GivenName).ThenBy(u => u.Id)
            .ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(UserDto.From));
    }

    public static async Task<Results<Ok<List<UserDto>>, NotFound>> Reports(Guid id, bool? transitive, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var visible = await db.UsersFor(http.User, Permissions.UsersRead, ct);
        if (!await visible.AnyAsync(u => u.Id == id, ct)) return TypedResults.NotFound();
        var reports = await Team.ReportsAsync(db, id, transitive ?? false, ct);
        var shown = await visible.Where(u => reports.Select(r => r.Id).Contains(u.Id)).Select(u => u.Id).ToListAsync(ct);
        return TypedResults.Ok(reports.Where(r => shown.Contains(r.Id)).Select(UserDto.From).ToList());
    }

    public static async Task<Results<Accepted<InvitationDto>, NotFound, Conflict<ProblemDetails>>> Invite(
        Guid id, HttpContext http, IdentityDbContext db, Invitations invitations, CancellationToken ct)
    {
        var user = await (await db.UsersFor(http.User, Permissions.UsersWrite, ct)).FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return TypedResults.NotFound();
        if (user.CannotInvite() is { } refusal) return Problems.Conflict(refusal, "userId");
        var result = await invitations.InviteAsync([user], Actor.From(http), ct);
        return TypedResults.Accepted($"/api/identity/users/{id}", new InvitationDto(result.Invited.Count, result.Invited, result.Skipped, result.ExpiresAt));
    }

    public static async Task<Results<Ok<InvitationDto>, ValidationProblem>> InviteMany(
        BulkInvitationRequest request, HttpContext http, IdentityDbContext db, Invitations invitations, CancellationToken ct)
    {
        if (request.UserIds is not { Count: > 0 } && request.OrgUnitId is null && !request.Everyone)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["userIds"] = ["name the people to invite: userIds, an orgUnitId, or everyone=true for everyone who has never signed in"],
            });
        var query = await db.UsersFor(http.User, Permissions.UsersWrite, ct);
        if (request.UserIds is { Count: > 0 } ids) query = query.Where(u => ids.Contains(u.Id));
        else
        {
            query = query.Where(u => u.Status == UserStatus.Active && u.LastSignInAt == null && u.ErasedAt == null);
            if (request.NotYetInvited) query = query.Where(u => u.InvitedAt == null);
            if (request.OrgUnitId is { } unitId)
            {
                var path = await db.OrgUnits.Where(o => o.Id == unitId).Select(o => o.Path).FirstOrDefaultAsync(ct);
                if (path is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["orgUnitId"] = ["is not a known org unit"] });
                query = query.Where(u => db.OrgUnits.Any(o => o.Id == u.OrgUnitId && o.Path.StartsWith(path)));
            }
        }
        var users = await query.OrderBy(u => u.CreatedAt).Take(Invitations.MaxPerRequest + 1).ToListAsync(ct);
        if (users.Count > Invitations.MaxPerRequest)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["userIds"] = [$"selects more than {Invitations.MaxPerRequest} people; invite by org unit, a part at a time"],
            });
        var known = users.Select(u => u.Id).ToHashSet();
        var result = await invitations.InviteAsync(users, Actor.From(http), ct);
        var unknown = (request.UserIds ?? []).Where(id => !known.Contains(id)).Select(id => new SkippedInvitation(id, "No such user (or not one you administer)."));
        return TypedResults.Ok(new InvitationDto(result.Invited.Count, result.Invited, [.. result.Skipped, .. unknown], result.ExpiresAt));
    }

    private static async Task<Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult>> ChangeAsync(
        Guid id, HttpContext http, IdentityDbContext db, string permission, CancellationToken ct, Func<User, Task<Outcome<User>>> change)
    {
        var user = await (await db.UsersFor(http.User, permission, ct)).FirstOrDefaultAsync(u => u.Id == id, ct);
        if (user is null) return TypedResults.NotFound();
        return ToResult(await change(user), http);
    }

    private static Results<Ok<UserDto>, ValidationProblem, Conflict<ProblemDetails>, NotFound, ForbidHttpResult> ToResult(Outcome<User> outcome, HttpContext http)
    {
        switch (outcome)
        {
            case Outcome<User>.Ok(var user):
                http.Response.Headers.ETag = user.ETag;
                return TypedResults.Ok(UserDto.From(user));
            case Outcome<User>.Invalid(var errors): return TypedResults.ValidationProblem(errors);
            case Outcome<User>.Conflict(var detail, var field): return Problems.Conflict(detail, field);
            default: return TypedResults.NotFound();
        }
    }

    /// <summary>Escapes LIKE's wildcards so that a search for "50%" means the text.</summary>
    public static string Like(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}

/// <summary>Reporting lines: who reports to whom, directly or through the tree.</summary>
public static class Team
{
    public static async Task<List<User>> ReportsAsync(IdentityDbContext db, Guid managerId, bool transitive, CancellationToken ct)
    {
        if (!transitive) return await db.Users.AsNoTracking().Where(u => u.ManagerId == managerId).OrderBy(u => u.FamilyName).ToListAsync(ct);
        return await db.Users.FromSqlInterpolated($"""
            WITH RECURSIVE down AS (
                SELECT "Id", 1 AS depth FROM users WHERE "ManagerId" = {managerId}
                UNION
                SELECT u."Id", down.depth + 1 FROM users u JOIN down ON u."ManagerId" = down."Id" WHERE down.depth < 50)
            SELECT * FROM users WHERE "Id" IN (SELECT "Id" FROM down)
            """).AsNoTracking().OrderBy(u => u.FamilyName).ThenBy(u => u.GivenName).ToListAsync(ct);
    }
}
