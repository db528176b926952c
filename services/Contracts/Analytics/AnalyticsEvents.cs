namespace LmsPlatform.Contracts.Analytics;

/// <summary>
/// Analytics is rebuilding its read model and asks enrolment to send its whole ledger again, as
/// <see cref="LmsPlatform.Contracts.Enrolment.LedgerReplayed"/> pages naming <see cref="ReplayId"/>.
/// </summary>
public sealed record LedgerReplayRequested(Guid ReplayId, string RequestedBy, DateTimeOffset RequestedAt) : IIntegrationEvent;
