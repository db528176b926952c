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
