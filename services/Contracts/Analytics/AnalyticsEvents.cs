namespace LmsPlatform.Contracts.Analytics;

/// <summary>
/// Analytics is rebuilding its read model and asks every service whose records it copies to send them again: each
/// sends its <see cref="ReplaySources"/> as pages (<see cref="IReplayPage"/>) naming <see cref="ReplayId"/>.
/// </summary>
public sealed record ReplayRequested(Guid ReplayId, string RequestedBy, DateTimeOffset RequestedAt) : IIntegrationEvent;

/// <summary>One line of a scheduled report's figures, as its email prints it.</summary>
public sealed record ScheduledReportLine(string Name, long Assigned, long Completed, long Overdue, long Required, long Compliant, double? CompletionRate, double? ComplianceRate);

/// <summary>
/// A scheduled report has run (as its owner would have run it, with their permissions at that moment): notification
/// emails its figures to each recipient, once per run (<see cref="RunId"/>), with a link to the report in the portal.
/// </summary>
public sealed record ScheduledReportReady(Guid RunId, Guid ScheduleId, string Name, string Report, string Scope, string OwnerName, DateTimeOffset AsOf,
    IReadOnlyList<Guid> RecipientIds, IReadOnlyList<ScheduledReportLine> Lines, ScheduledReportLine Total, int MoreLines, string Link) : IIntegrationEvent;
