using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// The ledger sent again, in (enrolment, sequence) order. Entries keep their numbers, so a read model that already holds
/// some of them skips those; the expiries the clock writes are not events a read model folds, and are left out.
/// </summary>
public sealed class LedgerReplaySource : ReplaySource<EnrolmentDbContext, ReplayedLedgerEntry>
{
    public override string Name => ReplaySources.Ledger;

    protected override async Task<IReadOnlyList<(ReplayPosition At, ReplayedLedgerEntry? Record)>> ReadRowsAsync(EnrolmentDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        var page = await db.Ledger.FromSql($"""
            SELECT * FROM ledger WHERE ("EnrolmentId", "Sequence") > ({after.Id}, {(int)after.Number}) ORDER BY "EnrolmentId", "Sequence" LIMIT {size}
            """).AsNoTracking().ToListAsync(ct);
        return [.. page.Select(e => (new ReplayPosition(e.EnrolmentId, e.Sequence), e.Action == LedgerAction.Expired ? null
            : new ReplayedLedgerEntry(e.EnrolmentId, e.Sequence, e.UserId, e.CourseId, e.Action.ToString(), e.At, e.DueAt, e.Version, e.SourceKind?.ToString())))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ReplayedLedgerEntry> records, bool last, long total) =>
        new LedgerReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>
/// The certification cycles sent again from their history (<see cref="CertificationChange"/>, in the order written): each
/// cycle earned or renewed as its <see cref="CertificationAchieved"/>, each that ran out as its <see cref="CertificationExpired"/>.
/// </summary>
public sealed class CertificationReplaySource : ReplaySource<EnrolmentDbContext, Contracts.IIntegrationEvent>
{
    public override string Name => ReplaySources.Certifications;

    protected override async Task<IReadOnlyList<(ReplayPosition At, Contracts.IIntegrationEvent? Record)>> ReadRowsAsync(EnrolmentDbContext db,
        ReplayPosition after, int size, CancellationToken ct)
    {
        var page = await db.CertificationChanges.FromSql($"""
            SELECT * FROM certification_history WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}
            """).AsNoTracking().ToListAsync(ct);
        return [.. page.Select(c => (new ReplayPosition(c.Id, 0), c.Change switch
        {
            CertificationChangeKind.Certified or CertificationChangeKind.Renewed =>
                (Contracts.IIntegrationEvent?)new CertificationAchieved(c.CertificationId, c.UserId, c.CourseId, c.Cycle, c.At, c.ExpiresAt, c.RecordedAt),
            CertificationChangeKind.Expired => new CertificationExpired(c.CertificationId, c.UserId, c.CourseId, c.Cycle, c.At, c.RecordedAt),
            _ => null, // a window opening changes nothing a read model counts
        }))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<Contracts.IIntegrationEvent> records, bool last, long total) =>
        new CertificationsReplayed(header.ReplayId, header.Page, [.. records.OfType<CertificationAchieved>()], [.. records.OfType<CertificationExpired>()],
            last, total, header.At);
}

/// <summary>The audiences' membership history (<see cref="MembershipChange"/>, in the order written), each change as it was announced.</summary>
public sealed class AudienceChangeReplaySource : ReplaySource<EnrolmentDbContext, AudienceMembershipChanged>
{
    public override string Name => ReplaySources.AudienceChanges;

    protected override async Task<IReadOnlyList<(ReplayPosition At, AudienceMembershipChanged? Record)>> ReadRowsAsync(EnrolmentDbContext db,
        ReplayPosition after, int size, CancellationToken ct)
    {
        var page = await db.MembershipChanges.FromSql($"""
            SELECT * FROM audience_membership_history WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}
            """).AsNoTracking().ToListAsync(ct);
        return [.. page.Select(c => (new ReplayPosition(c.Id, 0), (AudienceMembershipChanged?)c.ToIntegrationEvent()))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<AudienceMembershipChanged> records, bool last, long total) =>
        new AudienceChangesReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}
