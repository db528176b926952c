using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Packages;
using Microsoft.AspNetCore.StaticFiles;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>What became of an uploaded package: imported (with what the inspection noted), or refused with every problem.</summary>
public sealed record PackageImportOutcome(ContentPackage? Package, IReadOnlyList<PackageProblem> Problems);

/// <summary>
/// Imports a SCORM or cmi5 package, or a bare cmi5.xml: inspects the zip (<see cref="PackageInspection"/>: nothing is extracted from a refused
/// one), then extracts each file into the object store under the package's prefix, counting what each really inflates
/// to, and records the package (and a content item of the same id, for courses to use). A failure part-way removes what was stored: nothing is half-written.
/// </summary>
public sealed class PackageImports(ContentDbContext db, IObjectStore store, IUploadScanner scanner, TimeProvider time, ILogger<PackageImports> log)
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Imports the zip in <paramref name="zip"/> (seekable).</summary>
    public async Task<PackageImportOutcome> ImportAsync(Stream zip, string fileName, string? title, Guid? byId, string byName, CancellationToken ct)
    {
        var verdict = await scanner.ScanAsync(zip, fileName, ct);
        if (!verdict.Clean) return new(null, [new PackageProblem("upload.scan", $"The virus scan found {verdict.Finding}.")]);
        zip.Position = 0;
        // A zip is a package; anything else can only be a bare cmi5 course structure, whose AUs are hosted elsewhere.
        var inspection = PackageInspection.IsZip(zip) ? PackageInspection.Of(zip) : PackageInspection.OfCmi5Structure(zip);
        if (!inspection.Accepted) return new(null, inspection.Problems);
        var now = time.GetUtcNow();
        var package = ContentPackage.Import(Guid.CreateVersion7(now), title, fileName, inspection, byId, byName, now);
        try
        {
            if (inspection.Files.Count > 0)
            {
                zip.Position = 0;
                using var archive = PackageArchive.Open(zip);
                foreach (var file in inspection.Files)
                {
                    await using var content = archive.OpenEntry(file.Path);
                    await store.PutAsync(package.StoragePrefix + file.Path, content, ContentTypeOf(file.Path), ct);
                }
            }
            db.Packages.Add(package);
            // The package is also a content item (with the package's id), which course activities refer to.
            db.ContentItems.Add(new ContentItem
            {
                Id = package.Id, Title = package.Title, Kind = package.Standard switch
                {
                    ScormVersion.Scorm12 => ContentKind.Scorm12, ScormVersion.Cmi5 => ContentKind.Cmi5, _ => ContentKind.Scorm2004,
                },
                PackageId = package.Id, CreatedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }
        catch (InvalidDataException ex)
        {
            await store.DeletePrefixAsync(package.StoragePrefix, CancellationToken.None);
            return new(null, [.. inspection.Problems, new PackageProblem("archive.content", $"The archive could not be extracted: {ex.Message}")]);
        }
        catch
        {
            await store.DeletePrefixAsync(package.StoragePrefix, CancellationToken.None);
            throw;
        }
        log.LogInformation("Package {Title} imported: {Standard}, {Files} files, {Bytes} bytes", package.Title, package.Standard, package.FileCount, package.Bytes);
        return new(package, inspection.Problems);
    }

    /// <summary>The media type a browser needs for a package's file (unknown extensions are served as bytes).</summary>
    public static string ContentTypeOf(string path) => ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";
}
