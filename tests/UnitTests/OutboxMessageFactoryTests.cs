using System.Diagnostics;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.UnitTests;

public class OutboxMessageFactoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly UserCreated Event = new(Guid.NewGuid(), "ann@example.com", "Ann", "Lee", "E-1", Now);

    [Fact]
    public void A_row_round_trips_to_the_same_event()
    {
        var row = OutboxMessageFactory.Create(Event, Now);

        Assert.Equal(typeof(UserCreated).FullName, row.Type);
        Assert.Equal(Now, row.OccurredAt);
        Assert.Equal(Now, row.NextAttemptAt);
        Assert.Null(row.SentAt);
        Assert.Equal(Event, OutboxMessageFactory.Deserialize(row));
    }

    [Fact]
    public void Row_ids_are_unique_and_time_ordered()
    {
        var first = OutboxMessageFactory.Create(Event, Now);
        var later = OutboxMessageFactory.Create(Event, Now.AddMilliseconds(5));

        Assert.NotEqual(first.Id, later.Id);
        Assert.Equal(7, first.Id.Version);
        Assert.True(string.CompareOrdinal(first.Id.ToString(), later.Id.ToString()) < 0);
    }

    [Fact]
    public void Row_ids_written_in_the_same_millisecond_keep_their_order_as_PostgreSQL_compares_them()
    {
        // PostgreSQL orders uuid values by their bytes in RFC 9562 order (big-endian); the outbox dispatches in that order.
        var ids = Enumerable.Range(0, 10_000).Select(_ => OutboxMessageFactory.Create(Event, Now).Id).ToList();

        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.All(ids, id => Assert.Equal(0x80, id.ToByteArray(bigEndian: true)[8] & 0xC0)); // the RFC variant
        for (var i = 1; i < ids.Count; i++)
            Assert.True(ids[i - 1].ToByteArray(bigEndian: true).AsSpan().SequenceCompareTo(ids[i].ToByteArray(bigEndian: true)) < 0, $"id {i} is not above id {i - 1}");
        Assert.True(string.CompareOrdinal(ids[^1].ToString(), OutboxMessageFactory.Create(Event, Now.AddSeconds(5)).Id.ToString()) < 0);
    }

    [Fact]
    public void The_current_trace_is_captured_so_consumers_continue_it()
    {
        using var activity = new Activity("request").SetIdFormat(ActivityIdFormat.W3C).Start();
        activity.TraceStateString = "lms=1";

        var row = OutboxMessageFactory.Create(Event, Now);

        Assert.Equal(activity.Id, row.TraceParent);
        Assert.Equal("lms=1", row.TraceState);
        Assert.True(ActivityContext.TryParse(row.TraceParent, row.TraceState, out var parsed));
        Assert.Equal(activity.TraceId, parsed.TraceId);
    }

    [Fact]
    public void Without_a_trace_none_is_recorded()
    {
        Activity.Current = null;
        Assert.Null(OutboxMessageFactory.Create(Event, Now).TraceParent);
    }

    [Fact]
    public void An_unknown_type_is_refused_not_guessed()
    {
        var row = OutboxMessageFactory.Create(Event, Now);
        row.Type = "LmsPlatform.Contracts.Identity.UserRenamedInTheFuture";

        Assert.Null(OutboxMessageFactory.ResolveType(row.Type));
        Assert.Throws<InvalidOperationException>(() => OutboxMessageFactory.Deserialize(row));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(7, 60)]
    [InlineData(50, 60)]
    public void Backoff_doubles_from_one_second_and_is_capped_at_a_minute(int attempts, double expectedSeconds)
    {
        Assert.Equal(expectedSeconds, OutboxMessageFactory.Backoff(attempts, 0).TotalSeconds, 3);
        Assert.Equal(expectedSeconds * 1.2, OutboxMessageFactory.Backoff(attempts, 1).TotalSeconds, 3);
    }
}
