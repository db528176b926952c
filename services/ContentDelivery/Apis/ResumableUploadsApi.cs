using System.Security.Cryptography;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using LmsPlatform.ContentDelivery.Model.Files;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LmsPlatform.ContentDelivery.Apis;

public sealed record BeginUploadRequest(string? FileName, string? Title, long? Length, string? Sha256);

public sealed record ResumableUploadDto(Guid Id, string FileName, long Length, long Offset, int ChunkBytes, DateTimeOffset ExpiresAt, DateTimeOffset? CompletedAt,
    Guid? ResultId)
{
    public static ResumableUploadDto From(ResumableUpload u) => new(u.Id, u.FileName, u.Length, u.Offset, ResumableUpload.MaxChunkBytes, u.ExpiresAt, u.CompletedAt,
        u.ResultId);
}

/// <summary>What a completed upload became: a package (<c>kind</c> "package") or a document or media file ("file"), and where it is.</summary>
public sealed record UploadResultDto(Guid Id, string Kind, string Location);

/// <summary>
/// Resumable uploads for large files (a 1 GB video over a hotel's Wi-Fi): begin with the name, length and SHA-256 of
/// the whole; send chunks of up to 16 MB in order, each with its own digest (<c>Content-Digest: sha-256=:…:</c>,
/// RFC 9530); ask where it stands after a break; complete, and the file is checked whole and taken like a one-request
/// upload (a zip as a package, the rest as a document or media file).
/// </summary>
public static class ResumableUploadsApi
{
    public static IEndpointRouteBuilder MapResumableUploadsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content/uploads").WithTags("Uploads").RequireAuthorization(Permissions.ContentManage);
        api.MapPost("/", Begin).WithName("BeginUpload").WithSummary("Begin a resumable upload: the file's name, length and SHA-256");
        api.MapGet("/{id:guid}", Get).WithName("GetUpload").WithSummary("Where a resumable upload stands (the offset to send from)");
        api.MapPut("/{id:guid}", Chunk).WithName("UploadChunk").DisableAntiforgery()
            .WithSummary("The chunk starting at ?offset= (application/octet-stream, up to 16 MB) with its Content-Digest: sha-256");
        api.MapPost("/{id:guid}/complete", Complete).WithName("CompleteUpload").WithSummary("Check the whole file and take it as a package or a file");
        return app;
    }

    public static async Task<Results<Created<ResumableUploadDto>, ValidationProblem>> Begin(BeginUploadRequest request, HttpContext http, ContentDbContext db,
        IOptions<FileUploadOptions> options, TimeProvider time, CancellationToken ct)
    {
        try
        {
            var upload = ResumableUpload.Begin(request.FileName, request.Title, request.Length ?? 0, request.Sha256, options.Value.MaxUploadBytes,
                Caller.UserIdOf(http.User), time.GetUtcNow());
            db.Uploads.Add(upload);
            await db.SaveChangesAsync(ct);
            return TypedResults.Created($"/api/content/uploads/{upload.Id}", ResumableUploadDto.From(upload));
        }
        catch (DomainRuleException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [ex.Field] = [ex.Message] });
        }
    }

    public static async Task<Results<Ok<ResumableUploadDto>, NotFound>> Get(Guid id, ContentDbContext db, CancellationToken ct) =>
        await db.Uploads.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct) is { } upload ? TypedResults.Ok(ResumableUploadDto.From(upload)) : TypedResults.NotFound();

    public static async Task<IResult> Chunk(Guid id, long? offset, HttpContext http, ContentDbContext db, IObjectStore store, TimeProvider time, CancellationToken ct)
    {
        if (await db.Uploads.FirstOrDefaultAsync(u => u.Id == id, ct) is not { } upload) return TypedResults.NotFound();
        if (offset is null) return ValidationProblem("offset", "is required: the byte the chunk starts at");
        if (Digest(http.Request.Headers["Content-Digest"].ToString()) is not { } declared)
            return ValidationProblem("Content-Digest", "is required: the chunk's SHA-256 as 'sha-256=:<base64>:'");
        var length = http.Request.ContentLength ?? -1;
        try
        {
            var index = upload.CheckChunk(offset.Value, length, time.GetUtcNow());
            var chunk = new byte[length];
            await http.Request.Body.ReadExactlyAsync(chunk, ct);
            if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(chunk), declared))
                return TypedResults.Problem(statusCode: 422, title: "The chunk arrived damaged", detail: "Its SHA-256 is not the one its Content-Digest names; send it again.");
            await store.PutAsync(upload.ChunkKey(index), new MemoryStream(chunk, writable: false), "application/octet-stream", ct);
            upload.Appended(length, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            return TypedResults.Ok(ResumableUploadDto.From(upload));
        }
        catch (DomainRuleException ex)
        {
            return ex.IsConflict
                ? TypedResults.Problem(statusCode: 409, title: "The chunk does not fit", detail: ex.Message,
                    extensions: new Dictionary<string, object?> { ["offset"] = upload.Offset })
                : ValidationProblem(ex.Field, ex.Message);
        }
        catch (DbUpdateConcurrencyException)
        {
            return TypedResults.Problem(statusCode: 409, title: "Another chunk was taken at the same time", detail: "Ask where the upload stands and go on from there.");
        }
        catch (EndOfStreamException)
        {
            return ValidationProblem("chunk", "ended before its Content-Length");
        }
    }

    /// <summary>
    /// The chunks joined into one temporary file and checked against the declared SHA-256, then taken as one
    /// request's upload would be; the chunks are removed whatever the outcome, and the upload records it.
    /// </summary>
    public static async Task<IResult> Complete(Guid id, HttpContext http, ContentDbContext db, IObjectStore store, PackageImports packages, FileUploads files,
        TimeProvider time, CancellationToken ct)
    {
        if (await db.Uploads.FirstOrDefaultAsync(u => u.Id == id, ct) is not { } upload) return TypedResults.NotFound();
        try
        {
            upload.RequireComplete(time.GetUtcNow());
        }
        catch (DomainRuleException ex)
        {
            return TypedResults.Problem(statusCode: 409, title: "The upload is not ready", detail: ex.Message,
                extensions: new Dictionary<string, object?> { ["offset"] = upload.Offset });
        }
        await using var whole = new FileStream(Path.Combine(Path.GetTempPath(), $"lms-upload-{upload.Id:N}"), FileMode.Create, FileAccess.ReadWrite, FileShare.None,
            81920, System.IO.FileOptions.DeleteOnClose | System.IO.FileOptions.Asynchronous);
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (var index = 0; index < upload.Chunks; index++)
            {
                await using var chunk = await store.ReadAsync(upload.ChunkKey(index), 0, null, ct)
                    ?? throw new InvalidOperationException($"Chunk {index} of upload {upload.Id} is missing from the store.");
                await HashingCopy.CopyAsync(chunk, whole, sha, ct);
            }
            if (Convert.ToHexStringLower(sha.GetHashAndReset()) != upload.Sha256)
            {
                await FinishAsync(null);
                return TypedResults.Problem(statusCode: 422, title: "The file arrived damaged",
                    detail: "Its SHA-256 is not the one declared when the upload began. Nothing was kept; upload it again.");
            }
        }
        whole.Position = 0;
        if (upload.FileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var outcome = await packages.ImportAsync(whole, upload.FileName, upload.Title, Caller.UserIdOf(http.User), Caller.NameOf(http.User), ct);
            await FinishAsync(outcome.Package?.Id);
            if (outcome.Package is not { } package)
                return TypedResults.Problem(statusCode: 422, title: "The package was refused",
                    detail: string.Join(" ", outcome.Problems.Where(p => !p.Warning).Take(5).Select(p => p.Message)),
                    extensions: new Dictionary<string, object?> { ["problems"] = outcome.Problems.Select(PackageProblemDto.From).ToList() });
            return TypedResults.Created($"/api/content/packages/{package.Id}", new UploadResultDto(package.Id, "package", $"/api/content/packages/{package.Id}"));
        }
        var (item, refusal) = await files.UploadAsync(whole, upload.FileName, upload.Title, ct);
        await FinishAsync(item?.Id);
        if (refusal is not null) return TypedResults.Problem(statusCode: refusal.Status, title: refusal.Title, detail: refusal.Detail);
        return TypedResults.Created($"/api/content/items/{item!.Id}", new UploadResultDto(item.Id, "file", $"/api/content/items/{item.Id}"));

        async Task FinishAsync(Guid? result)
        {
            await store.DeletePrefixAsync(upload.StoragePrefix, CancellationToken.None);
            upload.Finished(result, time.GetUtcNow());
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    /// <summary>The SHA-256 an RFC 9530 <c>Content-Digest</c> names (<c>sha-256=:base64:</c>, among others), or null.</summary>
    public static byte[]? Digest(string header)
    {
        foreach (var member in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = member.IndexOf('=');
            if (equals <= 0 || !member[..equals].Trim().Equals("sha-256", StringComparison.OrdinalIgnoreCase)) continue;
            var value = member[(equals + 1)..].Trim();
            if (value.Length < 2 || value[0] != ':' || value[^1] != ':') return null;
            try
            {
                var bytes = Convert.FromBase64String(value[1..^1]);
                return bytes.Length == 32 ? bytes : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }

    private static ValidationProblem ValidationProblem(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
