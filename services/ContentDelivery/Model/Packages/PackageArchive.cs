using System.IO.Compression;

namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>One thing wrong (or worth knowing) about an uploaded package: a stable code, a sentence, and the file it is about.</summary>
public sealed record PackageProblem(string Code, string Message, string? Path = null, bool Warning = false);

/// <summary>
/// How much an archive may hold. A package is refused, before anything is extracted, when its central directory
/// claims more than these; while extracting, the bytes actually inflated are counted against the same limits (headers
/// can lie), see <see cref="PackageArchive.OpenEntry"/>.
/// </summary>
public sealed record PackageLimits
{
    public int MaxEntries { get; init; } = 10_000;
    public long MaxExpandedBytes { get; init; } = 2L * 1024 * 1024 * 1024;
    public long MaxEntryBytes { get; init; } = 1L * 1024 * 1024 * 1024;
    /// <summary>Expanded size over compressed size an entry may reach (a zip bomb's is in the thousands) ...</summary>
    public double MaxRatio { get; init; } = 200;
    /// <summary>... once it expands past this (small files compress well, legitimately).</summary>
    public long RatioFloorBytes { get; init; } = 1024 * 1024;
    public int MaxPathLength { get; init; } = 1024;

    public static readonly PackageLimits Default = new();
}

/// <summary>A file of a package, by its normalised path inside it.</summary>
public sealed record PackageEntry(string Path, long Length, long CompressedLength);

/// <summary>
/// A zip archive read defensively: every entry's name is normalised and checked (no absolute paths, drive letters or
/// <c>..</c> segments: "zip slip"; no symbolic links; no two entries with the same path), and the central directory's
/// counts and sizes are held to <see cref="PackageLimits"/>, before a byte is extracted. <see cref="OpenEntry"/> then
/// counts what an entry really inflates to. Problems are collected, not thrown: the uploader gets the whole report.
/// </summary>
public sealed class PackageArchive : IDisposable
{
    private readonly ZipArchive? _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _byPath = new(StringComparer.Ordinal);
    private readonly PackageLimits _limits;
    private long _inflated;

    private PackageArchive(ZipArchive? zip, PackageLimits limits) => (_zip, _limits) = (zip, limits);

    public IReadOnlyList<PackageProblem> Problems => _problems;
    private readonly List<PackageProblem> _problems = [];

    /// <summary>The files (directories left out), in archive order, when the archive is acceptable.</summary>
    public IReadOnlyList<PackageEntry> Entries { get; private set; } = [];

    public bool IsValid => _problems.All(p => p.Warning);

    public bool Contains(string path) => _byPath.ContainsKey(path);

    /// <summary>Reads the archive's directory and checks it; <paramref name="zip"/> must stay open while the archive is used.</summary>
    public static PackageArchive Open(Stream zip, PackageLimits? limits = null)
    {
        limits ??= PackageLimits.Default;
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            var refused = new PackageArchive(null, limits);
            refused._problems.Add(new("archive.unreadable", $"The file is not a zip archive that can be read: {ex.Message}"));
            return refused;
        }
        var package = new PackageArchive(archive, limits);
        package.Check();
        return package;
    }

    private void Check()
    {
        var entries = _zip!.Entries;
        if (entries.Count > _limits.MaxEntries)
        {
            _problems.Add(new("archive.entries", $"The archive holds {entries.Count:N0} entries; at most {_limits.MaxEntries:N0} are accepted."));
            return;
        }
        long expanded = 0;
        var files = new List<PackageEntry>();
        foreach (var entry in entries)
        {
            if (Normalise(entry.FullName) is not { } path)
            {
                _problems.Add(new("archive.path", "The entry's path leaves the package (an absolute path, a drive or a '..' segment) or is not a usable name.", entry.FullName));
                continue;
            }
            if (path.Length > _limits.MaxPathLength)
            {
                _problems.Add(new("archive.path", $"The entry's path is longer than {_limits.MaxPathLength} characters.", path[..80] + "…"));
                continue;
            }
            // Unix mode in the high 16 bits of the external attributes (when the archive was made on Unix): a link is refused.
            if (((entry.ExternalAttributes >> 16) & 0xF000) == 0xA000)
            {
                _problems.Add(new("archive.symlink", "The entry is a symbolic link; packages may hold files and folders only.", path));
                continue;
            }
            var isDirectory = entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\');
            if (isDirectory) continue;
            if (!_byPath.TryAdd(path, entry))
            {
                _problems.Add(new("archive.duplicate", "Two entries have this path.", path));
                continue;
            }
            if (entry.Length > _limits.MaxEntryBytes)
                _problems.Add(new("archive.size", $"The entry expands to {entry.Length:N0} bytes; at most {_limits.MaxEntryBytes:N0} are accepted for one file.", path));
            else if (entry.Length > _limits.RatioFloorBytes && entry.Length > _limits.MaxRatio * Math.Max(1, entry.CompressedLength))
                _problems.Add(new("archive.ratio", $"The entry expands {entry.Length / (double)Math.Max(1, entry.CompressedLength):N0} times its compressed size (at most {_limits.MaxRatio:N0} is accepted): a zip bomb?", path));
            expanded += entry.Length;
            files.Add(new PackageEntry(path, entry.Length, entry.CompressedLength));
        }
        if (expanded > _limits.MaxExpandedBytes)
            _problems.Add(new("archive.size", $"The archive expands to {expanded:N0} bytes; at most {_limits.MaxExpandedBytes:N0} are accepted."));
        Entries = files;
    }

    /// <summary>
    /// The path inside the package, with '/' separators and no empty or '.' segments, or null when it would leave the
    /// package (rooted, a drive, a '..' segment) or holds a character no file system should get.
    /// </summary>
    public static string? Normalise(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0') || name.Contains(':')) return null;
        if (name.StartsWith('/') || name.StartsWith('\\')) return null;
        var segments = name.Split('/', '\\').Where(s => s.Length > 0 && s != ".").ToList();
        if (segments.Count == 0 || segments.Any(s => s == ".." || s.Any(char.IsControl))) return null;
        return string.Join('/', segments);
    }

    /// <summary>
    /// The entry's content, inflated under watch: reading past the size its header declared, or past the archive's
    /// limits in total, throws <see cref="InvalidDataException"/> (a header that lies about a bomb).
    /// </summary>
    public Stream OpenEntry(string path)
    {
        var entry = _byPath.TryGetValue(path, out var found) ? found : throw new FileNotFoundException($"The package has no file {path}.");
        return new CountingStream(entry.Open(), entry.Length, this);
    }

    private void Inflated(long bytes)
    {
        _inflated += bytes;
        if (_inflated > _limits.MaxExpandedBytes)
            throw new InvalidDataException($"The archive expands past {_limits.MaxExpandedBytes:N0} bytes.");
    }

    public void Dispose() => _zip?.Dispose();

    /// <summary>Counts what an entry inflates to against its declared length and the archive's limit.</summary>
    private sealed class CountingStream(Stream inner, long declared, PackageArchive archive) : BoundedReadStream(inner, declared)
    {
        protected override void Counted(long total, int read)
        {
            if (total > Length) throw new InvalidDataException($"The entry inflates past the {Length:N0} bytes its header declares.");
            archive.Inflated(read);
        }
    }
}
