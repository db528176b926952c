using LmsPlatform.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
namespace LmsPlatform.Analytics.Model;

/// <summary>
/// One change of a person's membership of an audience, copied from enrolment's events: the log a report "by audience"
/// reads. A person is a member on a date when their latest change by then is not <see cref="Left"/> (joining, the grace
/// period before leaving, and staying all keep them in), so the answer does not depend on the order the events arrive in.
/// </summary>
public sealed class AudienceChange
{
    public const string Left = "Left";

    public long Id { get; set; }
    public Guid AudienceId { get; set; }
    public Guid UserId { get; set; }
    public string Change { get; set; } = "";
    public DateTimeOffset At { get; set; }

    /// <summary>
    /// Keeps each membership change once: the same change may come live and in a rebuild's replay. The changes already
    /// held are read in one query for the lot (a batch of events, or a replayed page).
    /// </summary>
    public static async Task AddMissingAsync(Infrastructure.AnalyticsDbContext db, IReadOnlyCollection<Contracts.Enrolment.AudienceMembershipChanged> changes,
        CancellationToken ct)
    {
        if (changes.Count == 0) return;
        var users = changes.Select(c => c.UserId).Distinct().ToList();
        var audiences = changes.Select(c => c.AudienceId).Distinct().ToList();
        var (from, to) = (changes.Min(c => c.At).AsStored(), changes.Max(c => c.At));
        var held = (await db.AudienceChanges.Where(c => users.Contains(c.UserId) && audiences.Contains(c.AudienceId) && c.At >= from && c.At <= to)
            .Select(c => new { c.AudienceId, c.UserId, c.Change, c.At }).ToListAsync(ct)).Select(c => (c.AudienceId, c.UserId, c.Change, c.At))
            .Concat(db.AudienceChanges.Local.Select(c => (c.AudienceId, c.UserId, c.Change, c.At))).ToHashSet(); // saved, or added by another page of the batch
        foreach (var m in changes)
            if (held.Add((m.AudienceId, m.UserId, m.Change, m.At.AsStored())))
                db.AudienceChanges.Add(new AudienceChange { AudienceId = m.AudienceId, UserId = m.UserId, Change = m.Change, At = m.At.AsStored() });
    }
}

/// <summary>One sign-in, copied from identity's events: who was on the platform when, for the active-people figures.</summary>
public sealed class SignIn
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset At { get; set; }

    /// <summary>
    /// Keeps each sign-in once (a person at a moment): the same sign-in may come live and in a rebuild's replay. Those
    /// already held are read in one query for the lot (a batch of events, or a replayed page).
    /// </summary>
    public static async Task AddMissingAsync(Infrastructure.AnalyticsDbContext db, IReadOnlyCollection<Contracts.Identity.UserSignedIn> signIns,
        CancellationToken ct)
    {
        if (signIns.Count == 0) return;
        var users = signIns.Select(s => s.UserId).Distinct().ToList();
        var (from, to) = (signIns.Min(s => s.At).AsStored(), signIns.Max(s => s.At));
        var held = (await db.SignIns.Where(s => users.Contains(s.UserId) && s.At >= from && s.At <= to).Select(s => new { s.UserId, s.At }).ToListAsync(ct))
            .Select(s => (s.UserId, s.At)).Concat(db.SignIns.Local.Select(s => (s.UserId, s.At))).ToHashSet(); // saved, or added by another page of the batch
        foreach (var s in signIns)
            if (held.Add((s.UserId, s.At.AsStored())))
                db.SignIns.Add(new SignIn { UserId = s.UserId, At = s.At.AsStored() });
    }
}

/// <summary>
/// One end of an HR import, copied from identity's <see cref="LmsPlatform.Contracts.Identity.ImportFinished"/>: applied,
/// failed or refused, with its rows. The provisioning health report reads them.
/// </summary>
public sealed class ImportRun
{
    public const string Applied = "applied";
    public const string Failed = "failed";
    public const string Refused = "refused";

    public long Id { get; set; }
    public Guid ImportId { get; set; }
    public string Kind { get; set; } = "";
    public string Outcome { get; set; } = "";
    public string FileName { get; set; } = "";
    public int TotalRows { get; set; }
    public int ErrorRows { get; set; }
    public int Created { get; set; }
    public int Updated { get; set; }
    public int Moved { get; set; }
    public int Deactivated { get; set; }
    public string? Message { get; set; }
    public string By { get; set; } = "";
    public DateTimeOffset At { get; set; }

