using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model.Xapi;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Apis;

public sealed record CreateXapiClientRequest(string? Name, string[]? Scopes);

public sealed record XapiClientDto(Guid Id, string Name, string Key, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>The one time a secret is shown: the client, the secret, and the LRS's address to configure a tool with.</summary>
public sealed record CreatedXapiClientDto(XapiClientDto Client, string Secret, string Endpoint);

/// <summary>
/// LRS credentials for outside tools, managed by whoever manages the platform's API clients: create one (its secret is
/// shown once), list them, revoke one (it stops working within 30 s).
/// </summary>
public static class XapiClientsApi
{
    public static IEndpointRouteBuilder MapXapiClientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content/xapi-clients").WithTags("xAPI LRS").RequireAuthorization(Permissions.ClientsManage);
        api.MapGet("/", List).WithName("ListXapiClients").WithSummary("The LRS's client credentials, newest first");
        api.MapPost("/", Create).WithName("CreateXapiClient").WithSummary("Create a Basic credential for the LRS; the secret is in this answer only");
        api.MapPost("/{id:guid}/revoke", Revoke).WithName("RevokeXapiClient").WithSummary("Revoke a credential");
        return app;
    }

    private static XapiClientDto Dto(XapiClient c) => new(c.Id, c.Name, c.Key, c.Scopes, c.CreatedAt, c.RevokedAt);

    private static async Task<Ok<List<XapiClientDto>>> List(ContentDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.XapiClients.AsNoTracking().OrderByDescending(c => c.CreatedAt).Take(500).ToListAsync(cancellationToken)).Select(Dto).ToList());

    private static async Task<Created<CreatedXapiClientDto>> Create(CreateXapiClientRequest request, HttpContext http, ContentDbContext db,
        Application.Xapi.XapiAuthentication authentication, TimeProvider time, CancellationToken cancellationToken)
    {
        var (client, secret) = XapiClient.Create(request.Name ?? "", request.Scopes, Caller.UserIdOf(http.User) ?? Guid.Empty, time.GetUtcNow());
        db.XapiClients.Add(client);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/content/xapi-clients/{client.Id}", new CreatedXapiClientDto(Dto(client), secret, authentication.HomePage + XapiApi.Root + "/"));
    }

    private static async Task<Results<NoContent, NotFound>> Revoke(Guid id, ContentDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var client = await db.XapiClients.FirstOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (client is null) return TypedResults.NotFound();
        client.Revoke(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
