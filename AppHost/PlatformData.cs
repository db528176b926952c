using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace LmsPlatform.AppHost;

/// <summary>
/// Where a run of the platform keeps its servers' data, secrets and ports: the git-ignored <c>.lms/</c> folder of the
/// repository for <c>./lms run</c> (kept between runs), or a throwaway folder for tests and the load driver
/// (<c>Lms:DataDirectory</c>, <c>Lms:Throwaway=true</c>), so two runs side by side never share anything.
/// </summary>
public sealed class PlatformData
{
    public const string DirectoryKey = "Lms:DataDirectory";
    public const string ThrowawayKey = "Lms:Throwaway";
    /// <summary>Durable servers even for throwaway data (the load driver measures what <c>./lms run</c> would do).</summary>
    public const string DurableKey = "Lms:Durable";

    public PlatformData(string root, bool throwaway, bool? durable = null)
    {
        Root = Path.GetFullPath(root);
        Throwaway = throwaway;
        Durable = durable ?? !throwaway;
        Directory.CreateDirectory(Root);
        // PostgreSQL runs as its own system user when we are root: it must be able to reach its folder.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Root, (UnixFileMode)0b111_101_101);
    }

    public string Root { get; }

    /// <summary>True for tests and measurements: nothing is kept.</summary>
    public bool Throwaway { get; }

    /// <summary>False for tests: PostgreSQL trades durability (fsync, synchronous commit) for speed.</summary>
    public bool Durable { get; }

    public string Folder(string name)
    {
        var path = Path.Combine(Root, name);
        Directory.CreateDirectory(path);
        return path;
    }

    public bool HasSecret(string name) => File.Exists(Path.Combine(Root, "secrets", name));

    /// <summary>
    /// A secret kept under the data folder (mode 0600), created on first use: it survives restarts of a kept run, a
    /// throwaway run gets a fresh one. Secrets never live in the repository.
    /// </summary>
    public string Secret(string name)
    {
        var path = Path.Combine(Folder("secrets"), name);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var value = Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
        File.WriteAllText(path, value);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return value;
    }

    /// <summary>
    /// A loopback port for a server that is not behind Aspire's proxy: remembered under the data folder for a kept
    /// run (stable addresses between runs), fresh from the kernel for a throwaway one.
    /// </summary>
    public int Port(string name)
    {
        if (Throwaway) return FreePort();
        var path = Path.Combine(Folder("ports"), name);
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path), out var kept) && IsFree(kept)) return kept;
        var port = FreePort();
        File.WriteAllText(path, port.ToString());
        return port;
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A free loopback port below the kernel's ephemeral range. A port is chosen when the model is built and bound
    /// seconds later, when its process has started; one from the ephemeral range (what binding port 0 gives) can be
    /// taken meanwhile as the source port of any outgoing connection, and the service then fails to start with
    /// "address already in use". Each port is handed out once per process.
    /// </summary>
    public static int FreePort()
    {
        const int floor = 10_000;
        var ceiling = EphemeralLow();
        lock (HandedOut)
        {
            for (var attempt = 0; ceiling - floor >= 1_000 && attempt < 200; attempt++)
            {
                var port = Random.Shared.Next(floor, ceiling);
                if (HandedOut.Add(port) && IsFree(port)) return port;
            }
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var any = ((IPEndPoint)listener.LocalEndpoint).Port;
            HandedOut.Add(any);
            return any;
        }
    }

    /// <summary>The lowest port the kernel hands out for outgoing connections (Linux; 49152, IANA's, elsewhere).</summary>
    private static int EphemeralLow()
    {
        try
        {
            return int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49_152;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
