using LmsPlatform.Contracts.Security;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Apis;

public sealed record CreateContentItemRequest(string? Title, string? Kind, string? Url)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors().Required("title", Title, 200).MaxLength("url", Url, 2000);
        if (!Enum.TryParse<ContentKind>(Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            errors.Add("kind", $"must be one of: {string.Join(", ", Enum.GetNames<ContentKind>())}");
        else if (kind == ContentKind.Link && string.IsNullOrWhiteSpace(Url))
            errors.Add("url", "is required for a link");
        // Whatever the kind, a URL is one a browser may fetch: never file:, javascript:, data: or the like.
        if (!string.IsNullOrWhiteSpace(Url))
            errors.Check(Uri.TryCreate(Url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https", "url", "must be an absolute http(s) URL");
        return errors.ToDictionary();
    }
}

public sealed record ContentItemDto(Guid Id, string Title, string Kind, string? Url, DateTimeOffset CreatedAt, string? FileName = null, string? MediaType = null,
    long? Bytes = null, Guid? PackageId = null)
{
    public static ContentItemDto From(ContentItem c) => new(c.Id, c.Title, c.Kind.ToString(), c.Url, c.CreatedAt, c.FileName, c.MediaType, c.Bytes, c.PackageId);
}

public sealed class FileUploadOptions
{
    /// <summary>The largest document or media file accepted (2 GB; the gateway's limit for the route is set to match).</summary>
    public long MaxUploadBytes { get; set; } = 2048L * 1024 * 1024;
}

public static class ContentItemsApi
{
    public static IEndpointRouteBuilder MapContentItemsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content/items").WithTags("Content items");
        api.MapPost("/", CreateContentItem).WithName("CreateContentItem").WithSummary("Register a content item").RequireAuthorization(Permissions.ContentManage);
        var limit = app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<FileUploadOptions>>().Value.MaxUploadBytes;
        app.MapPost("/api/content/files", UploadFile).WithTags("Content items").WithName("UploadFile").DisableAntiforgery()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(limit + 1024 * 1024)).WithFormOptions(multipartBodyLengthLimit: limit + 1024 * 1024)
            .WithSummary("Upload a document or media file (a multipart 'file'; optional 'title'): 201 with the content item, 415 for a kind not taken, 422 when the scan refuses it")
            .RequireAuthorization(Permissions.ContentManage);
        api.MapGet("/{id:guid}", GetContentItem).WithName("GetContentItem").WithSummary("Get a content item by id").RequireAuthorization(Permissions.ContentRead);
        api.MapGet("/", ListContentItems).WithName("ListContentItems").WithSummary("List content items, newest first, paged").RequireAuthorization(Permissions.ContentRead);
        return app;
    }

    public static async Task<Results<Created<ContentItemDto>, ValidationProblem>> CreateContentItem(
        CreateContentItemRequest request, ContentDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var item = new ContentItem
        {
            Id = Guid.CreateVersion7(),
            Title = request.Title!.Trim(),
            Kind = Enum.Parse<ContentKind>(request.Kind!, ignoreCase: true),
            Url = string.IsNullOrWhiteSpace(request.Url) ? null : request.Url.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        db.ContentItems.Add(item);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/content/items/{item.Id}", ContentItemDto.From(item));
    }

    public static async Task<Results<Created<ContentItemDto>, ValidationProblem, ProblemHttpResult>> UploadFile(HttpContext http, FileUploads uploads,
        Microsoft.Extensions.Options.IOptions<FileUploadOptions> options, CancellationToken ct)
    {
        var (upload, invalid) = await ReceivedUpload.ReceiveAsync(http, options.Value.MaxUploadBytes, "the document or media file", ct);
        if (invalid is not null) return invalid;
        await using var received = upload!;
        var (item, refusal) = await uploads.UploadAsync(received.File, received.FileName, received.Title, ct);
        if (refusal is not null) return TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);
        return TypedResults.Created($"/api/content/items/{item!.Id}", ContentItemDto.From(item));
    }

    public static async Task<Results<Ok<ContentItemDto>, NotFound>> GetContentItem(Guid id, ContentDbContext db, CancellationToken ct) =>
        await db.ContentItems.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is { } item
            ? TypedResults.Ok(ContentItemDto.From(item))
            : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<ContentItemDto>>, ValidationProblem>> ListContentItems(
        [AsParameters] PageRequest paging, ContentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await db.ContentItems.AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => ContentItemDto.From(c)).ToPageAsync(paging, ct));
    }
}
