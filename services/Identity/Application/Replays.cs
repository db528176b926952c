using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Identity.Imports;
using LmsPlatform.Identity.Infrastructure;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Identity.Application;

// What identity sends again when a read model rebuilds itself (ReplayRequested), each in id order.

/// <summary>Every person as they are: profile and status as of their last change, and their erasure.</summary>
public sealed class PeopleReplaySource : ReplaySource<IdentityDbContext, ReplayedPerson>
{
    public override string Name => ReplaySources.People;

    protected override async Task<IReadOnlyList<(ReplayPosition At, ReplayedPerson? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after, int size,
        CancellationToken ct)
    {
        var page = await db.Users.FromSql($"""SELECT *, xmin FROM users WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}""").AsNoTracking().ToListAsync(ct);
        return [.. page.Select(u => (new ReplayPosition(u.Id, 0), (ReplayedPerson?)new ReplayedPerson(u.Id, u.CreatedAt, u.Profile(), u.UpdatedAt, u.ErasedAt)))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ReplayedPerson> records, bool last, long total) =>
        new PeopleReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>The org unit tree as it is.</summary>
public sealed class OrgUnitReplaySource : ReplaySource<IdentityDbContext, ReplayedOrgUnit>
{
    public override string Name => ReplaySources.OrgUnits;

    protected override async Task<IReadOnlyList<(ReplayPosition At, ReplayedOrgUnit? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after, int size,
        CancellationToken ct)
    {
        var page = await db.OrgUnits.FromSql($"""SELECT *, xmin FROM org_units WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}""").AsNoTracking().ToListAsync(ct);
        return [.. page.Select(o => (new ReplayPosition(o.Id, 0), (ReplayedOrgUnit?)new ReplayedOrgUnit(o.Id, o.Name, o.ParentId, o.Active)))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ReplayedOrgUnit> records, bool last, long total) =>
        new OrgUnitsReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>The roles held (a revoked role's assignment is gone), each as its grant announced it.</summary>
public sealed class RoleReplaySource : ReplaySource<IdentityDbContext, RoleAssignmentChanged>
{
    public override string Name => ReplaySources.Roles;

    protected override async Task<IReadOnlyList<(ReplayPosition At, RoleAssignmentChanged? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        var page = await db.RoleAssignments.FromSql($"""SELECT *, xmin FROM role_assignments WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}""").AsNoTracking().ToListAsync(ct);
        return [.. page.Select(r => (new ReplayPosition(r.Id, 0), (RoleAssignmentChanged?)new RoleAssignmentChanged(r.Id, r.UserId, r.Role, r.ScopeOrgUnitId, true, r.CreatedAt)))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<RoleAssignmentChanged> records, bool last, long total) =>
        new RolesReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>
/// The ends of HR imports, as <see cref="ImportWorker"/> announced them: a refusal by the threshold (number 0), then the
/// end of applying or failing (number 1); a dry run has none. A job keeps only its last refusal, and its figures and
/// message are its last plan's: a refusal later applied comes back with the plan that was applied.
/// </summary>
public sealed class ImportReplaySource : ReplaySource<IdentityDbContext, ImportFinished>
{
    public override string Name => ReplaySources.Imports;

    protected override async Task<IReadOnlyList<(ReplayPosition At, ImportFinished? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        // From the last job read (it may have a second end still to send); each job has at most two, so size + 1 jobs fill a page.
        var jobs = await db.ImportJobs.FromSql($"""
            SELECT * FROM import_jobs WHERE "Id" >= {after.Id} AND ("CompletedAt" IS NOT NULL OR "RefusedAt" IS NOT NULL) ORDER BY "Id" LIMIT {size + 1}
            """).AsNoTracking().Select(ImportJob.WithoutFile).OrderBy(j => j.Id).ToListAsync(ct);
        var ends = jobs.SelectMany(j => new (ReplayPosition At, ImportFinished? End)[]
        {
            (new(j.Id, 0), j.RefusedAt is { } refusedAt ? ImportWorker.Finished(j, "refused", refusedAt) : null),
            (new(j.Id, 1), j.CompletedAt is { } completedAt ? ImportWorker.Finished(j, ImportWorker.Outcome(j.Status), completedAt) : null),
        });
        return [.. ends.Where(e => e.End is not null && (e.At.Id != after.Id || e.At.Number > after.Number)).Take(size)];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ImportFinished> records, bool last, long total) =>
        new ImportsReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>The sign-in log, each sign-in as it was announced.</summary>
public sealed class SignInReplaySource : ReplaySource<IdentityDbContext, UserSignedIn>
{
    public override string Name => ReplaySources.SignIns;

    protected override async Task<IReadOnlyList<(ReplayPosition At, UserSignedIn? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after, int size,
        CancellationToken ct)
    {
        var page = await db.SignIns.FromSql($"""SELECT * FROM sign_ins WHERE "Id" > {after.Id} ORDER BY "Id" LIMIT {size}""").AsNoTracking().ToListAsync(ct);
        return [.. page.Select(s => (new ReplayPosition(s.Id, 0), (UserSignedIn?)s.Announced()))];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<UserSignedIn> records, bool last, long total) =>
        new SignInsReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}

/// <summary>
/// Every change of a person's org unit, manager or status, from the audit trail: each user change there holds the
/// profile before and after. The trail began with identity, so it holds the changes made before analytics logged them.
/// </summary>
public sealed class PlacementReplaySource : ReplaySource<IdentityDbContext, ReplayedPlacementChange>
{
    public override string Name => ReplaySources.Placements;

    /// <summary>The audit entries of a user change, each with the profile before and after (<see cref="User"/>'s changes); indexed for this replay.</summary>
    public const string UserChanges = """
        "EntityType" = 'user' AND "Action" IN ('user.updated', 'user.deactivated', 'user.reactivated')
        """;

    private sealed record Row(Guid Id, string EntityId, DateTimeOffset OccurredAt, Guid? FromOrgUnitId, Guid? FromManagerId, string? FromStatus,
        Guid? ToOrgUnitId, Guid? ToManagerId, string? ToStatus);

    protected override async Task<IReadOnlyList<(ReplayPosition At, ReplayedPlacementChange? Record)>> ReadRowsAsync(IdentityDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        var page = await db.Database.SqlQueryRaw<Row>($$"""
            SELECT "Id", "EntityId", "OccurredAt",
                   ("Before"->>'orgUnitId')::uuid AS "FromOrgUnitId", ("Before"->>'managerId')::uuid AS "FromManagerId", "Before"->>'status' AS "FromStatus",
                   ("After"->>'orgUnitId')::uuid AS "ToOrgUnitId", ("After"->>'managerId')::uuid AS "ToManagerId", "After"->>'status' AS "ToStatus"
            FROM audit_log WHERE "Id" > {0} AND {{UserChanges}} ORDER BY "Id" LIMIT {1}
            """, after.Id, size).ToListAsync(ct);
        return [.. page.Select(r => (new ReplayPosition(r.Id, 0), Moved(r) ? new ReplayedPlacementChange(Guid.Parse(r.EntityId), r.OccurredAt,
            r.FromOrgUnitId, r.FromManagerId, r.FromStatus, r.ToOrgUnitId, r.ToManagerId, r.ToStatus) : null))];
    }

    private static bool Moved(Row r) => r.FromOrgUnitId != r.ToOrgUnitId || r.FromManagerId != r.ToManagerId || r.FromStatus != r.ToStatus;

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ReplayedPlacementChange> records, bool last, long total) =>
        new PlacementsReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}
