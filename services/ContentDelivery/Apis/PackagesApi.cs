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

    /// <summary>Whether a package named by URL may be fetched from a private address (tests, a closed network); off by default.</summary>
    public bool AllowPrivateImportAddresses { get; set; }
}

/// <summary>A package zip or a cmi5.xml to fetch from the web, and an optional title.</summary>
public sealed record PackageUrlRequest(string Url, string? Title);

public sealed record PackageProblemDto(string Code, string Message, string? Path, bool Warning)
{
    public static PackageProblemDto From(PackageProblem p) => new(p.Code, p.Message, p.Path, p.Warning);
}

public sealed record ContentPackageDto(Guid Id, string Title, string Standard, string? Edition, IReadOnlyList<PackageActivity> Activities,
    IReadOnlyList<string> Warnings, int FileCount, long Bytes, string FileName, DateTimeOffset UploadedAt, string UploadedBy)
{
    public static ContentPackageDto From(ContentPackage p) => new(p.Id, p.Title, StandardName(p.Standard), p.Edition,
        p.Activities, p.Warnings, p.FileCount, p.Bytes, p.FileName, p.UploadedAt, p.UploadedByName);

    /// <summary>The standard as the API and the portal name it: scorm12, scorm2004 or cmi5.</summary>
    public static string StandardName(ScormVersion standard) => standard switch
    {
        ScormVersion.Scorm12 => "scorm12", ScormVersion.Cmi5 => "cmi5", _ => "scorm2004",
    };
}

/// <summary>SCORM and cmi5 packages: upload or import from a URL (inspected, then extracted into the object store), list, read.</summary>
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
        api.MapPost("/from-url", FromUrl).WithName("ImportPackageFromUrl")
            .WithSummary("Import a package zip or a cmi5.xml from a public http(s) URL: 201 with the package, or 422 with every problem found")
            .RequireAuthorization(Permissions.ContentManage);
        api.MapGet("/", List).WithName("ListPackages").WithSummary("Packages, newest first, paged").RequireAuthorization(Permissions.ContentRead);
        api.MapGet("/{id:guid}", Get).WithName("GetPackage").WithSummary("A package: its standard, activities and files").RequireAuthorization(Permissions.ContentRead);
        return app;
    }

    public static async Task<Results<Created<ContentPackageDto>, ValidationProblem, ProblemHttpResult>> Upload(
        HttpContext http, PackageImports imports, IOptions<PackageOptions> options, CancellationToken ct)
    {
        var (upload, invalid) = await ReceivedUpload.ReceiveAsync(http, options.Value.MaxUploadBytes, "the package's zip", ct);
        if (invalid is not null) return invalid;
        await using var received = upload!;
        return Answer(await imports.ImportAsync(received.File, received.FileName, received.Title, Caller.UserIdOf(http.User), Caller.NameOf(http.User), ct));
    }

    public static async Task<Results<Created<ContentPackageDto>, ValidationProblem, ProblemHttpResult>> FromUrl(
        PackageUrlRequest request, HttpContext http, PackageFetcher fetcher, PackageImports imports, CancellationToken ct)
    {
        if (!Uri.TryCreate(request.Url?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = ["must be an absolute http or https URL"] });
        if (request.Title is { Length: > 200 }) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["title"] = ["must be at most 200 characters"] });
        var (file, fileName, problem) = await fetcher.FetchAsync(url, ct);
        if (file is null)
            return Answer(new PackageImportOutcome(null, [new PackageProblem("url.fetch", $"The file could not be fetched from {url}: {problem}")]));
        await using (file)
            return Answer(await imports.ImportAsync(file, fileName, request.Title, Caller.UserIdOf(http.User), Caller.NameOf(http.User), ct));
    }

    private static Results<Created<ContentPackageDto>, ValidationProblem, ProblemHttpResult> Answer(PackageImportOutcome outcome)
    {
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
}
