namespace LmsPlatform.Hosting;

/// <summary>
/// A RabbitMQ broker: the operating system's RabbitMQ run as a child process under a folder of its own, bound to
/// 127.0.0.1, with its own epmd on its own port (so two runs never share one); or an existing broker when
/// <c>ConnectionStrings:{name}</c> is configured.
/// </summary>
public sealed class RabbitMQServerResource(string name) : Resource(name), IResourceWithConnectionString
{
    private const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    private ChildProcess? _epmd;
    private ChildProcess? _server;
    private string? _connectionString;
    private int _port, _managementPort, _distPort, _epmdPort;

    public override string Kind => "rabbitmq";
    public bool ManagementPlugin { get; internal set; }
    public override string? Url => _managementPort != 0 ? $"http://127.0.0.1:{_managementPort}" : _port == 0 ? null : $"amqp://127.0.0.1:{_port}";
    public override int? ProcessId => _server?.Id;
    public string? ConnectionString => _connectionString;

    /// <summary>The management HTTP API (queue depths, error queues), when the plugin is enabled.</summary>
    public Uri? ManagementUri => _managementPort == 0 ? null : new Uri($"http://127.0.0.1:{_managementPort}");

    internal override async Task StartAsync(HostingContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        if (context.Configuration.GetConnectionStringOrNull(Name) is { } existing)
        {
            _connectionString = existing;
            State = ResourceState.Running;
            return;
        }
        if (!File.Exists(ServerScript))
            throw new InvalidOperationException($"RabbitMQ is not installed ({ServerScript}). Run ./lms, which installs it.");

        var root = Path.Combine(context.DataDirectory, Name);
        var log = Path.Combine(context.LogDirectory, $"{Name}.log");
        if (_port == 0)
        {
            // Ports are chosen once per run, so a stopped broker comes back at the same address.
            _port = context.Port(Name);
            _distPort = context.Port($"{Name}-dist");
            _epmdPort = context.Port($"{Name}-epmd");
            if (ManagementPlugin) _managementPort = context.Port($"{Name}-management");
        }
        foreach (var dir in new[] { "home", "mnesia", "log" }) Directory.CreateDirectory(Path.Combine(root, dir));

        var config = Path.Combine(root, "rabbitmq.conf");
        var lines = new List<string>
        {
            "loopback_users.guest = true",
            "log.console = true",
            "log.file = false",
        };
        if (ManagementPlugin)
        {
            lines.Add($"management.tcp.port = {_managementPort}");
            lines.Add("management.tcp.ip = 127.0.0.1");
        }
        await File.WriteAllLinesAsync(config, lines, cancellationToken);
        var plugins = Path.Combine(root, "enabled_plugins");
        await File.WriteAllTextAsync(plugins, ManagementPlugin ? "[rabbitmq_management]." : "[].", cancellationToken);

        var env = new Dictionary<string, string?>
        {
            ["HOME"] = Path.Combine(root, "home"),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log"),
            ["RABBITMQ_CONFIG_FILE"] = config,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = plugins,
            ["RABBITMQ_NODENAME"] = "lms@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = _port.ToString(),
            ["RABBITMQ_DIST_PORT"] = _distPort.ToString(),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };

        if (_epmd is null || _epmd.HasExited)
        {
            // epmd in the foreground as our own child, so that stopping the run stops it too.
            var epmd = HostingContext.FindExecutable("epmd", "/usr/bin/epmd") ?? "epmd";
            _epmd = ChildProcess.Start(epmd, ["-port", _epmdPort.ToString(), "-address", "127.0.0.1"], log, env, registry: context.Processes);
        }
        _server = ChildProcess.Start(ServerScript, [], log, env, registry: context.Processes);
        _connectionString = $"amqp://guest:guest@127.0.0.1:{_port}";
        State = ResourceState.Running;
    }

    internal override async Task StopAsync(CancellationToken cancellationToken)
    {
        State = ResourceState.Stopping;
        if (_server is not null)
        {
            await _server.StopAsync(TimeSpan.FromSeconds(30));
            await _server.DisposeAsync();
            _server = null;
        }
        State = ResourceState.Stopped;
    }

    /// <summary>Stops epmd too: called when the whole application stops.</summary>
    internal async Task StopEpmdAsync()
    {
        if (_epmd is null) return;
        await _epmd.StopAsync(TimeSpan.FromSeconds(5));
        await _epmd.DisposeAsync();
        _epmd = null;
    }

    internal override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_connectionString is null || (_server?.HasExited ?? false)) return false;
        var port = _port != 0 ? _port : new Uri(_connectionString).Port;
        return await HostingContext.TcpProbeAsync(port, cancellationToken);
    }
}
