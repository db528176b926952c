using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Analytics.Application;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Consumers;

/// <summary>
/// The people of the reporting read model (org unit, manager, status), one queue per event. A move to another org unit
/// or manager, and a change of status, is also logged (<see cref="PlacementChange"/>), for reports as of a past date.
/// </summary>
public abstract class UserFactConsumer<TEvent>(AnalyticsDbContext db) : PersonCopyConsumer<TEvent, AnalyticsDbContext, UserFact>(db)
    where TEvent : class, LmsPlatform.Contracts.IIntegrationEvent
{
    protected override Task PlacementChangedAsync(TEvent message, UserFact copy, PersonPlacement before, CancellationToken cancellationToken)
    {
        Db.PlacementChanges.Add(PlacementChange.Of(copy, before, PersonCopy.TimeOf(message)));
        return Task.CompletedTask;
    }
}

public sealed class UserCreatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserCreated>(db);
public sealed class UserUpdatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserUpdated>(db);
public sealed class UserDeactivatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserDeactivated>(db);
public sealed class UserReactivatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserReactivated>(db);
public sealed class UserErasedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserErased>(db);

/// <summary>
/// A page of identity's people sent again for a rebuild, each applied as the events it stands for. The copies are not
/// emptied by a rebuild (identity never deletes a person, so the replay reaches every one), which keeps the moves log
/// whole: a page that brings a change the live events have not yet brought logs it, at the time it was made; a page
/// that only mends a copy (the same time as the copy's) logs nothing.
/// </summary>
public sealed class PeopleReplayedConsumer(AnalyticsDbContext db) : IdempotentConsumer<PeopleReplayed, AnalyticsDbContext>(db)
{
    private Dictionary<Guid, UserFact> _copies = [];

    protected override async Task BeforeHandlingAsync(IReadOnlyList<PeopleReplayed> messages, CancellationToken cancellationToken)
    {
        await RebuildProgress.LockAsync(Db, messages, cancellationToken);
        var ids = messages.SelectMany(m => m.People.Select(p => p.UserId)).Distinct().ToList();
        _copies = await Db.Users.Where(u => ids.Contains(u.UserId)).ToDictionaryAsync(u => u.UserId, cancellationToken);
    }

    protected override async Task HandleAsync(PeopleReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        foreach (var person in message.People)
        {
            if (!_copies.TryGetValue(person.UserId, out var copy))
            {
                Db.Users.Add(_copies[person.UserId] = copy = new UserFact { UserId = person.UserId });
                copy.Apply(person);
                continue;
            }
            var (before, since) = (copy.Placement, copy.ProfileAt);
            copy.Apply(person);
            if (before != copy.Placement && (since is null || person.ProfileAt > since)) Db.PlacementChanges.Add(PlacementChange.Of(copy, before, person.ProfileAt));
        }
    }
}

/// <summary>
/// A page of one source's records sent again for a rebuild, applied record by record with the live rule: the batch's
/// rebuild locked first, the page counted, then each record.
/// </summary>
public abstract class ReplayedRecordsConsumer<TPage, TRecord>(AnalyticsDbContext db) : IdempotentConsumer<TPage, AnalyticsDbContext>(db)
    where TPage : class, LmsPlatform.Contracts.IReplayPage
{
    protected abstract IEnumerable<TRecord> RecordsOf(TPage page);
    protected abstract Task ApplyAsync(TRecord record, CancellationToken cancellationToken);

    protected override Task BeforeHandlingAsync(IReadOnlyList<TPage> messages, CancellationToken cancellationToken) =>
        RebuildProgress.LockAsync(Db, messages, cancellationToken);

    protected override async Task HandleAsync(TPage message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        foreach (var record in RecordsOf(message)) await ApplyAsync(record, cancellationToken);
    }
}

/// <summary>A page of the org unit tree sent again for a rebuild: the units no live event has written since the copy was emptied.</summary>
public sealed class OrgUnitsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<OrgUnitsReplayed, ReplayedOrgUnit>(db)
{
    protected override IEnumerable<ReplayedOrgUnit> RecordsOf(OrgUnitsReplayed page) => page.Units;
    protected override Task ApplyAsync(ReplayedOrgUnit unit, CancellationToken cancellationToken) =>
        OrgUnitCopyModel.InsertMissingAsync(Db, unit.OrgUnitId, unit.Name, unit.ParentId, unit.Active, cancellationToken);
}

/// <summary>The roles people hold, for the scope a scheduled report runs with; a later change that arrived first is kept.</summary>
public sealed class RoleAssignmentChangedConsumer(AnalyticsDbContext db) : IdempotentConsumer<RoleAssignmentChanged, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(RoleAssignmentChanged message, CancellationToken cancellationToken) => RoleHeld.ApplyAsync(Db, message, cancellationToken);
}

/// <summary>A page of the roles held sent again for a rebuild, each as its grant.</summary>
public sealed class RolesReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<RolesReplayed, RoleAssignmentChanged>(db)
{
    protected override IEnumerable<RoleAssignmentChanged> RecordsOf(RolesReplayed page) => page.Roles;
    protected override Task ApplyAsync(RoleAssignmentChanged role, CancellationToken cancellationToken) => RoleHeld.ApplyAsync(Db, role, cancellationToken);
}

/// <summary>Sign-ins, for the people active on the platform (<see cref="SignIn"/>).</summary>
public sealed class UserSignedInConsumer(AnalyticsDbContext db) : IdempotentConsumer<UserSignedIn, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(UserSignedIn message, CancellationToken cancellationToken)
    {
        Db.SignIns.Add(new SignIn { UserId = message.UserId, At = message.At });
        return Task.CompletedTask;
    }
}

/// <summary>The ends of HR imports, for the provisioning health report (<see cref="ImportRun"/>).</summary>
public sealed class ImportFinishedConsumer(AnalyticsDbContext db) : IdempotentConsumer<ImportFinished, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(ImportFinished message, CancellationToken cancellationToken) => ImportRun.AddOnceAsync(Db, message, cancellationToken);
}

/// <summary>A page of HR imports' ends sent again for a rebuild.</summary>
public sealed class ImportsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<ImportsReplayed, ImportFinished>(db)
{
    protected override IEnumerable<ImportFinished> RecordsOf(ImportsReplayed page) => page.Ends;
    protected override Task ApplyAsync(ImportFinished end, CancellationToken cancellationToken) => ImportRun.AddOnceAsync(Db, end, cancellationToken);
}
