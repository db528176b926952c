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
/// Analytics follows a person's status through <see cref="UserUpdated"/> alone: identity sends it, status included,
/// with every status change, and one queue keeps a person's updates in order, so each change is logged once with the
/// "from" it really had. (UserDeactivated and UserReactivated, on queues of their own, could overtake the update
/// before them and log a wrong "from"; analytics does not consume them.)
/// </summary>
public abstract class UserFactConsumer<TEvent>(AnalyticsDbContext db) : PersonCopyConsumer<TEvent, AnalyticsDbContext, UserFact>(db)
    where TEvent : class, LmsPlatform.Contracts.IIntegrationEvent
{
    private readonly List<PlacementChange> _moves = [];

    protected override Task BeforeHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken)
    {
        _moves.Clear(); // a retried batch starts again
        return base.BeforeHandlingAsync(messages, cancellationToken);
    }

    protected override Task PlacementChangedAsync(TEvent message, UserFact copy, PersonPlacement before, CancellationToken cancellationToken)
    {
        _moves.Add(PlacementChange.Of(copy, before, PersonCopy.TimeOf(message)));
        return Task.CompletedTask;
    }

    /// <summary>The batch's moves kept once, in one query for the lot.</summary>
    protected override Task AfterHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken) =>
        PlacementChange.AddMissingAsync(Db, _moves, cancellationToken);
}

public sealed class UserCreatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserCreated>(db);
public sealed class UserUpdatedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserUpdated>(db);
public sealed class UserErasedConsumer(AnalyticsDbContext db) : UserFactConsumer<UserErased>(db);

/// <summary>
/// A page of identity's people sent again for a rebuild, each applied as the events it stands for. The copies are not
/// emptied by a rebuild (identity never deletes a person, so the replay reaches every one), so a move made meanwhile is
/// logged as usual. A page logs no move: the moves come from identity's audit trail, which knows each step and its own
/// moment (<see cref="PlacementsReplayedConsumer"/>). A person's page knows only their last change of any kind, so a
/// move logged from it could sit at the wrong moment, and then twice beside the trail's, for good.
/// </summary>
public sealed class PeopleReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<PeopleReplayed, ReplayedPerson>(db)
{
    protected override IReadOnlyList<ReplayedPerson> RecordsOf(PeopleReplayed page) => page.People;

    protected override async Task ApplyAsync(IReadOnlyList<ReplayedPerson> people, CancellationToken cancellationToken)
    {
        var ids = people.Select(p => p.UserId).ToList();
        await Db.Users.Where(u => ids.Contains(u.UserId)).LoadAsync(cancellationToken);
        var copies = Db.Users.Local.Where(u => ids.Contains(u.UserId)).ToDictionary(u => u.UserId);
        foreach (var person in people)
        {
            if (!copies.TryGetValue(person.UserId, out var copy)) Db.Users.Add(copies[person.UserId] = copy = new UserFact { UserId = person.UserId });
            copy.Apply(person);
        }
    }
}

/// <summary>A page of people's moves and status changes from identity's audit trail, each logged once.</summary>
public sealed class PlacementsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<PlacementsReplayed, ReplayedPlacementChange>(db)
{
    protected override IReadOnlyList<ReplayedPlacementChange> RecordsOf(PlacementsReplayed page) => page.Changes;
    protected override Task ApplyAsync(IReadOnlyList<ReplayedPlacementChange> changes, CancellationToken cancellationToken) =>
        PlacementChange.AddMissingAsync(Db, [.. changes.Select(PlacementChange.Of)], cancellationToken);
}

/// <summary>
/// A page of one source's records sent again for a rebuild, applied with the live rule: the batch's rebuild locked
/// first, the page counted, then its records.
/// </summary>
public abstract class ReplayedRecordsConsumer<TPage, TRecord>(AnalyticsDbContext db) : IdempotentConsumer<TPage, AnalyticsDbContext>(db)
    where TPage : class, LmsPlatform.Contracts.IReplayPage
{
    protected abstract IReadOnlyList<TRecord> RecordsOf(TPage page);
    protected abstract Task ApplyAsync(IReadOnlyList<TRecord> records, CancellationToken cancellationToken);

    protected override Task BeforeHandlingAsync(IReadOnlyList<TPage> messages, CancellationToken cancellationToken) =>
        RebuildProgress.LockAsync(Db, messages, cancellationToken);

    protected override async Task HandleAsync(TPage message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        await ApplyAsync(RecordsOf(message), cancellationToken);
    }
}

