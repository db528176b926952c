using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>
/// UUIDv7 (RFC 9562) that increase strictly within this process: the outbox dispatches in id order and keeps each
/// aggregate's events in that order, so two events written in the same millisecond (a user updated, then deactivated)
/// must not come out swapped, as <see cref="Guid.CreateVersion7(DateTimeOffset)"/>'s random bits allow. Ids made in the
/// same millisecond carry a 12-bit counter in <c>rand_a</c> (RFC 9562 §6.2, method 1); past 4,096 in one
/// millisecond, or when the clock steps back, the timestamp is advanced by one. The remaining 62 bits are random,
/// from the operating system's CSPRNG read 4 KB at a time (a read per id costs a system call: an audience assigning a
/// course to a hundred thousand people makes three ids a person).
/// </summary>
public static class SequentialGuid
{
    private static readonly Lock Gate = new();
    private static long _lastMs;
    private static int _counter;

    public static Guid NewVersion7(DateTimeOffset now)
    {
        long ms;
        int counter;
        lock (Gate)
        {
            ms = Math.Max(now.ToUnixTimeMilliseconds(), _lastMs);
            if (ms == _lastMs && ++_counter > 0xFFF) { ms++; _counter = 0; }
            else if (ms != _lastMs) _counter = 0;
            (_lastMs, counter) = (ms, _counter);
        }
        Span<byte> bytes = stackalloc byte[16];
        RandomBytes(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, ms << 16);
        bytes[6] = (byte)(0x70 | (counter >> 8));
        bytes[7] = (byte)counter;
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The smallest version 7 id of the millisecond <paramref name="at"/>: every id made from that moment on sorts after it,
    /// so "rows written since" is a range of the primary key (PostgreSQL orders uuids by their bytes).
    /// </summary>
    public static Guid Floor(DateTimeOffset at)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, at.ToUnixTimeMilliseconds() << 16);
        bytes[6] = 0x70;
        bytes[8] = 0x80;
        return new Guid(bytes, bigEndian: true);
    }

    [ThreadStatic] private static byte[]? _pool;
    [ThreadStatic] private static int _used;

    /// <summary>Cryptographically random bytes, each handed out once, from a per-thread pool refilled by the CSPRNG.</summary>
    private static void RandomBytes(Span<byte> destination)
    {
        var pool = _pool ??= new byte[4096];
        if (_used == 0 || _used + destination.Length > pool.Length)
        {
            RandomNumberGenerator.Fill(pool);
            _used = 0;
        }
        pool.AsSpan(_used, destination.Length).CopyTo(destination);
        pool.AsSpan(_used, destination.Length).Clear();
        _used += destination.Length;
    }
}
