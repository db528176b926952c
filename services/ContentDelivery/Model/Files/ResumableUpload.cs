using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Files;

/// <summary>
/// A large upload sent in chunks, so a dropped connection costs one chunk, not the file: declared first (name, length,
/// the SHA-256 of the whole), then chunks in order, each checked against its own digest and stored as an object of its
/// own (any replica takes the next one), then completed: the whole is checked against the declared hash before it is
/// taken as a file or a package. Stale uploads expire.
/// </summary>
public sealed class ResumableUpload
{
    public const int MaxChunkBytes = 16 * 1024 * 1024;
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private ResumableUpload() { }

    public Guid Id { get; private set; }
    public string FileName { get; private set; } = "";
    public string? Title { get; private set; }
    public long Length { get; private set; }
    /// <summary>The SHA-256 of the whole file, lower-case hex, as the uploader declared it.</summary>
    public string Sha256 { get; private set; } = "";
    public long Offset { get; private set; }
    public int Chunks { get; private set; }
    public Guid? CreatedById { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset? CompletedAt { get; private set; }
    /// <summary>What the completed upload became (a content item or a package), or why it was refused.</summary>
    public Guid? ResultId { get; private set; }
    public uint RowVersion { get; private set; }

    public string StoragePrefix => $"uploads/{Id:N}/";

    public string ChunkKey(int index) => $"{StoragePrefix}{index:D6}";

    public static ResumableUpload Begin(string? fileName, string? title, long length, string? sha256, long maxBytes, Guid? by, DateTimeOffset now)
    {
        var errors = new List<(string, string)>();
        if (string.IsNullOrWhiteSpace(fileName) || fileName.Length > 200) errors.Add(("fileName", "is required, at most 200 characters"));
        if (title is { Length: > 200 }) errors.Add(("title", "must be at most 200 characters"));
        if (length <= 0 || length > maxBytes) errors.Add(("length", $"must be between 1 byte and {maxBytes / 1024 / 1024:N0} MB"));
        if (sha256 is not { Length: 64 } || !sha256.All(Uri.IsHexDigit)) errors.Add(("sha256", "must be the file's SHA-256 as 64 hexadecimal digits"));
        if (errors.Count > 0) throw DomainRuleException.Invalid(errors[0].Item1, errors[0].Item2);
        return new ResumableUpload
        {
            Id = Guid.CreateVersion7(now), FileName = ContentSniffer.SafeName(fileName!), Title = string.IsNullOrWhiteSpace(title) ? null : title.Trim(),
            Length = length, Sha256 = sha256!.ToLowerInvariant(), CreatedById = by, CreatedAt = now, ExpiresAt = now + Lifetime,
        };
    }

    /// <summary>
    /// Checks that a chunk of <paramref name="length"/> bytes may be added at <paramref name="offset"/>: the upload is
    /// open, the offset is where it stands (a chunk sent twice or out of order is refused with where to go on from),
    /// and the chunk neither is empty nor passes the declared length or the chunk limit. Returns the chunk's index.
    /// </summary>
    public int CheckChunk(long offset, long length, DateTimeOffset now)
    {
        RequireOpen(now);
        if (offset != Offset) throw new DomainRuleException("offset", $"The upload stands at byte {Offset:N0}: send the chunk that starts there.");
        if (length <= 0 || length > MaxChunkBytes) throw DomainRuleException.Invalid("chunk", $"must hold between 1 byte and {MaxChunkBytes / 1024 / 1024} MB");
        if (offset + length > Length) throw DomainRuleException.Invalid("chunk", $"passes the declared length of {Length:N0} bytes");
        return Chunks;
    }

    /// <summary>The chunk checked by <see cref="CheckChunk"/> is stored.</summary>
    public void Appended(long length, DateTimeOffset now)
    {
        Offset += length;
        Chunks++;
        ExpiresAt = now + Lifetime;
    }

    public void RequireComplete(DateTimeOffset now)
    {
        RequireOpen(now);
        if (Offset != Length) throw new DomainRuleException("offset", $"The upload has {Offset:N0} of its {Length:N0} bytes: send the rest first.");
    }

    public void Finished(Guid? resultId, DateTimeOffset now) => (ResultId, CompletedAt) = (resultId, now);

    private void RequireOpen(DateTimeOffset now)
    {
        if (CompletedAt is not null) throw new DomainRuleException("upload", "The upload is complete already.");
        if (now >= ExpiresAt) throw new DomainRuleException("upload", "The upload expired: begin it again.");
    }
}
