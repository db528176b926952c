using System.Security.Cryptography;
using System.Text.Json;
using LmsPlatform.ContentDelivery.Model;

namespace LmsPlatform.ContentDelivery.Infrastructure.Storage;

/// <summary>
/// Objects as files under a root folder: the default store, nothing to set up. A write goes to a temporary file that
/// is moved into place, so a reader never sees half an object; the type and entity tag (SHA-256 of the bytes) sit in a
/// small sidecar file beside it. Keys map to paths below the root only (<see cref="ObjectKeys.Check"/>).
/// </summary>
public sealed class LocalObjectStore(string root) : IObjectStore
{
    private const string MetaSuffix = ".lms-meta";
    private readonly string _root = Path.GetFullPath(root);

    public async Task<StoredObject> PutAsync(string key, Stream content, string contentType, CancellationToken ct)
    {
        var path = PathOf(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        string etag;
        long length;
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                await HashingCopy.CopyAsync(content, file, hash, ct);
                (etag, length) = ($"\"{Convert.ToHexStringLower(hash.GetHashAndReset())}\"", file.Length);
            }
            await File.WriteAllTextAsync(temporary + MetaSuffix, JsonSerializer.Serialize(new Meta(contentType, etag)), ct);
            File.Move(temporary + MetaSuffix, path + MetaSuffix, overwrite: true);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(temporary + MetaSuffix);
        }
        return new StoredObject(key, length, contentType, etag, File.GetLastWriteTimeUtc(path));
    }

    public async Task<StoredObject?> HeadAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return null;
        var meta = File.Exists(path + MetaSuffix)
            ? JsonSerializer.Deserialize<Meta>(await File.ReadAllTextAsync(path + MetaSuffix, ct))!
            : new Meta("application/octet-stream", $"\"{File.GetLastWriteTimeUtc(path).Ticks:x}\"");
        var info = new FileInfo(path);
        return new StoredObject(key, info.Length, meta.ContentType, meta.ETag, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero));
    }

    public Task<Stream?> ReadAsync(string key, long offset, long? length, CancellationToken ct)
    {
        var path = PathOf(key);
        if (!File.Exists(path)) return Task.FromResult<Stream?>(null);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, useAsync: true);
        file.Seek(offset, SeekOrigin.Begin);
        Stream stream = length is { } count ? new SliceStream(file, count) : file;
        return Task.FromResult<Stream?>(stream);
    }

    public Task DeletePrefixAsync(string prefix, CancellationToken ct)
    {
        var folder = PathOf(prefix.TrimEnd('/'));
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        else
        {
            File.Delete(folder);
            File.Delete(folder + MetaSuffix);
        }
        return Task.CompletedTask;
    }

    private string PathOf(string key)
    {
        var path = Path.GetFullPath(Path.Combine(_root, ObjectKeys.Check(key)));
        // Belt and braces: whatever the key, the path stays below the root.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) throw new ArgumentException($"'{key}' leaves the store.", nameof(key));
        return path;
    }

    private sealed record Meta(string ContentType, string ETag);

    /// <summary>At most <c>count</c> bytes of the inner stream (a range).</summary>
    private sealed class SliceStream(Stream inner, long count) : BoundedReadStream(inner, count)
    {
        private long _left = count;

        protected override int Allowed(int wanted) => (int)Math.Min(wanted, _left);

        protected override void Counted(long total, int read) => _left -= read;
    }
}
