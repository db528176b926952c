using System.Net;
using System.Net.Sockets;
using LmsPlatform.ContentDelivery.Apis;
using Microsoft.Extensions.Options;

namespace LmsPlatform.ContentDelivery.Infrastructure;

/// <summary>
/// Fetches a package or a cmi5.xml that an administrator names by URL, into a temporary file (seekable, as an import
/// needs), up to the upload limit. The server never becomes a way into the network it sits in: every connection,
/// redirects included, goes only to public addresses (checked after DNS resolution, so a name that resolves inward is
/// refused too), unless <see cref="PackageOptions.AllowPrivateImportAddresses"/> says otherwise (tests, a closed network).
/// </summary>
public sealed class PackageFetcher(HttpClient http, IOptions<PackageOptions> options)
{
    public const string ClientName = "package-fetcher";

    /// <summary>The fetched file (delete-on-close) and its name, or why it could not be fetched.</summary>
    public async Task<(Stream? File, string FileName, string? Problem)> FetchAsync(Uri url, CancellationToken ct)
    {
        var name = Path.GetFileName(url.AbsolutePath) is { Length: > 0 } last ? last : "package";
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                await file.DisposeAsync();
                return (null, name, $"{url.Host} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            var limit = options.Value.MaxUploadBytes;
            if (response.Content.Headers.ContentLength > limit)
            {
                await file.DisposeAsync();
                return (null, name, $"The file is larger than the {limit / (1024 * 1024)} MB a package may be.");
            }
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                if (file.Length + read > limit)
                {
                    await file.DisposeAsync();
                    return (null, name, $"The file is larger than the {limit / (1024 * 1024)} MB a package may be.");
                }
                await file.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            file.Position = 0;
            return (file, name, null);
        }
        catch (Exception e) when (e is HttpRequestException or HttpIOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            await file.DisposeAsync();
            return (null, name, $"{url.Host} could not be reached: {e.Message}");
        }
        catch
        {
            await file.DisposeAsync(); // the temporary file goes with it, whatever went wrong
            throw;
        }
    }

    /// <summary>The handler every fetch goes through: it connects only to addresses <see cref="IsPublic"/> allows.</summary>
    public static SocketsHttpHandler Handler(bool allowPrivate) => new()
    {
        UseProxy = false, // through a proxy, the check below would see only the proxy's address
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ConnectCallback = async (context, ct) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
            var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
            if (allowed.Length == 0)
                throw new HttpRequestException($"{context.DnsEndPoint.Host} is not a public address; the platform fetches only from the internet.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>
    /// Whether an address is on the public internet: not loopback, private (RFC 1918, unique local), link-local (cloud
    /// metadata services live there), shared (carrier-grade NAT), unspecified, multicast or reserved.
    /// </summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None)) return false;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 || b[0] >= 224 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] is >= 16 and <= 31)
                     || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127) || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                     || (b[0] == 198 && b[1] is 18 or 19));
        }
        // IPv6 that carries an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible) is judged by that address.
        var v6 = address.GetAddressBytes();
        if (v6[0] == 0x00 && v6[1..12].All(b => b == 0)) return IsPublic(new IPAddress(v6[12..16])); // ::a.b.c.d
        if (v6[..4].SequenceEqual(new byte[] { 0x00, 0x64, 0xff, 0x9b })) return IsPublic(new IPAddress(v6[12..16])); // 64:ff9b::/96 and 64:ff9b:1::/48
        if (v6[0] == 0x20 && v6[1] == 0x02) return IsPublic(new IPAddress(v6[2..6])); // 2002::/16
        if (v6[..4].SequenceEqual(new byte[] { 0x20, 0x01, 0x00, 0x00 })) return IsPublic(new IPAddress(v6[12..16].Select(b => (byte)~b).ToArray())); // Teredo
        // Otherwise only global unicast (2000::/3) is public.
        return (v6[0] & 0xE0) == 0x20 && !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast);
    }
}