    /// <summary>Keeps an import's end once: the same end may come live and in a rebuild's replay.</summary>
    public static async Task AddOnceAsync(Infrastructure.AnalyticsDbContext db, Contracts.Identity.ImportFinished m, CancellationToken ct)
    {
        if (db.ImportRuns.Local.Any(r => r.ImportId == m.ImportId && r.Outcome == m.Outcome && r.At == m.At)
            || await db.ImportRuns.AnyAsync(r => r.ImportId == m.ImportId && r.Outcome == m.Outcome && r.At == m.At, ct)) return;
        db.ImportRuns.Add(new ImportRun
        {
            ImportId = m.ImportId, Kind = m.Kind, Outcome = m.Outcome, FileName = m.FileName, TotalRows = m.TotalRows, ErrorRows = m.ErrorRows,
            Created = m.Created, Updated = m.Updated, Moved = m.Moved, Deactivated = m.Deactivated,
            Message = m.Message is { Length: > 1000 } text ? text[..1000] : m.Message, By = m.By, At = m.At,
        });
    }
}

/// <summary>
/// A person moved to another org unit or manager, or their status changed (deactivated, suspended, reactivated), as
/// identity's user events said: where from and where to, and when. A report as of a past date places a person where
/// they sat then, with the status they had: the "from" of their first change after the date, or as they are now if
/// nothing changed since.
/// </summary>
public sealed class PlacementChange
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? FromOrgUnitId { get; set; }
    public Guid? FromManagerId { get; set; }
    public Guid? ToOrgUnitId { get; set; }
    public Guid? ToManagerId { get; set; }
    /// <summary>The status before and after (null in changes logged before statuses were: their status is taken as now).</summary>
    public string? FromStatus { get; set; }
    public string? ToStatus { get; set; }

    /// <summary>The change that brought <paramref name="copy"/> from <paramref name="before"/> to where and as it is now, at <paramref name="at"/>.</summary>
    public static PlacementChange Of(UserFact copy, ServiceDefaults.People.PersonPlacement before, DateTimeOffset at) => new()
    {
        UserId = copy.UserId, At = at.AsStored(), FromOrgUnitId = before.OrgUnitId, FromManagerId = before.ManagerId, FromStatus = before.Status,
        ToOrgUnitId = copy.OrgUnitId, ToManagerId = copy.ManagerId, ToStatus = copy.Status,
    };

    /// <summary>A change as identity's audit trail recorded it (a rebuild's replay).</summary>
    public static PlacementChange Of(Contracts.Identity.ReplayedPlacementChange c) => new()
    {
        UserId = c.UserId, At = c.At.AsStored(), FromOrgUnitId = c.FromOrgUnitId, FromManagerId = c.FromManagerId, FromStatus = c.FromStatus,
        ToOrgUnitId = c.ToOrgUnitId, ToManagerId = c.ToManagerId, ToStatus = c.ToStatus,
    };

    /// <summary>
    /// Keeps each change once (a person at a moment): the same change comes live and in a rebuild's replay of the audit
    /// trail. One logged before statuses were gets them from the one that knows them. Those already held, saved or
    /// added earlier in the transaction, are read in one query for the lot.
    /// </summary>
    public static async Task AddMissingAsync(Infrastructure.AnalyticsDbContext db, IReadOnlyCollection<PlacementChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0) return;
        var users = changes.Select(c => c.UserId).Distinct().ToList();
        var (from, to) = (changes.Min(c => c.At), changes.Max(c => c.At));
        await db.PlacementChanges.Where(c => users.Contains(c.UserId) && c.At >= from && c.At <= to).LoadAsync(ct);
        var held = db.PlacementChanges.Local.Where(c => users.Contains(c.UserId)).ToDictionary(c => (c.UserId, c.At));
        foreach (var change in changes)
        {
            if (!held.TryGetValue((change.UserId, change.At), out var known)) db.PlacementChanges.Add(held[(change.UserId, change.At)] = change);
            else if (known.FromStatus is null && change.FromStatus is not null) (known.FromStatus, known.ToStatus) = (change.FromStatus, change.ToStatus);
        }
    }
}
