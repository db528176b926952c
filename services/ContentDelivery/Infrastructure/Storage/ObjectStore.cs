namespace LmsPlatform.ContentDelivery.Infrastructure.Storage;

/// <summary>What is stored under a key: its size, type, entity tag and when it was written.</summary>
public sealed record StoredObject(string Key, long Length, string ContentType, string ETag, DateTimeOffset LastModified);

/// <summary>
/// Where content's bytes live: uploads, media and the files of SCORM packages. One interface, two stores: a local
/// volume (the default: nothing to set up) and S3-compatible storage (Kubernetes). Keys are relative paths with '/'
/// separators, made by the service (never taken from a request as they are).
/// </summary>
public interface IObjectStore
{
    /// <summary>Writes <paramref name="content"/> under <paramref name="key"/>, replacing what was there.</summary>
    Task<StoredObject> PutAsync(string key, Stream content, string contentType, CancellationToken ct);

    /// <summary>What is stored under the key, or null.</summary>
    Task<StoredObject?> HeadAsync(string key, CancellationToken ct);

    /// <summary>
    /// The bytes from <paramref name="offset"/>, <paramref name="length"/> of them (to the end when null), or null when
    /// nothing is stored under the key. The caller disposes the stream.
    /// </summary>
    Task<Stream?> ReadAsync(string key, long offset, long? length, CancellationToken ct);

    /// <summary>Deletes every object whose key starts with <paramref name="prefix"/> (a package's files, say).</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken ct);
}

/// <summary>Which store and its settings (section <c>Content:Storage</c>).</summary>
public sealed class ObjectStoreOptions
{
    /// <summary><c>local</c> (the default) or <c>s3</c>.</summary>
    public string Kind { get; set; } = "local";
    /// <summary>The local store's folder (default: a <c>content-store</c> folder beside the service's data).</summary>
    public string? Root { get; set; }
    public string? Bucket { get; set; }
    /// <summary>An S3-compatible endpoint (path-style addressing); empty for AWS itself.</summary>
    public string? ServiceUrl { get; set; }
    public string? Region { get; set; }
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
}

public static class ObjectKeys
{
    /// <summary>
    /// A key is the service's own: relative, '/'-separated segments of letters, digits and <c>._-</c> and a few more a
    /// package's file names use, never '..'. Anything else is a programming error, not a user's.
    /// </summary>
    public static string Check(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.StartsWith('/') || key.Contains('\\') || key.Contains('\0')
            || key.Split('/').Any(s => s is "" or "." or ".."))
            throw new ArgumentException($"'{key}' is not an object key.", nameof(key));
        return key;
    }
}

/// <summary>A copy that hashes what passes: the stores' entity tags and a resumable upload's whole-file check.</summary>
public static class HashingCopy
{
    /// <summary>Copies <paramref name="from"/> to <paramref name="to"/>, adding every byte to <paramref name="hash"/>.</summary>
    public static async Task CopyAsync(Stream from, Stream to, System.Security.Cryptography.IncrementalHash hash, CancellationToken ct)
    {
        var buffer = new byte[81920];
        int read;
        while ((read = await from.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }
}
