using System.Security.Cryptography;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// The xAPI scopes (the names xAPI's OAuth section gives): what a credential may do at the LRS.
/// <c>statements/read/mine</c> reads only the statements the credential itself stored.
/// </summary>
public static class XapiScopes
{
    public const string All = "all", AllRead = "all/read", StatementsWrite = "statements/write", StatementsRead = "statements/read",
        StatementsReadMine = "statements/read/mine", State = "state", Profile = "profile", Define = "define";

    public static readonly IReadOnlyList<string> Known = [All, AllRead, StatementsWrite, StatementsRead, StatementsReadMine, State, Profile, Define];

    /// <summary>What a signed-in person's own token may do: write, read what they wrote, keep state and profiles.</summary>
    public static readonly IReadOnlyList<string> Person = [StatementsWrite, StatementsReadMine, State, Profile];

    public static bool CanWriteStatements(IReadOnlyCollection<string> scopes) => scopes.Contains(All) || scopes.Contains(StatementsWrite);

    /// <summary>Reads every statement (true), only its own (false), or none (null).</summary>
    public static bool? CanReadStatements(IReadOnlyCollection<string> scopes) =>
        scopes.Contains(All) || scopes.Contains(AllRead) || scopes.Contains(StatementsRead) ? true
        : scopes.Contains(StatementsReadMine) ? false : null;

    public static bool CanUseDocuments(IReadOnlyCollection<string> scopes, XapiDocumentKind kind, bool write) =>
        scopes.Contains(All) || (!write && scopes.Contains(AllRead))
        || scopes.Contains(kind == XapiDocumentKind.State ? State : Profile);
}

/// <summary>
/// A Basic credential for an outside tool (an authoring tool's content, a simulator, another LRS) created by an
/// administrator: a key and a secret shown once, the scopes it holds, and the Agent it stores statements as (its
/// authority). The secret is 32 random bytes and only its SHA-256 is kept: a secret of that strength needs no slow
/// hash, and every request is checked against it.
/// </summary>
public sealed class XapiClient
{
    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Key { get; private set; } = "";
    public string SecretHash { get; private set; } = "";
    public string[] Scopes { get; private set; } = [];
    public Guid CreatedBy { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    private XapiClient() { }

    public static (XapiClient Client, string Secret) Create(string name, IReadOnlyCollection<string>? scopes, Guid createdBy, DateTimeOffset now)
    {
        name = name?.Trim() ?? "";
        if (name.Length is 0 or > 100) throw DomainRuleException.Invalid("name", "A name of 1 to 100 characters says whose credential this is.");
        var chosen = scopes is { Count: > 0 } ? scopes.Distinct().ToArray() : [XapiScopes.StatementsWrite, XapiScopes.StatementsReadMine];
        if (chosen.FirstOrDefault(s => !XapiScopes.Known.Contains(s)) is { } unknown)
            throw DomainRuleException.Invalid("scopes", $"'{unknown}' is not an xAPI scope ({string.Join(", ", XapiScopes.Known)}).");
        var secret = Secret.New();
        var client = new XapiClient
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Key = "lrs_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant(),
            SecretHash = Secret.Hash(secret),
            Scopes = chosen,
            CreatedBy = createdBy,
            CreatedAt = now,
        };
        return (client, secret);
    }

    public bool Verify(string secret) =>
        RevokedAt is null && Secret.Matches(SecretHash, secret);

    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}
