namespace LmsPlatform.ContentDelivery.Infrastructure.Storage;

/// <summary>
/// A stored object as a seekable stream of known length: nothing is read until the first read, which asks the store
/// for the bytes from the current position; a seek drops what was open. So ASP.NET Core's range handling (seek to the
/// range's start, read its length) turns into one ranged read of the store, local or S3, and a whole file is one read.
/// </summary>
public sealed class ObjectReadStream(IObjectStore store, string key, long length) : Stream
{
    private Stream? _open;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch { SeekOrigin.Current => _position + offset, SeekOrigin.End => length + offset, _ => offset };
        if (target < 0) throw new IOException("Cannot seek before the start.");
        if (target != _position) Close(ref _open);
        return _position = target;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= length || buffer.Length == 0) return 0;
        _open ??= await store.ReadAsync(key, _position, null, cancellationToken) ?? throw new FileNotFoundException($"'{key}' is no longer stored.");
        var read = await _open.ReadAsync(buffer, cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) Close(ref _open);
        base.Dispose(disposing);
    }

    private static void Close(ref Stream? stream)
    {
        stream?.Dispose();
        stream = null;
    }
}
