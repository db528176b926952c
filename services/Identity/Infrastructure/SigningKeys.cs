using System.Security.Cryptography;
using LmsPlatform.Identity.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;

namespace LmsPlatform.Identity.Infrastructure;

/// <summary>
/// The token signing and encryption keys. They are created once, on the first start, and kept in identitydb, so a
/// restart or another replica signs with the same key and tokens already issued stay valid. They are never in the
/// repository or in configuration files.
/// </summary>
public sealed class SigningKeyRing
{
    private readonly TaskCompletionSource<(RsaSecurityKey Signing, RsaSecurityKey Encryption)> _keys = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public (RsaSecurityKey Signing, RsaSecurityKey Encryption) Keys =>
        _keys.Task.Wait(TimeSpan.FromMinutes(2)) ? _keys.Task.Result : throw new InvalidOperationException("Signing keys are not loaded.");

    public bool IsLoaded => _keys.Task.IsCompletedSuccessfully;

    /// <summary>Loads the keys, creating them if this is the first start. Safe when replicas start together.</summary>
    public async Task LoadAsync(IdentityDbContext db, CancellationToken cancellationToken)
    {
        foreach (var use in new[] { "sig", "enc" })
        {
            if (await db.SigningKeys.AnyAsync(k => k.Use == use, cancellationToken)) continue;
            using var rsa = RSA.Create(2048);
            var id = $"{use}-{DateTime.UtcNow:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
            // A fixed id per use would serialise two replicas' first start; the ON CONFLICT keeps the first writer's key.
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"INSERT INTO signing_keys (\"Id\", \"Use\", \"PrivateKey\", \"CreatedAt\") SELECT {id}, {use}, {rsa.ExportPkcs8PrivateKey()}, {DateTimeOffset.UtcNow} WHERE NOT EXISTS (SELECT 1 FROM signing_keys WHERE \"Use\" = {use})",
                cancellationToken);
        }
        var keys = await db.SigningKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync(cancellationToken);
        _keys.TrySetResult((ToKey(keys.First(k => k.Use == "sig")), ToKey(keys.First(k => k.Use == "enc"))));
    }

    private static RsaSecurityKey ToKey(SigningKey key)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.PrivateKey, out _);
        return new RsaSecurityKey(rsa) { KeyId = key.Id };
    }
}

/// <summary>Hands the kept keys to OpenIddict when its options are first built (after start-up has loaded them).</summary>
public sealed class ConfigureSigningKeys(SigningKeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        var (signing, encryption) = ring.Keys;
        options.SigningCredentials.Add(new SigningCredentials(signing, SecurityAlgorithms.RsaSha256));
        options.EncryptionCredentials.Add(new EncryptingCredentials(encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
    }
}
