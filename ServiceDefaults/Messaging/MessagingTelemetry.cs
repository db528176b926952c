using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LmsPlatform.ServiceDefaults.Messaging;

/// <summary>The outbox's and inbox's own traces and metrics.</summary>
public static class MessagingTelemetry
{
    public const string ActivitySourceName = "LmsPlatform.Messaging";
    public const string MeterName = "LmsPlatform.Messaging";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Published = Meter.CreateCounter<long>("lms.outbox.published", description: "Outbox messages published");
    public static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>("lms.outbox.publish_failures", description: "Failed publish attempts");
    public static readonly Counter<long> Consumed = Meter.CreateCounter<long>("lms.inbox.consumed", description: "Messages applied by consumers");
    public static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("lms.inbox.duplicates", description: "Redelivered messages skipped");
    public static readonly Counter<long> Poisoned = Meter.CreateCounter<long>("lms.inbox.poisoned", description: "Messages that could not be applied, moved to the error queue");
    private static Func<IReadOnlyDictionary<string, long>>? _failedMessageCounts;
    public static readonly ObservableGauge<long> FailedMessages = Meter.CreateObservableGauge("lms.messaging.failed_messages",
        () => (_failedMessageCounts?.Invoke() ?? new Dictionary<string, long>())
            .Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("queue", c.Key))),
        description: "Messages waiting in the service's _error queues, as last counted");

    /// <summary>Where <see cref="FailedMessages"/> reads the error queues' depths from.</summary>
    public static void ObserveFailedMessages(Func<IReadOnlyDictionary<string, long>> counts) => _failedMessageCounts = counts;

    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("lms.inbox.batch_size", description: "Messages per consumed batch");
}
