using System.Net.Sockets;
using System.Text;

namespace LmsPlatform.Hosting;

/// <summary>
/// A Redis server from the operating system's package, bound to 127.0.0.1: append-only persistence under the data
/// folder for a persistent run, none for a throwaway one; or an existing server when <c>ConnectionStrings:{name}</c>
/// is configured.
/// </summary>
public sealed class RedisResource(string name) : Resource(name), IResourceWithConnectionString
{
    private ChildProcess? _process;
    private string? _connectionString;
    private int _port;

    public override string Kind => "redis";
    public override string? Url => _port == 0 ? null : $"redis://127.0.0.1:{_port}";
    public override int? ProcessId => _process?.Id;
    public string? ConnectionString => _connectionString;

    internal override Task StartAsync(HostingContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        if (context.Configuration.GetConnectionStringOrNull(Name) is { } existing)
        {
            _connectionString = existing;
            State = ResourceState.Running;
            return Task.CompletedTask;
        }
        var server = HostingContext.FindExecutable("redis-server", "/usr/bin/redis-server")
            ?? throw new InvalidOperationException("Redis is not installed (redis-server). Run ./lms, which installs it.");
        var dir = Path.Combine(context.DataDirectory, Name);
        Directory.CreateDirectory(dir);
        _port = _port == 0 ? context.Port(Name) : _port;
        _process = ChildProcess.Start(server,
            ["--bind", "127.0.0.1", "--port", _port.ToString(), "--dir", dir, "--save", "",
             "--appendonly", context.Persistent ? "yes" : "no"],
            Path.Combine(context.LogDirectory, $"{Name}.log"), registry: context.Processes);
        _connectionString = $"127.0.0.1:{_port}";
        State = ResourceState.Running;
        return Task.CompletedTask;
    }

    internal override async Task StopAsync(CancellationToken cancellationToken)
    {
        State = ResourceState.Stopping;
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10));
            await _process.DisposeAsync();
            _process = null;
        }
        State = ResourceState.Stopped;
    }

    internal override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_connectionString is null || (_process?.HasExited ?? false)) return false;
        try
        {
            var endpoint = _connectionString.Split(',')[0].Split(':');
            using var client = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(endpoint[0], int.Parse(endpoint[1]), timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception)
        {
            return false;
        }
    }
}
