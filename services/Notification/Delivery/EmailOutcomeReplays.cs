using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Notification;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Delivery;

/// <summary>What notification sends again when a read model rebuilds itself: the log of email outcomes, in id order.</summary>
public sealed class EmailOutcomeReplaySource : ReplaySource<NotificationDbContext, EmailDeliveryChanged>
{
    public override string Name => ReplaySources.EmailOutcomes;

    protected override async Task<IReadOnlyList<(ReplayPosition At, EmailDeliveryChanged? Record)>> ReadRowsAsync(NotificationDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        var page = await db.EmailOutcomes.FromSql($"""SELECT * FROM email_outcomes WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}""").AsNoTracking().ToListAsync(ct);
        return [.. page.Select(o => (new ReplayPosition(o.Id, 0), (EmailDeliveryChanged?)o.Announced()))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<EmailDeliveryChanged> records, bool last, long total) =>
        new EmailOutcomesReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>A read model asks for the records again: a replay per source (<see cref="ReplayRequestedConsumer{TContext}"/>).</summary>
public sealed class ReplayRequestedConsumer(NotificationDbContext db, IEnumerable<IReplaySource<NotificationDbContext>> sources)
    : ReplayRequestedConsumer<NotificationDbContext>(db, sources);
