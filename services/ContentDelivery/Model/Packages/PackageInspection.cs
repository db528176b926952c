namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>
/// What an uploaded SCORM or cmi5 package is, or why it is refused: the archive's checks (<see cref="PackageArchive"/>),
/// then the manifest's (<see cref="ScormPackage.Read"/>) or course structure's, every problem in one report. Nothing
/// is extracted here.
/// </summary>
public sealed record PackageInspection(ScormPackage? Package, IReadOnlyList<PackageProblem> Problems, IReadOnlyList<PackageEntry> Files,
    Cmi5CourseStructure? Cmi5 = null)
{
    public bool Accepted => (Package is not null || Cmi5 is not null) && Problems.All(p => p.Warning);

    /// <summary>
    /// Inspects a bare cmi5 course structure (a <c>cmi5.xml</c> without a package): its AUs live elsewhere, so their
    /// URLs must be absolute.
    /// </summary>
    public static PackageInspection OfCmi5Structure(Stream xml)
    {
        var problems = new List<PackageProblem>();
        Span<byte> head = stackalloc byte[64];
        var text = System.Text.Encoding.UTF8.GetString(head[..xml.ReadAtLeast(head, head.Length, throwOnEndOfStream: false)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        xml.Position = 0;
        if (!text.StartsWith('<'))
        {
            problems.Add(new("archive.unreadable", "The file is neither a zip (a SCORM or cmi5 package) nor a cmi5.xml course structure."));
            return new(null, problems, []);
        }
        return new(null, problems, [], Cmi5CourseStructure.Read(xml, null, problems));
    }

    /// <summary>Whether an upload is a zip (by its signature) rather than, say, a bare cmi5.xml.</summary>
    public static bool IsZip(Stream upload)
    {
        Span<byte> head = stackalloc byte[4];
        var read = upload.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        upload.Position = 0;
        return read == 4 && head[0] == (byte)'P' && head[1] == (byte)'K';
    }

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
