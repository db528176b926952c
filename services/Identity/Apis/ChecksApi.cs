using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record DuplicateCandidate(string Reason, IReadOnlyList<UserDto> Users);

/// <summary>The data-quality checks an administrator runs before they become problems.</summary>
public static class ChecksApi
{
    public static IEndpointRouteBuilder MapChecksApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/checks").WithTags("Checks").RequireAuthorization(Permissions.UsersRead);
        api.MapGet("/inactive", Inactive).WithName("InactiveUsers").WithSummary("Active users who have not signed in for N days (or never, when created before then)");
        api.MapGet("/duplicates", Duplicates).WithName("DuplicateCandidates").WithSummary("Possible duplicate accounts: same email ignoring dots and +tags, or same name and manager");
        api.MapGet("/unassigned", Unassigned).WithName("UnassignedUsers").WithSummary("Active users without an org unit or without a manager");
        return app;
    }

    public static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> Inactive([AsParameters] PageRequest paging, int? days, HttpContext http, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new ValidationErrors().Check(days is null or >= 1 and <= 3650, "days", "must be between 1 and 3650");
        foreach (var (k, v) in paging.Validate()) foreach (var m in v) errors.Add(k, m);
        if (!errors.IsValid) return TypedResults.ValidationProblem(errors.ToDictionary());
        var page = await InactiveSince((await db.UsersFor(http.User, Permissions.UsersRead, ct)).AsNoTracking(), time.GetUtcNow().AddDays(-(days ?? 90)))
            .OrderBy(u => u.LastSignInAt ?? u.CreatedAt).ThenBy(u => u.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(UserDto.From));
    }

    /// <summary>Active people who have not signed in since <paramref name="since"/> (or never, and were created before it).</summary>
    public static IQueryable<User> InactiveSince(IQueryable<User> users, DateTimeOffset since) =>
        users.Where(u => u.Status == UserStatus.Active && (u.LastSignInAt == null ? u.CreatedAt < since : u.LastSignInAt < since));

    /// <summary>Active people without an org unit (<c>orgUnit</c>), a manager (<c>manager</c>), or either (anything else).</summary>
    public static IQueryable<User> Unplaced(IQueryable<User> users, string? missing)
    {
        users = users.Where(u => u.Status == UserStatus.Active);
        return missing switch
        {
            "orgUnit" => users.Where(u => u.OrgUnitId == null),
            "manager" => users.Where(u => u.ManagerId == null),
            _ => users.Where(u => u.OrgUnitId == null || u.ManagerId == null),
        };
    }

    /// <summary>Groups of possible duplicates (ids, oldest first): by normalised email, and by the same name under the same manager.</summary>
    public static async Task<(List<Guid[]> ByEmail, List<Guid[]> ByName)> DuplicateGroupsAsync(IdentityDbContext db, CancellationToken ct)
    {
        // Normalised email: lower case, "+tag" dropped and dots in the local part ignored.
        var byEmail = await db.Database.SqlQuery<Guid[]>($"""
            SELECT array_agg("Id" ORDER BY "CreatedAt") AS "Value" FROM users
            WHERE "ErasedAt" IS NULL
            GROUP BY replace(split_part(split_part(lower("Email"), '@', 1), '+', 1), '.', '') || '@' || split_part(lower("Email"), '@', 2)
            HAVING count(*) > 1 LIMIT 500
            """).ToListAsync(ct);
        var byName = await db.Database.SqlQuery<Guid[]>($"""
            SELECT array_agg("Id" ORDER BY "CreatedAt") AS "Value" FROM users
            WHERE "ErasedAt" IS NULL AND "ManagerId" IS NOT NULL
            GROUP BY lower("GivenName"), lower("FamilyName"), "ManagerId"
            HAVING count(*) > 1 LIMIT 500
            """).ToListAsync(ct);
        return (byEmail, byName);
    }

    public static async Task<Ok<List<DuplicateCandidate>>> Duplicates(HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        var (byEmail, byName) = await DuplicateGroupsAsync(db, ct);
        // A scoped administrator sees only the users in their subtrees, and a pair only when both are there.
        var ids = byEmail.Concat(byName).SelectMany(g => g).Distinct().ToList();
        var users = await (await db.UsersFor(http.User, Permissions.UsersRead, ct)).AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, ct);
        IEnumerable<DuplicateCandidate> Candidates(IEnumerable<Guid[]> groups, string reason) => groups
            .Select(g => g.Where(users.ContainsKey).Select(id => UserDto.From(users[id])).ToList())
            .Where(g => g.Count > 1).Select(g => new DuplicateCandidate(reason, g));
        return TypedResults.Ok(Candidates(byEmail, "same normalised email").Concat(Candidates(byName, "same name and manager")).ToList());
    }

    public static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> Unassigned([AsParameters] PageRequest paging, string? missing, HttpContext http, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await Unplaced((await db.UsersFor(http.User, Permissions.UsersRead, ct)).AsNoTracking(), missing).OrderBy(u => u.FamilyName).ThenBy(u => u.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(UserDto.From));
    }
}
