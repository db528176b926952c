using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record CreateUserRequest(string? Email, string? GivenName, string? FamilyName, string? ExternalId)
{
    public Dictionary<string, string[]> Validate() => new ValidationErrors()
        .Email("email", Email)
        .Required("givenName", GivenName, 100)
        .Required("familyName", FamilyName, 100)
        .MaxLength("externalId", ExternalId, 64)
        .ToDictionary();
}

public sealed record UserDto(Guid Id, string Email, string GivenName, string FamilyName, string? ExternalId, string Status, DateTimeOffset CreatedAt)
{
    public static UserDto From(User u) => new(u.Id, u.Email, u.GivenName, u.FamilyName, u.ExternalId, u.Status.ToString(), u.CreatedAt);
}

public static class UsersApi
{
    public static IEndpointRouteBuilder MapUsersApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/users").WithTags("Users");
        api.MapPost("/", CreateUser).WithName("CreateUser").WithSummary("Create a user; publishes UserCreated");
        api.MapGet("/{id:guid}", GetUser).WithName("GetUser").WithSummary("Get a user by id");
        api.MapGet("/", ListUsers).WithName("ListUsers").WithSummary("List users, newest first, paged; search by name or email");
        return app;
    }

    public static async Task<Results<Created<UserDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateUser(
        CreateUserRequest request, IdentityDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = request.Validate();
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var email = request.Email!.Trim();
        var normalized = User.Normalize(email);
        var externalId = string.IsNullOrWhiteSpace(request.ExternalId) ? null : request.ExternalId.Trim();
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, ct))
            return EmailTaken(email);
        if (externalId is not null && await db.Users.AnyAsync(u => u.ExternalId == externalId, ct))
            return Problems.Conflict("A user with this external id exists already.", "externalId");

        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            NormalizedEmail = normalized,
            GivenName = request.GivenName!.Trim(),
            FamilyName = request.FamilyName!.Trim(),
            ExternalId = externalId,
            Status = UserStatus.Active,
            CreatedAt = time.GetUtcNow(),
        };
        db.Users.Add(user);
        db.AddIntegrationEvent(new UserCreated(user.Id, user.Email, user.GivenName, user.FamilyName, user.ExternalId, user.CreatedAt));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return EmailTaken(email); // a concurrent request won the race
        }
        return TypedResults.Created($"/api/identity/users/{user.Id}", UserDto.From(user));
    }

    public static async Task<Results<Ok<UserDto>, NotFound>> GetUser(Guid id, IdentityDbContext db, CancellationToken ct) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct) is { } user
            ? TypedResults.Ok(UserDto.From(user))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<UserDto>>, ValidationProblem>> ListUsers(
        [AsParameters] PageRequest paging, string? search, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var pattern = $"%{search.Trim()}%";
            query = query.Where(u => EF.Functions.ILike(u.Email, pattern) || EF.Functions.ILike(u.GivenName, pattern) || EF.Functions.ILike(u.FamilyName, pattern));
        }
        var page = await query.OrderByDescending(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => UserDto.From(u)).ToPageAsync(paging, ct);
        return TypedResults.Ok(page);
    }

    private static Conflict<ProblemDetails> EmailTaken(string email) =>
        Problems.Conflict($"A user with the email '{email}' exists already.", "email");
}
