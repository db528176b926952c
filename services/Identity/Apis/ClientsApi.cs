using LmsPlatform.Identity.Application;
using Permissions = LmsPlatform.Contracts.Security.Permissions;
using System.Security.Cryptography;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace LmsPlatform.Identity.Apis;

public sealed record ClientRequest(string? ClientId, string? DisplayName, string[]? Permissions, bool Scim = false)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors().Required("clientId", ClientId, 100).Required("displayName", DisplayName, 200);
        if (ClientId is { } id && !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            errors.Add("clientId", "may hold only letters, digits, '-', '_' and '.'");
        foreach (var p in Permissions ?? [])
            errors.Check(LmsPlatform.Contracts.Security.Permissions.All.Contains(p), "permissions", $"'{p}' is not a permission");
        return errors.ToDictionary();
    }
}

public sealed record ClientDto(string ClientId, string DisplayName, IReadOnlyList<string> Permissions, bool Scim, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>The secret is shown once, in the answer to the create; only its hash is kept.</summary>
public sealed record CreatedClientDto(string ClientId, string ClientSecret, string DisplayName, IReadOnlyList<string> Permissions, bool Scim);

/// <summary>Integration clients (HR systems, SCIM provisioning, reporting tools) that use the client credentials grant.</summary>
public static class ClientsApi
{
    public static IEndpointRouteBuilder MapClientsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/clients").WithTags("Clients").RequireOrganisationWide(Permissions.ClientsManage);
        api.MapPost("/", Create).WithName("CreateClient").WithSummary("Register an integration client; its secret is returned once");
        api.MapGet("/", List).WithName("ListClients").WithSummary("List integration clients");
        api.MapDelete("/{clientId}", Delete).WithName("DeleteClient").WithSummary("Remove an integration client; its tokens stop being issued");
        return app;
    }

    public static async Task<Results<Created<CreatedClientDto>, ValidationProblem, Conflict<ProblemDetails>>> Create(
        ClientRequest request, HttpContext http, IdentityDbContext db, IOpenIddictApplicationManager applications, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (await applications.FindByClientIdAsync(request.ClientId!, ct) is not null)
            return Problems.Conflict($"A client '{request.ClientId}' exists already.", "clientId");

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = request.ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = request.DisplayName,
            Permissions = { OpenIddictConstants.Permissions.Endpoints.Token, OpenIddictConstants.Permissions.Endpoints.Revocation,
                OpenIddictConstants.Permissions.GrantTypes.ClientCredentials, OpenIddictConstants.Permissions.Prefixes.Scope + LmsClaims.ApiScope },
        };
        if (request.Scim) descriptor.Permissions.Add(OpenIddictConstants.Permissions.Prefixes.Scope + LmsClaims.ScimScope);
        var now = time.GetUtcNow();
        var actor = Actor.From(http);
        var grant = new ClientGrant
        {
            ClientId = request.ClientId!, DisplayName = request.DisplayName!, Permissions = [.. (request.Permissions ?? []).Distinct()],
            CreatedAt = now, CreatedBy = actor.Name,
        };
        db.ClientGrants.Add(grant);
        db.Audit(actor, "client.created", "client", grant.ClientId, null, new { grant.DisplayName, grant.Permissions, request.Scim }, now);
        await applications.CreateAsync(descriptor, ct); // OpenIddict hashes the secret
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/identity/clients/{grant.ClientId}",
            new CreatedClientDto(grant.ClientId, secret, grant.DisplayName, grant.Permissions, request.Scim));
    }

    public static async Task<Ok<List<ClientDto>>> List(IdentityDbContext db, IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var grants = await db.ClientGrants.AsNoTracking().OrderBy(g => g.ClientId).ToListAsync(ct);
        var result = new List<ClientDto>();
        foreach (var g in grants)
        {
            var app = await applications.FindByClientIdAsync(g.ClientId, ct);
            var scim = app is not null && (await applications.GetPermissionsAsync(app, ct)).Contains(OpenIddictConstants.Permissions.Prefixes.Scope + LmsClaims.ScimScope);
            result.Add(new ClientDto(g.ClientId, g.DisplayName, g.Permissions, scim, g.CreatedAt, g.CreatedBy));
        }
        return TypedResults.Ok(result);
    }

    public static async Task<Results<NoContent, NotFound>> Delete(string clientId, HttpContext http, IdentityDbContext db, IOpenIddictApplicationManager applications, CancellationToken ct)
    {
        var grant = await db.ClientGrants.FirstOrDefaultAsync(g => g.ClientId == clientId, ct);
        if (grant is null) return TypedResults.NotFound();
        if (await applications.FindByClientIdAsync(clientId, ct) is { } app) await applications.DeleteAsync(app, ct);
        db.ClientGrants.Remove(grant);
        db.Audit(Actor.From(http), "client.deleted", "client", clientId, new { grant.DisplayName, grant.Permissions }, null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
