using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;

namespace LmsPlatform.UnitTests;

/// <summary>
/// What every object store does, run against each: whole objects with the SHA-256 of their bytes as entity tag, ranged
/// reads (also through <see cref="ObjectReadStream"/>, as the file endpoint serves them), deletion by prefix.
/// </summary>
public abstract class ObjectStoreContract
{
    protected abstract IObjectStore Store { get; }

    [Fact]
    public async Task An_object_is_written_whole_read_by_range_and_deleted_by_prefix()
    {
        var (store, ct, run) = (Store, TestContext.Current.CancellationToken, Guid.NewGuid().ToString("N"));
        var key = $"packages/{run}/p1/shared/launch.html";
        var stored = await store.PutAsync(key, new MemoryStream(Encoding.UTF8.GetBytes("0123456789")), "text/html", ct);
        Assert.Equal((10L, "text/html"), (stored.Length, stored.ContentType));
        Assert.Equal("\"84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882\"", stored.ETag); // SHA-256 of "0123456789"
        var head = (await store.HeadAsync(key, ct))!;
        Assert.Equal((stored.Length, stored.ContentType, stored.ETag), (head.Length, head.ContentType, head.ETag));

        await using (var range = (await store.ReadAsync(key, 3, 4, ct))!)
            Assert.Equal("3456", await new StreamReader(range).ReadToEndAsync(ct));
        await using (var tail = (await store.ReadAsync(key, 8, null, ct))!)
            Assert.Equal("89", await new StreamReader(tail).ReadToEndAsync(ct));
        await using (var seekable = new ObjectReadStream(store, key, head.Length))
        {
            seekable.Seek(5, SeekOrigin.Begin);
            var buffer = new byte[2];
            Assert.Equal(2, await seekable.ReadAsync(buffer, ct));
            Assert.Equal("56", Encoding.UTF8.GetString(buffer));
            seekable.Position = 1;
            Assert.Equal("123456789", await new StreamReader(seekable).ReadToEndAsync(ct));
        }

        // Replaced whole; then the package's prefix goes, and nothing else.
        await store.PutAsync(key, new MemoryStream("new"u8.ToArray()), "text/html", ct);
        await store.PutAsync($"packages/{run}/p2/index.html", new MemoryStream("other"u8.ToArray()), "text/html", ct);
        Assert.Equal(3, (await store.HeadAsync(key, ct))!.Length);
        await store.DeletePrefixAsync($"packages/{run}/p1/", ct);
        Assert.Null(await store.HeadAsync(key, ct));
        Assert.Null(await store.ReadAsync(key, 0, null, ct));
        Assert.NotNull(await store.HeadAsync($"packages/{run}/p2/index.html", ct));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task A_key_that_is_not_a_relative_path_below_the_root_is_refused(string key) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(key, new MemoryStream([1]), "application/octet-stream", TestContext.Current.CancellationToken));
}

/// <summary>The local volume store (the default); its writes leave no temporary file behind.</summary>
public sealed class LocalObjectStoreTests : ObjectStoreContract, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lms-store-" + Guid.NewGuid().ToString("N"));
    private LocalObjectStore? _store;

    protected override IObjectStore Store => _store ??= new LocalObjectStore(_root);

    [Fact]
    public async Task A_write_leaves_no_temporary_file()
    {
        await Store.PutAsync("a/b.txt", new MemoryStream("x"u8.ToArray()), "text/plain", TestContext.Current.CancellationToken);
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}

/// <summary>The S3-compatible store, against a real S3-compatible server (npm s3rver) the tests start.</summary>
public sealed class S3ObjectStoreTests(S3rverFixture s3) : ObjectStoreContract, IClassFixture<S3rverFixture>
{
    protected override IObjectStore Store => s3.Store;
}

/// <summary>
/// s3rver (tests/S3rver, installed by this project's build) on a free port with a throwaway folder and a bucket, and the
/// store pointed at it as Kubernetes would point it at S3: <c>Kind=s3</c>, a service URL, a bucket, keys.
/// </summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "lms-s3rver-" + Guid.NewGuid().ToString("N"));
    private Process? _server;
    public S3ObjectStore Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "LmsPlatform.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("No LmsPlatform.sln above the tests.");
        var script = Path.Combine(root, "tests", "S3rver", "node_modules", "s3rver", "bin", "s3rver.js");
        Assert.True(File.Exists(script), $"{script} is missing: the unit tests' build installs it (npm ci in tests/S3rver).");
        var port = FreePort();
        Directory.CreateDirectory(_data);
        _server = Process.Start(new ProcessStartInfo("node", [script, "-d", _data, "-a", "127.0.0.1", "-p", port.ToString(), "-s", "--configure-bucket", "lms-content"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
        Store = new S3ObjectStore(new ObjectStoreOptions
        {
            Kind = "s3", ServiceUrl = $"http://127.0.0.1:{port}", Bucket = "lms-content", Region = "us-east-1", AccessKey = "S3RVER", SecretKey = "S3RVER",
        });
    }

    public ValueTask DisposeAsync()
    {
        Store?.Dispose();
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
