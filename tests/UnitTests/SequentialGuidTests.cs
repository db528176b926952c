using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.UnitTests;

/// <summary>
/// Alone: the generator's state is the process's, and another test making ids at the real time meanwhile moves its
/// clock past the fixed time this test asks for (the test then saw a jump of more than the milliseconds it counts).
/// </summary>
[CollectionDefinition(nameof(SequentialGuidTests), DisableParallelization = true)]
public sealed class SequentialGuidCollection;

/// <summary>The ids the outbox and bulk writes order by: version 7, strictly increasing in a process, random bits unrepeated.</summary>
[Collection(nameof(SequentialGuidTests))]
public class SequentialGuidTests
{
    [Fact]
    public void Ids_made_in_the_same_millisecond_increase_strictly_and_their_random_bits_do_not_repeat()
    {
        var now = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
        // More than one refill of the random pool (4 KB: 512 ids), and past the 4,096 ids a millisecond's counter holds.
        var ids = Enumerable.Range(0, 10_000).Select(_ => SequentialGuid.NewVersion7(now)).ToList();
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // The 62 random bits (bytes 8 to 15 in RFC order, less the variant) differ between ids: no two share them.
        var randomParts = ids.Select(id => Convert.ToHexString(id.ToByteArray(bigEndian: true)[8..])).ToList();
        Assert.Equal(randomParts.Count, randomParts.Distinct().Count());
        // Past 4,096 in one millisecond the timestamp moves on, a millisecond at a time (other tests may make ids meanwhile).
        static long Milliseconds(Guid id) => System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(id.ToByteArray(bigEndian: true)) >>> 16;
        Assert.InRange(Milliseconds(ids[^1]) - Milliseconds(ids[0]), 2, 10);
    }

    [Fact]
    public void The_floor_of_a_moment_sorts_before_every_id_made_from_it_and_after_those_made_before()
    {
        var at = new DateTimeOffset(2026, 12, 6, 6, 30, 0, 123, TimeSpan.Zero);
        var floor = SequentialGuid.Floor(at);
        Assert.Equal(7, floor.Version);
        static string Bytes(Guid id) => Convert.ToHexString(id.ToByteArray(bigEndian: true)); // PostgreSQL's order
        Assert.True(string.CompareOrdinal(Bytes(floor), Bytes(Guid.CreateVersion7(at))) <= 0);
        Assert.True(string.CompareOrdinal(Bytes(floor), Bytes(Guid.CreateVersion7(at.AddMilliseconds(1)))) < 0);
        Assert.True(string.CompareOrdinal(Bytes(floor), Bytes(Guid.CreateVersion7(at.AddMilliseconds(-1)))) > 0);
    }
}
