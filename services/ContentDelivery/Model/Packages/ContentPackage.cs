using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>
/// One launchable activity of a package, as the player opens it. For cmi5 it is an AU: <see cref="ItemId"/> is its
/// publisher id, <see cref="Path"/> its URL (a path in the package, or absolute), <see cref="MasteryScore"/> 0–1, and
/// <see cref="MoveOn"/>, <see cref="LaunchParameters"/>, <see cref="LaunchMethod"/> and the publisher ids of the
/// <see cref="Blocks"/> it sits in (outermost first) come from the course structure.
/// </summary>
public sealed record PackageActivity(string ItemId, string Title, string Path, string? Query, bool IsSco, double? MasteryScore, double? CompletionThreshold,
    string? MoveOn = null, string? LaunchParameters = null, string? LaunchMethod = null, string[]? Blocks = null);

/// <summary>
/// An imported SCORM package: its standard and edition, the activities of its default organisation in order, and
/// where its files are stored (<see cref="StoragePrefix"/>). Made only from an accepted inspection
/// (<see cref="Import"/>), so a stored package is always one a player can launch.
/// </summary>
public sealed class ContentPackage : Aggregate
{
    private ContentPackage() { }

    public Guid Id { get; private set; }
    public string Title { get; private set; } = "";
    public ScormVersion Standard { get; private set; }
    public string? Edition { get; private set; }
    public string ManifestIdentifier { get; private set; } = "";
    public List<PackageActivity> Activities { get; private set; } = [];
    /// <summary>What the inspection noted without refusing (a listed file missing, an external launch).</summary>
    public List<string> Warnings { get; private set; } = [];
    public int FileCount { get; private set; }
    public long Bytes { get; private set; }
    public string FileName { get; private set; } = "";
    public DateTimeOffset UploadedAt { get; private set; }
    public Guid? UploadedById { get; private set; }
    public string UploadedByName { get; private set; } = "";

    public string StoragePrefix => StoragePrefixOf(Id);

    public static string StoragePrefixOf(Guid id) => $"packages/{id:N}/";

    /// <summary>The package an accepted inspection describes; its files are stored under <see cref="StoragePrefixOf"/> the id given.</summary>
    public static ContentPackage Import(Guid id, string? title, string fileName, PackageInspection inspection, Guid? byId, string byName, DateTimeOffset now)
    {
        if (!inspection.Accepted) throw new DomainRuleException("file", "The package was refused; it cannot be imported.");
        if (title is { Length: > 200 }) throw DomainRuleException.Invalid("title", "must be at most 200 characters");
        if (inspection.Cmi5 is { } course)
            return new ContentPackage
            {
                Id = id, Title = string.IsNullOrWhiteSpace(title) ? Shorten(course.Title) : title.Trim(), Standard = ScormVersion.Cmi5, Edition = "Quartz",
                ManifestIdentifier = Shorten(course.CourseId),
                Activities = [.. course.Aus.Select(au =>
                {
                    var absolute = Uri.TryCreate(au.Url, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1;
                    var path = absolute ? au.Url.Split('?')[0] : PackageArchive.Normalise(Uri.UnescapeDataString(au.Url.Split('?', '#')[0]))!;
                    var query = au.Url.Contains('?') ? au.Url[(au.Url.IndexOf('?') + 1)..] : null;
                    return new PackageActivity(au.Id, au.Title, path, query, true, au.MasteryScore, null, au.MoveOn, au.LaunchParameters, au.LaunchMethod,
                        au.Blocks.Count == 0 ? null : [.. au.Blocks]);
                })],
                Warnings = [.. inspection.Problems.Where(p => p.Warning).Select(p => p.Message).Take(50)],
                FileCount = inspection.Files.Count, Bytes = inspection.Files.Sum(f => f.Length), FileName = Shorten(fileName), UploadedAt = now,
                UploadedById = byId, UploadedByName = byName,
            };
        var package = inspection.Package!;
        return new ContentPackage
        {
            Id = id, Title = string.IsNullOrWhiteSpace(title) ? Shorten(package.Title is { Length: > 0 } t ? t : Path.GetFileNameWithoutExtension(fileName)) : title.Trim(),
            Standard = package.Version, Edition = package.Edition, ManifestIdentifier = Shorten(package.Identifier),
            Activities = [.. package.Launches().Select(l => new PackageActivity(l.Item.Identifier, l.Item.Title, l.Path, l.Query, l.Resource.IsSco,
                l.Item.MasteryScore, l.Item.CompletionThreshold))],
            Warnings = [.. inspection.Problems.Where(p => p.Warning).Select(p => p.Message).Take(50)],
            FileCount = inspection.Files.Count, Bytes = inspection.Files.Sum(f => f.Length), FileName = Shorten(fileName), UploadedAt = now,
            UploadedById = byId, UploadedByName = byName,
        };
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200];
}
