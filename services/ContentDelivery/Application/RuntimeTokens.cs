using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace LmsPlatform.ContentDelivery.Application;

/// <summary>Section <c>Content:Runtime</c>: the key that signs players' URLs and how long one lives.</summary>
public sealed class RuntimeOptions
{
    /// <summary>
    /// At least 32 characters, the same on every replica (a secret: the AppHost makes one per run; Kubernetes takes it
    /// from the content-api Secret). Without one, each process makes its own, which serves a single replica only.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How long a launch's URLs serve files and take commits: long enough for one sitting.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>
    /// How long the player waits for a SCORM package to start its session (find and initialise the run-time API) before
    /// it tells the learner and reports the launch as failed (<see cref="LaunchProblems"/>).
    /// </summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// What a launch's token grants, until it expires: one attempt's (or one media progress's) records, and the files of
/// one package or one uploaded file (<see cref="IsFile"/>); in review, nothing is recorded.
/// </summary>
public sealed record RuntimeGrant(Guid AttemptId, Guid ContentId, DateTimeOffset ExpiresAt, bool Review, bool IsFile = false)
{
    /// <summary>How recently the attempt (or media progress) must have been used for an expired grant to hold.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromMinutes(30);

    /// <summary>How long past its expiry a grant in use may hold at most: a sitting of 12 hours with the default lifetime.</summary>
    public static readonly TimeSpan Overtime = TimeSpan.FromHours(8);

    /// <summary>
    /// Whether the grant holds now: until it expires; after that, while the learner is still at it (their attempt or
    /// media progress was used within <see cref="KeepAlive"/>, so a long sitting loses no commit), up to
    /// <see cref="Overtime"/>. A review or preview grant never outlives its expiry.
    /// </summary>
    public bool HoldsAt(DateTimeOffset now, DateTimeOffset? lastUsed) =>
        now < ExpiresAt || (!Review && now - ExpiresAt <= Overtime && lastUsed is { } used && now - used <= KeepAlive);
}

/// <summary>
/// The short-lived capability a launch hands the player, carried in the URL path (the package's own relative links
/// keep it, and a browser's beacon on unload can send no header): the attempt, the package or file and the expiry,
/// signed with HMAC-SHA256. Anyone holding it reaches that one package's (or file's) bytes and that one attempt's
/// commits, and only until it expires; nothing else.
/// </summary>
public sealed class RuntimeTokens
{
    private const int PayloadLength = 16 + 16 + 8 + 1;
    private readonly byte[] key;
    private readonly TimeSpan lifetime;

    public RuntimeTokens(IOptions<RuntimeOptions> options, ILogger<RuntimeTokens> log)
    {
        lifetime = options.Value.TokenLifetime;
        if (options.Value.SigningKey is { Length: >= 32 } configured)
            key = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        else
        {
            if (options.Value.SigningKey is { Length: > 0 })
                throw new InvalidOperationException("Content:Runtime:SigningKey must be at least 32 characters.");
            log.LogWarning("Content:Runtime:SigningKey is not set: this process signs players' URLs with a key of its own, which other replicas will refuse");
            key = RandomNumberGenerator.GetBytes(32);
        }
    }

    public string Issue(Guid attemptId, Guid contentId, bool review, DateTimeOffset now, bool file = false)
    {
        Span<byte> payload = stackalloc byte[PayloadLength];
        attemptId.TryWriteBytes(payload[..16]);
        contentId.TryWriteBytes(payload[16..32]);
        BinaryPrimitives.WriteInt64BigEndian(payload[32..40], (now + lifetime).ToUnixTimeSeconds());
        payload[40] = (byte)((review ? 1 : 0) | (file ? 2 : 0));
        return Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(key, payload));
    }

    /// <summary>The grant a token carries, or null when it is not one of ours, was altered, or has expired.</summary>
    public RuntimeGrant? Read(string token, DateTimeOffset now) => ReadSigned(token) is { } grant && grant.ExpiresAt > now ? grant : null;

    /// <summary>The grant a token carries, expired or not; null when it is not one of ours or was altered.</summary>
    public RuntimeGrant? ReadSigned(string token)
    {
        var dot = token.IndexOf('.');
        if (dot <= 0 || token.Length > 200) return null;
        byte[] payload, signature;
        try
        {
            payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            signature = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException) { return null; }
        if (payload.Length != PayloadLength || !CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(key, payload))) return null;
        var expires = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(32, 8)));
        return new RuntimeGrant(new Guid(payload.AsSpan(0, 16)), new Guid(payload.AsSpan(16, 16)), expires, (payload[40] & 1) != 0, (payload[40] & 2) != 0);
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
