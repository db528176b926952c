using Npgsql;

namespace LmsPlatform.Hosting;

/// <summary>
/// A PostgreSQL server: the operating system's PostgreSQL run as a child process with its data under the data folder,
/// bound to 127.0.0.1 only; or an existing server when <c>ConnectionStrings:{name}</c> is configured.
/// </summary>
public sealed class PostgresServerResource(string name) : Resource(name), IResourceWithConnectionString
{
    private ChildProcess? _process;
    private string? _connectionString;
    private int _port;

    public override string Kind => "postgres";
    public override string? Url => _port == 0 ? null : $"postgres://127.0.0.1:{_port}";
    public override int? ProcessId => _process?.Id;
    public string? ConnectionString => _connectionString;
    internal List<PostgresDatabaseResource> Databases { get; } = [];

    internal override async Task StartAsync(HostingContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        if (context.Configuration.GetConnectionStringOrNull(Name) is { } existing)
        {
            _connectionString = existing;
            State = ResourceState.Running;
            return;
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Run ./lms, which installs it.");
        var root = Path.Combine(context.DataDirectory, Name);
        var data = Path.Combine(root, "data");
        var log = Path.Combine(context.LogDirectory, $"{Name}.log");
        var user = HostingContext.IsRoot ? "postgres" : null;
        var password = context.Secret($"{Name}-password");
        _port = context.Port(Name);

        if (!File.Exists(Path.Combine(data, "PG_VERSION")))
        {
            Directory.CreateDirectory(root);
            var pwfile = Path.Combine(root, "pwfile");
            await File.WriteAllTextAsync(pwfile, password, cancellationToken);
            if (user is not null) await ChownAsync(root, user, log, cancellationToken);
            await ChildProcess.RunToCompletionAsync(Path.Combine(bin, "initdb"),
                ["-D", data, "-U", "postgres", "--auth-host=scram-sha-256", "--auth-local=trust", $"--pwfile={pwfile}",
                 "-E", "UTF8", "--no-locale"], log, user, cancellationToken);
            File.Delete(pwfile);
        }

        List<string> args = ["-D", data, "-p", _port.ToString(), "-c", "listen_addresses=127.0.0.1",
            "-c", "unix_socket_directories=", "-c", "max_connections=500"];
        if (!context.Persistent)
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        _process = ChildProcess.Start(Path.Combine(bin, "postgres"), args, log, runAsUser: user, registry: context.Processes);
        _connectionString = $"Host=127.0.0.1;Port={_port};Username=postgres;Password={password}";
        State = ResourceState.Running;
    }

    internal override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is null) { State = ResourceState.Stopped; return; }
        State = ResourceState.Stopping;
        await _process.StopAsync(TimeSpan.FromSeconds(20), interrupt: true); // SIGINT: PostgreSQL's fast shutdown
        await _process.DisposeAsync();
        _process = null;
        State = ResourceState.Stopped;
    }

    internal override async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_connectionString is null || (_process?.HasExited ?? false)) return false;
        try
        {
            await using var connection = new NpgsqlConnection(_connectionString + ";Timeout=3;Pooling=false");
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static string? FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static Task ChownAsync(string path, string user, string log, CancellationToken cancellationToken) =>
        ChildProcess.RunToCompletionAsync("chown", ["-R", $"{user}:{user}", path], log, null, cancellationToken);
}

/// <summary>A database on a PostgreSQL server, created when the server is ready (as Aspire's AddDatabase does).</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource server) : Resource(name), IResourceWithConnectionString
{
    private bool _created;

    public override string Kind => "database";
    public PostgresServerResource Server { get; } = server;
    public string? ConnectionString => Server.ConnectionString is { } cs ? $"{cs};Database={Name}" : null;

    internal override async Task StartAsync(HostingContext context, CancellationToken cancellationToken)
    {
        State = ResourceState.Starting;
        await using var connection = new NpgsqlConnection(Server.ConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", Name);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        _created = true;
        State = ResourceState.Running;
    }

    internal override Task StopAsync(CancellationToken cancellationToken)
    {
        State = ResourceState.Stopped;
        return Task.CompletedTask;
    }

    internal override async Task<bool> ProbeAsync(CancellationToken cancellationToken) =>
        _created && await Server.ProbeAsync(cancellationToken);
}
