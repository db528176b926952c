using System.Text;
using LmsPlatform.ContentDelivery.Infrastructure.Storage;

namespace LmsPlatform.UnitTests;

/// <summary>The local volume store: whole objects with a content hash as entity tag, ranges, prefixes, and keys that cannot leave the root.</summary>
public sealed class LocalObjectStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lms-store-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task An_object_is_written_whole_read_by_range_and_deleted_by_prefix()
    {
        var store = new LocalObjectStore(_root);
        var ct = TestContext.Current.CancellationToken;
        var stored = await store.PutAsync("packages/p1/shared/launch.html", new MemoryStream(Encoding.UTF8.GetBytes("0123456789")), "text/html", ct);
        Assert.Equal((10L, "text/html"), (stored.Length, stored.ContentType));
        Assert.Equal("\"84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882\"", stored.ETag); // SHA-256 of "0123456789"
        Assert.Equal(stored with { LastModified = default }, (await store.HeadAsync("packages/p1/shared/launch.html", ct))! with { LastModified = default });

        await using (var range = (await store.ReadAsync("packages/p1/shared/launch.html", 3, 4, ct))!)
            Assert.Equal("3456", await new StreamReader(range).ReadToEndAsync(ct));
        await using (var tail = (await store.ReadAsync("packages/p1/shared/launch.html", 8, null, ct))!)
            Assert.Equal("89", await new StreamReader(tail).ReadToEndAsync(ct));

        // Replaced whole; then the package's prefix goes, and nothing else.
        await store.PutAsync("packages/p1/shared/launch.html", new MemoryStream("new"u8.ToArray()), "text/html", ct);
        await store.PutAsync("packages/p2/index.html", new MemoryStream("other"u8.ToArray()), "text/html", ct);
        Assert.Equal(3, (await store.HeadAsync("packages/p1/shared/launch.html", ct))!.Length);
        await store.DeletePrefixAsync("packages/p1/", ct);
        Assert.Null(await store.HeadAsync("packages/p1/shared/launch.html", ct));
        Assert.Null(await store.ReadAsync("packages/p1/shared/launch.html", 0, null, ct));
        Assert.NotNull(await store.HeadAsync("packages/p2/index.html", ct));
        Assert.Empty(Directory.GetFiles(_root, "*.tmp", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a\\b")]
    [InlineData("")]
    public async Task A_key_that_is_not_a_relative_path_below_the_root_is_refused(string key)
    {
        var store = new LocalObjectStore(_root);
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync(key, new MemoryStream([1]), "application/octet-stream", TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
