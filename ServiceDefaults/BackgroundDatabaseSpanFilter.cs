using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps database spans that have no parent out of the exported traces: the outbox dispatchers' and schedulers'
/// polling (a query a second per service), which would otherwise bury every request's trace in the dashboard. A query
/// made while handling a request or a message has a parent and is exported, as is everything else. (Npgsql sets its
/// tags after a span starts, so a sampler cannot tell; this processor runs before the exporter and unmarks the span.)
/// </summary>
public sealed class BackgroundDatabaseSpanFilter : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        if (activity.Parent is null && activity.ParentSpanId == default && activity.Source.Name == "Npgsql")
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
    }
}
