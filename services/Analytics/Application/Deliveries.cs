using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Application;

/// <summary>A notification type's email outcomes in a period (<see cref="Metrics.EmailPopulation"/>).</summary>
public sealed record DeliveryRow(string Type, long Sent, long Bounced, long GaveUp, long Retried)
{
    public long Emails => Sent + Bounced + GaveUp;
    public double? DeliveryRate => Metrics.Rate(Sent, Emails);
}

/// <summary>The email outcomes of one period of a delivery trend.</summary>
public sealed record DeliveryPoint(DateTimeOffset From, DateTimeOffset To, long Sent, long Failed);

/// <summary>
/// The notification delivery report: the outcomes of the emails to the people a report covers, by notification type
/// and per period, from analytics' copy of notification's delivery events.
/// </summary>
public static class Deliveries
{
    /// <summary>The outcomes in [<paramref name="start"/>, <paramref name="end"/>) of emails to the people of <paramref name="source"/>.</summary>
    public static IQueryable<EmailFact> Outcomes(AnalyticsDbContext db, ReportSource source, DateTimeOffset start, DateTimeOffset end) =>
        from f in db.EmailFacts
        where f.At >= start && f.At < end
        join u in source.People on f.UserId equals u.UserId
        select f;

    public static async Task<(List<DeliveryRow> Rows, DeliveryRow Total)> ByTypeAsync(IQueryable<EmailFact> outcomes, CancellationToken ct)
    {
        var rows = (await outcomes.GroupBy(f => f.Type).Select(g => new
            {
                Type = g.Key,
                Sent = g.LongCount(f => f.Status == EmailFact.Sent),
                Bounced = g.LongCount(f => f.Status == EmailFact.Bounced),
                GaveUp = g.LongCount(f => f.Status == EmailFact.GaveUp),
                Retried = g.LongCount(f => f.Attempts > 1),
            }).ToListAsync(ct))
            .Select(r => new DeliveryRow(r.Type, r.Sent, r.Bounced, r.GaveUp, r.Retried))
            .OrderByDescending(r => r.Bounced + r.GaveUp).ThenBy(r => r.Type, StringComparer.Ordinal).ToList();
        return (rows, new DeliveryRow("Total", rows.Sum(r => r.Sent), rows.Sum(r => r.Bounced), rows.Sum(r => r.GaveUp), rows.Sum(r => r.Retried)));
    }

    public static async Task<List<DeliveryPoint>> PerPeriodAsync(AnalyticsDbContext db, IQueryable<EmailFact> outcomes,
        List<(DateTimeOffset Start, DateTimeOffset End)> periods, CancellationToken ct)
    {
        var counts = await (from p in Trends.Table(db, periods)
                            from f in outcomes
                            where f.At >= p.Start && f.At < p.End
                            group f by p.Index into g
                            select new { Index = g.Key, Sent = g.LongCount(f => f.Status == EmailFact.Sent), Failed = g.LongCount(f => f.Status != EmailFact.Sent) })
            .ToListAsync(ct);
        var byIndex = counts.ToDictionary(c => c.Index);
        return [.. periods.Select((p, i) => byIndex.TryGetValue(i + 1, out var c) ? new DeliveryPoint(p.Start, p.End, c.Sent, c.Failed) : new DeliveryPoint(p.Start, p.End, 0, 0))];
    }
}
