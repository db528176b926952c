using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.Identity.Application;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Apis;

public sealed record AuditQuery(string? ActorId, string? Actor, string? Action, string? EntityType, string? EntityId, DateTimeOffset? From, DateTimeOffset? To);

public sealed record AuditEntryDto(Guid Id, DateTimeOffset OccurredAt, string? ActorId, string ActorName, string Action, string EntityType,
    string EntityId, string? Before, string? After, string? IpAddress, string? TraceId)
{
    public static AuditEntryDto From(AuditEntry a) => new(a.Id, a.OccurredAt, a.ActorId, a.ActorName, a.Action, a.EntityType, a.EntityId, a.Before, a.After, a.IpAddress, a.TraceId);
}

/// <summary>The audit log: every administrative change, newest first, filtered and paged, and exportable as CSV.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/identity/audit").WithTags("Audit").RequireOrganisationWide(Permissions.AuditRead);
        api.MapGet("/", List).WithName("ListAudit").WithSummary("Audit entries, newest first; filter by actor, action, entity and time; paged");
        api.MapGet("/export", Export).WithName("ExportAudit").WithSummary("The filtered audit entries as CSV (streamed)");
        return app;
    }

    public static async Task<Results<Ok<Page<AuditEntryDto>>, ValidationProblem>> List(
        [AsParameters] PageRequest paging, [AsParameters] AuditQuery filter, IdentityDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await Filter(db, filter).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(AuditEntryDto.From));
    }

    public static Task Export([AsParameters] AuditQuery filter, HttpContext http, IdentityDbContext db, CancellationToken ct) =>
        db.StreamAsync(token => CsvFile.WriteAsync(http.Response, $"audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv",
            Filter(db, filter).AsAsyncEnumerable().Select(AuditEntryDto.From), token), ct);

    private static IQueryable<AuditEntry> Filter(IdentityDbContext db, AuditQuery f)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (f.ActorId is { Length: > 0 }) query = query.Where(a => a.ActorId == f.ActorId);
        if (f.Actor is { Length: > 0 }) query = query.Where(a => EF.Functions.ILike(a.ActorName, $"%{UsersApi.Like(f.Actor)}%"));
        if (f.Action is { Length: > 0 }) query = query.Where(a => a.Action == f.Action);
        if (f.EntityType is { Length: > 0 }) query = query.Where(a => a.EntityType == f.EntityType);
        if (f.EntityId is { Length: > 0 }) query = query.Where(a => a.EntityId == f.EntityId);
        if (f.From is { } from) query = query.Where(a => a.OccurredAt >= from);
        if (f.To is { } to) query = query.Where(a => a.OccurredAt < to);
        return query.OrderByDescending(a => a.OccurredAt).ThenByDescending(a => a.Id);
    }
}
