using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace LmsPlatform.Notification.Sending;

/// <summary>
/// One-click unsubscribe links (RFC 8058): the person and the type, signed with the service's key, so that a mail
/// client turns a type's email off for its recipient without a sign-in, and nobody can for anyone else.
/// </summary>
public sealed class Unsubscribe(IOptions<NotificationOptions> options)
{
    public const string Path = "/api/notification/unsubscribe";

    private byte[]? Key => options.Value.UnsubscribeKey is { Length: >= 16 } key ? Encoding.UTF8.GetBytes(key) : null;

    public string? UrlFor(string portalUrl, Guid userId, string type) => Key is { } key
        ? $"{portalUrl.TrimEnd('/')}{Path}?user={userId}&type={Uri.EscapeDataString(type)}&sig={Sign(key, userId, type)}"
        : null;

    public bool Verify(Guid userId, string type, string? signature) =>
        Key is { } key && signature is { Length: > 0 }
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(key, userId, type)), Encoding.ASCII.GetBytes(signature));

    private static string Sign(byte[] key, Guid userId, string type) =>
        WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{userId:N}|{type}")));
}
