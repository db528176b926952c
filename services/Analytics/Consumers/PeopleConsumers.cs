using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Analytics.Consumers;

// The people of the reporting read model (org unit, manager, status), one queue per event.
public sealed class UserCreatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserCreated, AnalyticsDbContext, UserFact>(db);
/// <summary>A profile change; a move to another org unit or manager is also logged (<see cref="PlacementChange"/>), for reports as of a past date.</summary>
public sealed class UserUpdatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserUpdated, AnalyticsDbContext, UserFact>(db)
{
    protected override Task MovedAsync(UserUpdated message, UserFact copy, Guid? fromOrgUnitId, Guid? fromManagerId, CancellationToken cancellationToken)
    {
        Db.PlacementChanges.Add(new PlacementChange
        {
            UserId = copy.UserId, At = message.UpdatedAt, FromOrgUnitId = fromOrgUnitId, FromManagerId = fromManagerId,
            ToOrgUnitId = copy.OrgUnitId, ToManagerId = copy.ManagerId,
        });
        return Task.CompletedTask;
    }
}
public sealed class UserDeactivatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserDeactivated, AnalyticsDbContext, UserFact>(db);
public sealed class UserReactivatedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserReactivated, AnalyticsDbContext, UserFact>(db);
public sealed class UserErasedConsumer(AnalyticsDbContext db) : PersonCopyConsumer<UserErased, AnalyticsDbContext, UserFact>(db);

/// <summary>The roles people hold, for the scope a scheduled report runs with; a later change that arrived first is kept.</summary>
public sealed class RoleAssignmentChangedConsumer(AnalyticsDbContext db) : ServiceDefaults.Messaging.IdempotentConsumer<RoleAssignmentChanged, AnalyticsDbContext>(db)
{
    protected override async Task HandleAsync(RoleAssignmentChanged message, CancellationToken cancellationToken)
    {
        var role = await Db.RolesHeld.FindAsync([message.AssignmentId], cancellationToken);
        if (role is null) Db.RolesHeld.Add(role = new RoleHeld { AssignmentId = message.AssignmentId });
        if (role.ChangedAt > message.ChangedAt) return;
        (role.UserId, role.Role, role.ScopeOrgUnitId, role.Granted, role.ChangedAt) = (message.UserId, message.Role, message.ScopeOrgUnitId, message.Granted, message.ChangedAt);
    }
}

/// <summary>Sign-ins, for the people active on the platform (<see cref="SignIn"/>).</summary>
public sealed class UserSignedInConsumer(AnalyticsDbContext db) : ServiceDefaults.Messaging.IdempotentConsumer<UserSignedIn, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(UserSignedIn message, CancellationToken cancellationToken)
    {
        Db.SignIns.Add(new SignIn { UserId = message.UserId, At = message.At });
        return Task.CompletedTask;
    }
}

/// <summary>The ends of HR imports, for the provisioning health report (<see cref="ImportRun"/>).</summary>
public sealed class ImportFinishedConsumer(AnalyticsDbContext db) : ServiceDefaults.Messaging.IdempotentConsumer<ImportFinished, AnalyticsDbContext>(db)
{
    protected override Task HandleAsync(ImportFinished m, CancellationToken cancellationToken)
    {
        Db.ImportRuns.Add(new ImportRun
        {
            ImportId = m.ImportId, Kind = m.Kind, Outcome = m.Outcome, FileName = m.FileName, TotalRows = m.TotalRows, ErrorRows = m.ErrorRows,
            Created = m.Created, Updated = m.Updated, Moved = m.Moved, Deactivated = m.Deactivated,
            Message = m.Message is { Length: > 1000 } text ? text[..1000] : m.Message, By = m.By, At = m.At,
        });
        return Task.CompletedTask;
    }
}
