using System.Security.Cryptography;
using System.Text;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// The one scheme for the LRS's shared secrets (client secrets, cmi5 fetch tokens and session secrets): 32 random bytes
/// as base64url, kept only as their SHA-256 in hex, compared in fixed time.
/// </summary>
public static class Secret
{
    public static string New() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string storedHash, string secret) =>
        storedHash.Length == 64 && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(storedHash), Convert.FromHexString(Hash(secret)));
}
