namespace LmsPlatform.ContentDelivery.Model;

/// <summary>
/// A forward-only read of an inner stream that sees every chunk read (<see cref="Counted"/>): the one base for a
/// range of a file (stop after so many bytes) and a package's entry (refuse past its declared size).
/// </summary>
public abstract class BoundedReadStream(Stream inner, long length) : Stream
{
    private long _read;

    /// <summary>How many bytes the next read may return (0: the end).</summary>
    protected virtual int Allowed(int wanted) => wanted;

    /// <summary>Called with each chunk's size after it is read; may throw to stop the read.</summary>
    protected virtual void Counted(long total, int read) { }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var allowed = Allowed(buffer.Length);
        return allowed == 0 ? 0 : Count(inner.Read(buffer[..allowed]));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var allowed = Allowed(buffer.Length);
        return allowed == 0 ? 0 : Count(await inner.ReadAsync(buffer[..allowed], cancellationToken));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        Counted(_read, read);
        return read;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
