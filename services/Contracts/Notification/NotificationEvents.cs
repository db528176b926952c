namespace LmsPlatform.Contracts.Notification;

/// <summary>
/// An email's delivery reached an outcome: <c>Sent</c> (the relay took it), <c>Bounced</c> (refused for good) or
/// <c>GaveUp</c> (retried for two days without success). An email an operator sends again announces its new outcome
/// with a later <see cref="At"/>. <see cref="UserId"/> is null for mail to an address that is nobody's account.
/// </summary>
public sealed record EmailDeliveryChanged(Guid EmailId, Guid? UserId, string? Type, string Status, int Attempts, DateTimeOffset QueuedAt, DateTimeOffset At)
    : IIntegrationEvent;

/// <summary>A page of notification's log of email outcomes sent again for a replay, each outcome as it was announced.</summary>
public sealed record EmailOutcomesReplayed(Guid ReplayId, int Page, IReadOnlyList<EmailDeliveryChanged> Outcomes, bool Last, long Total, DateTimeOffset At)
    : IReplayPage
{
    string IReplayPage.Source => ReplaySources.EmailOutcomes;
    int IReplayPage.Count => Outcomes.Count;
}
