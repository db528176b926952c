using LmsPlatform.Contracts.Security;
using LmsPlatform.ContentDelivery.Application;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using LmsPlatform.ServiceDefaults.Security;

namespace LmsPlatform.ContentDelivery.Apis;

public sealed class PackageOptions
{
    /// <summary>The largest package zip accepted (1 GB; the gateway's limit for the route is set to match).</summary>
    public long MaxUploadBytes { get; set; } = 1024L * 1024 * 1024;
}

public sealed record PackageProblemDto(string Code, string Message, string? Path, bool Warning)
{
    public static PackageProblemDto From(PackageProblem p) => new(p.Code, p.Message, p.Path, p.Warning);
}

public sealed record ContentPackageDto(Guid Id, string Title, string Standard, string? Edition, IReadOnlyList<PackageActivity> Activities,
    IReadOnlyList<string> Warnings, int FileCount, long Bytes, string FileName, DateTimeOffset UploadedAt, string UploadedBy)
{
    public static ContentPackageDto From(ContentPackage p) => new(p.Id, p.Title, p.Standard == ScormVersion.Scorm12 ? "scorm12" : "scorm2004", p.Edition,
        p.Activities, p.Warnings, p.FileCount, p.Bytes, p.FileName, p.UploadedAt, p.UploadedByName);
}

/// <summary>SCORM packages: upload (inspected, then extracted into the object store), list, read.</summary>
public static class PackagesApi
{
    public static IEndpointRouteBuilder MapPackagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/content/packages").WithTags("Packages");
        var limit = app.ServiceProvider.GetRequiredService<IOptions<PackageOptions>>().Value.MaxUploadBytes;
        api.MapPost("/", Upload).WithName("UploadPackage").DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(limit + 1024 * 1024)).WithFormOptions(multipartBodyLengthLimit: limit + 1024 * 1024)
            .WithSummary("Upload a SCORM 1.2 or 2004 package (a multipart 'file' holding the zip; optional 'title'): 201 with the package, or 422 with every problem found")
            .RequireAuthorization(Permissions.ContentManage);
        api.MapGet("/", List).WithName("ListPackages").WithSummary("Packages, newest first, paged").RequireAuthorization(Permissions.ContentRead);
        api.MapGet("/{id:guid}", Get).WithName("GetPackage").WithSummary("A package: its standard, activities and files").RequireAuthorization(Permissions.ContentRead);
        return app;
    }

    public static async Task<Results<Created<ContentPackageDto>, ValidationProblem, ProblemHttpResult>> Upload(
        HttpContext http, PackageImports imports, IOptions<PackageOptions> options, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType) return Invalid("file", "is required: a multipart field named 'file' holding the package's zip");
        var form = await http.Request.ReadFormAsync(ct);
        if (form.Files.GetFile("file") is not { } file) return Invalid("file", "is required: a multipart field named 'file' holding the package's zip");
        if (file.Length == 0) return Invalid("file", "is empty");
        if (file.Length > options.Value.MaxUploadBytes) return Invalid("file", $"is larger than {options.Value.MaxUploadBytes / 1024 / 1024} MB");
        var title = form["title"].FirstOrDefault();
        if (title is { Length: > 200 }) return Invalid("title", "must be at most 200 characters");

        // A zip is read from its end (the central directory): the upload is copied to a temporary file first.
        await using var zip = new FileStream(Path.Combine(Path.GetTempPath(), $"lms-package-{Guid.NewGuid():N}.zip"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await file.CopyToAsync(zip, ct);
        zip.Position = 0;
        var outcome = await imports.ImportAsync(zip, Path.GetFileName(file.FileName), title, Caller.UserIdOf(http.User), Caller.NameOf(http.User), ct);
        if (outcome.Package is not { } package)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The package was refused",
                detail: string.Join(" ", outcome.Problems.Where(p => !p.Warning).Take(5).Select(p => p.Message)),
                extensions: new Dictionary<string, object?> { ["problems"] = outcome.Problems.Select(PackageProblemDto.From).ToList() });
        return TypedResults.Created($"/api/content/packages/{package.Id}", ContentPackageDto.From(package));
    }

    public static async Task<Results<Ok<Page<ContentPackageDto>>, ValidationProblem>> List([AsParameters] PageRequest paging, ContentDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await db.Packages.AsNoTracking().OrderByDescending(p => p.UploadedAt).ThenBy(p => p.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(ContentPackageDto.From));
    }

    public static async Task<Results<Ok<ContentPackageDto>, NotFound>> Get(Guid id, ContentDbContext db, CancellationToken ct) =>
        await db.Packages.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } package
            ? TypedResults.Ok(ContentPackageDto.From(package))
            : TypedResults.NotFound();

    private static ValidationProblem Invalid(string field, string message) => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
