using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Notification;

namespace LmsPlatform.Analytics.Consumers;

/// <summary>Email outcomes, for the delivery report: one row per email, its latest outcome (<see cref="EmailFact"/>).</summary>
public sealed class EmailDeliveryChangedConsumer(AnalyticsDbContext db) : WholeBatchConsumer<EmailDeliveryChanged>(db)
{
    protected override Task ApplyAsync(IReadOnlyList<EmailDeliveryChanged> outcomes, CancellationToken cancellationToken) =>
        EmailFact.ApplyAsync(Db, outcomes, cancellationToken);
}

/// <summary>A page of notification's log of email outcomes sent again for a rebuild.</summary>
public sealed class EmailOutcomesReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<EmailOutcomesReplayed, EmailDeliveryChanged>(db)
{
    protected override IReadOnlyList<EmailDeliveryChanged> RecordsOf(EmailOutcomesReplayed page) => page.Outcomes;
    protected override Task ApplyAsync(IReadOnlyList<EmailDeliveryChanged> outcomes, CancellationToken cancellationToken) =>
        EmailFact.ApplyAsync(Db, outcomes, cancellationToken);
}
