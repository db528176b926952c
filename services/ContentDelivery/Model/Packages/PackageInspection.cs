namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>
/// What an uploaded SCORM package is, or why it is refused: the archive's checks (<see cref="PackageArchive"/>), then
/// the manifest's (<see cref="ScormPackage.Read"/>), every problem in one report. Nothing is extracted here.
/// </summary>
public sealed record PackageInspection(ScormPackage? Package, IReadOnlyList<PackageProblem> Problems, IReadOnlyList<PackageEntry> Files,
    Cmi5CourseStructure? Cmi5 = null)
{
    public bool Accepted => (Package is not null || Cmi5 is not null) && Problems.All(p => p.Warning);

    /// <summary>Inspects the zip in <paramref name="zip"/> (seekable; left open).</summary>
    public static PackageInspection Of(Stream zip, PackageLimits? limits = null)
    {
        using var archive = PackageArchive.Open(zip, limits);
        var problems = archive.Problems.ToList();
        if (!archive.IsValid) return new(null, problems, []);
        // A cmi5 package has its course structure at the root; its AUs talk xAPI to the LRS instead of a runtime API.
        if (archive.Contains(Cmi5CourseStructure.FileName))
        {
            using var structure = archive.OpenEntry(Cmi5CourseStructure.FileName);
            return new(null, problems, archive.Entries, Cmi5CourseStructure.Read(structure, archive.Contains, problems));
        }
        if (!archive.Contains(ScormPackage.ManifestPath))
        {
            var nested = archive.Entries.FirstOrDefault(e => e.Path.EndsWith("/" + ScormPackage.ManifestPath, StringComparison.OrdinalIgnoreCase));
            problems.Add(new("manifest.missing", nested is null
                ? "The package has no imsmanifest.xml (SCORM) or cmi5.xml (cmi5) at its root."
                : $"imsmanifest.xml must be at the package's root; it is at '{nested.Path}' (zip the folder's contents, not the folder).", nested?.Path));
            return new(null, problems, archive.Entries);
        }
        using var manifest = archive.OpenEntry(ScormPackage.ManifestPath);
        var package = ScormPackage.Read(manifest, archive.Contains, problems);
        return new(package, problems, archive.Entries);
    }
}
