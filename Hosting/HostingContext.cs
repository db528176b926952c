using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace LmsPlatform.Hosting;

/// <summary>Where a launched application keeps its data and logs, and the shared helpers its resources use.</summary>
public sealed class HostingContext
{
    internal HostingContext(DistributedApplicationOptions options, IConfiguration configuration)
    {
        Options = options;
        Configuration = configuration;
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(LogDirectory);
        Processes = new ProcessRegistry(options.DataDirectory);
    }

    internal ProcessRegistry Processes { get; }

    public DistributedApplicationOptions Options { get; }
    public IConfiguration Configuration { get; }
    public string DataDirectory => Options.DataDirectory;
    public string LogDirectory => Path.Combine(Options.DataDirectory, "logs");
    public bool Persistent => Options.Persistent;

    /// <summary>True when this process runs as root: servers that refuse root then run as their own system user.</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>A free TCP port on 127.0.0.1 (asked of the kernel, so two runs never collide).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A secret kept under the data folder (mode 0600) so it survives restarts of a persistent run; a throwaway run
    /// gets a fresh one. Secrets never live in the repository.
    /// </summary>
    public bool HasSecret(string name) => File.Exists(Path.Combine(DataDirectory, "secrets", name));

    public string Secret(string name)
    {
        var dir = Path.Combine(DataDirectory, "secrets");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        var value = Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
        File.WriteAllText(path, value);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return value;
    }

    /// <summary>A port remembered under the data folder for persistent runs, so addresses stay stable between runs.</summary>
    public int Port(string name)
    {
        if (!Persistent) return FreePort();
        var dir = Path.Combine(DataDirectory, "ports");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path), out var kept) && IsFree(kept)) return kept;
        var port = FreePort();
        File.WriteAllText(path, port.ToString());
        return port;
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

    /// <summary>Finds an executable on PATH or at one of the given locations.</summary>
    public static string? FindExecutable(string name, params string[] candidates)
    {
        foreach (var candidate in candidates)
            if (File.Exists(candidate)) return candidate;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    public static async Task<bool> TcpProbeAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
