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

/// <summary>A page of the org unit tree sent again for a rebuild: the units no live event has written since the copy was emptied.</summary>
public sealed class OrgUnitsReplayedConsumer(AnalyticsDbContext db) : IdempotentConsumer<OrgUnitsReplayed, AnalyticsDbContext>(db)
{
    protected override Task BeforeHandlingAsync(IReadOnlyList<OrgUnitsReplayed> messages, CancellationToken cancellationToken) =>
        RebuildProgress.LockAsync(Db, messages, cancellationToken);

    protected override async Task HandleAsync(OrgUnitsReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        foreach (var unit in message.Units) await OrgUnitCopyModel.InsertMissingAsync(Db, unit.OrgUnitId, unit.Name, unit.ParentId, unit.Active, cancellationToken);
    }
}

/// <summary>The roles people hold, for the scope a scheduled report runs with; a later change that arrived first is kept.</summary>
public sealed class RoleAssignmentChangedConsumer(AnalyticsDbContext db) : IdempotentConsumer<RoleAssignmentChanged, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(RoleAssignmentChanged message, CancellationToken cancellationToken) => RoleHeld.ApplyAsync(Db, message, cancellationToken);
}

/// <summary>A page of the roles held sent again for a rebuild, each as its grant.</summary>
public sealed class RolesReplayedConsumer(AnalyticsDbContext db) : IdempotentConsumer<RolesReplayed, AnalyticsDbContext>(db)
{
    protected override Task BeforeHandlingAsync(IReadOnlyList<RolesReplayed> messages, CancellationToken cancellationToken) =>
        RebuildProgress.LockAsync(Db, messages, cancellationToken);

    protected override async Task HandleAsync(RolesReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        foreach (var role in message.Roles) await RoleHeld.ApplyAsync(Db, role, cancellationToken);
    }
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
public sealed class ImportsReplayedConsumer(AnalyticsDbContext db) : IdempotentConsumer<ImportsReplayed, AnalyticsDbContext>(db)
{
    protected override Task BeforeHandlingAsync(IReadOnlyList<ImportsReplayed> messages, CancellationToken cancellationToken) =>
        RebuildProgress.LockAsync(Db, messages, cancellationToken);

    protected override async Task HandleAsync(ImportsReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        foreach (var end in message.Ends) await ImportRun.AddOnceAsync(Db, end, cancellationToken);
    }
}
