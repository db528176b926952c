namespace LmsPlatform.Hosting;

/// <summary>
/// A .NET project of the repository, started as <c>dotnet &lt;its dll&gt;</c> with Aspire's environment contract. A
/// process that exits without being asked to is restarted with exponential backoff (1 s doubling to 30 s, reset after
/// a minute of healthy running).
/// </summary>
public sealed class ProjectResource(string name, string projectPath) : Resource(name)
{
    private static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly List<Func<IEnumerable<KeyValuePair<string, string?>>>> _environment = [];
    private ChildProcess? _process;
    private CancellationTokenSource? _supervision;
    private Task? _supervisor;
    private int _port;
    private ProcessRegistry? _registry;

    public override string Kind => "project";
    public string ProjectPath { get; } = projectPath;
    public int? FixedPort { get; internal set; }
    public override string? Url => _port == 0 ? null : $"http://127.0.0.1:{_port}";
    public override int? ProcessId => _process?.Id;

    internal void AddEnvironment(Func<IEnumerable<KeyValuePair<string, string?>>> values) => _environment.Add(values);

    private readonly List<(string Key, string Secret)> _secrets = [];

    /// <summary>Sets <paramref name="key"/> to a secret of the data folder (created on first use, never in the repository).</summary>
    internal void AddSecret(string key, string secretName) => _secrets.Add((key, secretName));

    internal void AddEnvironment(string key, Func<string?> value) =>
        _environment.Add(() => [new KeyValuePair<string, string?>(key, value())]);

    /// <summary>The built assembly: artifacts/bin/&lt;project&gt;/&lt;configuration&gt;/&lt;project&gt;.dll.</summary>
    public string AssemblyPath(HostingContext context)
    {
        var project = Path.GetFileNameWithoutExtension(ProjectPath);
        return Path.Combine(context.Options.RepositoryRoot, "artifacts", "bin", project,
            context.Options.Configuration.ToLowerInvariant(), project + ".dll");
    }

    internal override Task StartAsync(HostingContext context, CancellationToken cancellationToken)
    {
        var dll = AssemblyPath(context);
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{Name}: {dll} is not built. Build the solution first (./lms does).");
        _port = FixedPort is > 0 ? FixedPort.Value : _port == 0 ? HostingContext.FreePort() : _port;

        var env = new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = Url,
            ["ASPNETCORE_ENVIRONMENT"] = context.Options.EnvironmentName,
            ["DOTNET_ENVIRONMENT"] = context.Options.EnvironmentName,
            ["OTEL_SERVICE_NAME"] = Name,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={Guid.NewGuid()}",
            ["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false",
            ["Logging__Console__FormatterName"] = "simple",
        };
        if (context.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otlp)
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp;
        foreach (var source in _environment)
            foreach (var (key, value) in source())
                env[key] = value;
        foreach (var (key, secret) in _secrets)
            env[key] = context.Secret(secret);

        _registry = context.Processes;
        _supervision = new CancellationTokenSource();
        var log = Path.Combine(context.LogDirectory, $"{Name}.log");
        var workingDirectory = Path.GetDirectoryName(dll)!;
        StartProcess(dll, env, log, workingDirectory);
        _supervisor = SuperviseAsync(dll, env, log, workingDirectory, _supervision.Token);
        return Task.CompletedTask;
    }

    private void StartProcess(string dll, Dictionary<string, string?> env, string log, string workingDirectory)
    {
        State = ResourceState.Starting;
        _process = ChildProcess.Start("dotnet", [dll], log, env, workingDirectory, registry: _registry);
        State = ResourceState.Running;
    }

    private async Task SuperviseAsync(string dll, Dictionary<string, string?> env, string log, string workingDirectory, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            var started = DateTimeOffset.UtcNow;
            var process = _process!;
            try { await process.Exited.WaitAsync(stopping); }
            catch (OperationCanceledException) { return; }

            State = ResourceState.Exited;
            Health = ResourceHealth.Unhealthy;
            if (DateTimeOffset.UtcNow - started > StableAfter) backoff = TimeSpan.FromSeconds(1);
            try { await Task.Delay(backoff, stopping); }
            catch (OperationCanceledException) { return; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            await process.DisposeAsync();
            Restarts++;
            StartProcess(dll, env, log, workingDirectory);
        }
    }

    /// <summary>Kills the process at once, as a crash would; the supervisor then restarts it.</summary>
    public void Kill() => _process?.KillNow();

    internal override async Task StopAsync(CancellationToken cancellationToken)
    {
        State = ResourceState.Stopping;
        _supervision?.Cancel();
        if (_supervisor is not null) await _supervisor;
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(15));
            await _process.DisposeAsync();
            _process = null;
        }
        State = ResourceState.Stopped;
    }

    internal override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_process is null || _process.HasExited || _port == 0) return false;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await ProbeClient.GetAsync($"{Url}/health", timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static readonly HttpClient ProbeClient = new();
}
