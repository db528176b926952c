using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Consumers;

// The learner copies that enrolments are checked against and audience rules stand on, one queue per event.
public sealed class UserCreatedConsumer(EnrolmentDbContext db) : LearnerConsumer<UserCreated>(db);
public sealed class UserUpdatedConsumer(EnrolmentDbContext db) : LearnerConsumer<UserUpdated>(db);
public sealed class UserDeactivatedConsumer(EnrolmentDbContext db) : LearnerConsumer<UserDeactivated>(db);
public sealed class UserReactivatedConsumer(EnrolmentDbContext db) : LearnerConsumer<UserReactivated>(db);
/// <summary>An erased person's certificates keep the record that they existed, without the name.</summary>
public sealed class UserErasedConsumer(EnrolmentDbContext db) : LearnerConsumer<UserErased>(db)
{
    protected override async Task AfterApplyAsync(UserErased message, Learner copy, CancellationToken cancellationToken)
    {
        await base.AfterApplyAsync(message, copy, cancellationToken);
        await Db.Certificates.Where(c => c.UserId == message.UserId).ExecuteUpdateAsync(c => c.SetProperty(x => x.HolderName, ""), cancellationToken);
    }
}

/// <summary>
/// A change to a person may change which audiences they are in, and (through the management chain) which audiences
/// the people below them are in: they are all marked for evaluation, in the same transaction as the copy.
/// </summary>
public abstract class LearnerConsumer<TEvent>(EnrolmentDbContext db) : PersonCopyConsumer<TEvent, EnrolmentDbContext, Learner>(db)
    where TEvent : class, IIntegrationEvent
{
    protected override Task AfterApplyAsync(TEvent message, Learner copy, CancellationToken cancellationToken) =>
        Evaluations.MarkWithReportsAsync(Db, copy.UserId, cancellationToken);
}

/// <summary>The org tree audience rules ask about; a move or (de)activation re-evaluates everyone in the subtree.</summary>
public sealed class OrgUnitCreatedConsumer(EnrolmentDbContext db) : OrgUnitCreatedCopyConsumer<EnrolmentDbContext>(db);

public sealed class OrgUnitChangedConsumer(EnrolmentDbContext db) : OrgUnitChangedCopyConsumer<EnrolmentDbContext>(db)
{
    protected override async Task AfterCopyAsync(OrgUnitChanged message, CancellationToken cancellationToken)
    {
        if (!message.Changed.Contains("parentId") && !message.Changed.Contains("active")) return;
        await Db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH RECURSIVE subtree AS (
                SELECT id FROM org_units WHERE id = {message.OrgUnitId}
                UNION SELECT o.id FROM org_units o JOIN subtree s ON o.parent_id = s.id)
            INSERT INTO audience_pending ("UserId", "Since") SELECT l."UserId", now() FROM learners l WHERE l."OrgUnitId" IN (SELECT id FROM subtree)
            """, cancellationToken);
    }
}

/// <summary>The roles people hold, for the role condition; the person is evaluated again.</summary>
public sealed class RoleAssignmentChangedConsumer(EnrolmentDbContext db) : IdempotentConsumer<RoleAssignmentChanged, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(RoleAssignmentChanged message, CancellationToken cancellationToken)
    {
        var role = await Db.Roles.FindAsync([message.AssignmentId], cancellationToken);
        if (role is null) Db.Roles.Add(role = new RoleCopy { AssignmentId = message.AssignmentId });
        if (role.ChangedAt > message.ChangedAt) return; // a later change arrived first
        (role.UserId, role.Role, role.Granted, role.ChangedAt) = (message.UserId, message.Role, message.Granted, message.ChangedAt);
        Db.PendingEvaluations.Add(new PendingEvaluation { UserId = message.UserId, Since = message.ChangedAt });
    }
}

internal static class Evaluations
{
    /// <summary>Marks the person, and everyone who reports to them directly or indirectly, for evaluation.</summary>
    public static async Task MarkWithReportsAsync(EnrolmentDbContext db, Guid userId, CancellationToken ct) =>
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH RECURSIVE reports AS (
                SELECT {userId}::uuid AS id
                UNION SELECT l."UserId" FROM learners l JOIN reports r ON l."ManagerId" = r.id)
            INSERT INTO audience_pending ("UserId", "Since") SELECT id, now() FROM reports
            """, ct);
}