/// <summary>
/// A consumer whose rule takes a batch's new messages at once (one query for the lot, not one per message), before the
/// batch is saved.
/// </summary>
public abstract class WholeBatchConsumer<TMessage>(AnalyticsDbContext db) : IdempotentConsumer<TMessage, AnalyticsDbContext>(db)
    where TMessage : class, LmsPlatform.Contracts.IIntegrationEvent
{
    protected abstract Task ApplyAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken);

    protected override Task HandleAsync(TMessage message, CancellationToken cancellationToken) => Task.CompletedTask;

    protected override Task AfterHandlingAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken) => ApplyAsync(messages, cancellationToken);
}

/// <summary>A page of the org unit tree sent again for a rebuild: the units the copy lacks.</summary>
public sealed class OrgUnitsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<OrgUnitsReplayed, ReplayedOrgUnit>(db)
{
    protected override IReadOnlyList<ReplayedOrgUnit> RecordsOf(OrgUnitsReplayed page) => page.Units;
    protected override async Task ApplyAsync(IReadOnlyList<ReplayedOrgUnit> units, CancellationToken cancellationToken)
    {
        foreach (var unit in units) await OrgUnitCopyModel.InsertMissingAsync(Db, unit.OrgUnitId, unit.Name, unit.ParentId, unit.Active, cancellationToken);
    }
}

/// <summary>The roles people hold, for the scope a scheduled report runs with; a later change that arrived first is kept.</summary>
public sealed class RoleAssignmentChangedConsumer(AnalyticsDbContext db) : IdempotentConsumer<RoleAssignmentChanged, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(RoleAssignmentChanged message, CancellationToken cancellationToken) => RoleHeld.ApplyAsync(Db, message, cancellationToken);
}

/// <summary>A page of the roles held sent again for a rebuild, each as its grant.</summary>
public sealed class RolesReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<RolesReplayed, RoleAssignmentChanged>(db)
{
    protected override IReadOnlyList<RoleAssignmentChanged> RecordsOf(RolesReplayed page) => page.Roles;
    protected override async Task ApplyAsync(IReadOnlyList<RoleAssignmentChanged> roles, CancellationToken cancellationToken)
    {
        foreach (var role in roles) await RoleHeld.ApplyAsync(Db, role, cancellationToken);
    }
}

/// <summary>Sign-ins, for the people active on the platform (<see cref="SignIn"/>).</summary>
public sealed class UserSignedInConsumer(AnalyticsDbContext db) : WholeBatchConsumer<UserSignedIn>(db)
{
    protected override Task ApplyAsync(IReadOnlyList<UserSignedIn> signIns, CancellationToken cancellationToken) =>
        SignIn.AddMissingAsync(Db, signIns, cancellationToken);
}

/// <summary>A page of identity's sign-in log sent again for a rebuild.</summary>
public sealed class SignInsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<SignInsReplayed, UserSignedIn>(db)
{
    protected override IReadOnlyList<UserSignedIn> RecordsOf(SignInsReplayed page) => page.SignIns;
    protected override Task ApplyAsync(IReadOnlyList<UserSignedIn> signIns, CancellationToken cancellationToken) =>
        SignIn.AddMissingAsync(Db, signIns, cancellationToken);
}

/// <summary>The ends of HR imports, for the provisioning health report (<see cref="ImportRun"/>).</summary>
public sealed class ImportFinishedConsumer(AnalyticsDbContext db) : IdempotentConsumer<ImportFinished, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(ImportFinished message, CancellationToken cancellationToken) => ImportRun.AddOnceAsync(Db, message, cancellationToken);
}

/// <summary>A page of HR imports' ends sent again for a rebuild.</summary>
public sealed class ImportsReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<ImportsReplayed, ImportFinished>(db)
{
    protected override IReadOnlyList<ImportFinished> RecordsOf(ImportsReplayed page) => page.Ends;
    protected override async Task ApplyAsync(IReadOnlyList<ImportFinished> ends, CancellationToken cancellationToken)
    {
        foreach (var end in ends) await ImportRun.AddOnceAsync(Db, end, cancellationToken);
    }
}
