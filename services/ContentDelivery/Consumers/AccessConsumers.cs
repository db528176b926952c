using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Consumers;

/// <summary>A published course version: which content items its activities open (a redelivery replaces the same rows).</summary>
public sealed class CoursePublishedConsumer(ContentDbContext db) : IdempotentConsumer<CoursePublished, ContentDbContext>(db)
{
    protected override async Task HandleAsync(CoursePublished message, CancellationToken cancellationToken)
    {
        await Db.CourseActivities.Where(a => a.CourseId == message.CourseId && a.Version == message.Version).ExecuteDeleteAsync(cancellationToken);
        Db.CourseActivities.AddRange((message.Activities ?? []).Select((a, i) => new CourseActivityCopy
        {
            CourseId = message.CourseId, Version = message.Version, ActivityId = a.ActivityId, ContentItemId = a.ContentItemId, Kind = a.Kind,
            Title = a.Title, Required = a.Required, Position = i,
        }));
    }
}

/// <summary>Enrolment's events, as far as they decide access: who is enrolled on which course version, and withdrawals.</summary>
public abstract class EnrolmentCopyConsumer<TEvent>(ContentDbContext db) : IdempotentConsumer<TEvent, ContentDbContext>(db)
    where TEvent : class, LmsPlatform.Contracts.IIntegrationEvent
{
    protected abstract Guid EnrolmentIdOf(TEvent message);

    /// <summary>The batch's copies in one query; <c>FindAsync</c> then finds them tracked.</summary>
    protected override Task BeforeHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken)
    {
        var ids = messages.Select(EnrolmentIdOf).Distinct().ToList();
        return Db.Enrolments.Where(e => ids.Contains(e.EnrolmentId)).LoadAsync(cancellationToken);
    }
}

public sealed class EnrolledConsumer(ContentDbContext db) : EnrolmentCopyConsumer<Enrolled>(db)
{
    protected override Guid EnrolmentIdOf(Enrolled message) => message.EnrolmentId;

    protected override async Task HandleAsync(Enrolled message, CancellationToken cancellationToken)
    {
        if (await Db.Enrolments.FindAsync([message.EnrolmentId], cancellationToken) is not null) return;
        Db.Enrolments.Add(new EnrolmentCopy
        {
            EnrolmentId = message.EnrolmentId, UserId = message.UserId, CourseId = message.CourseId, Version = message.Version, Sequence = message.Sequence,
        });
    }
}

public sealed class EnrolmentMigratedConsumer(ContentDbContext db) : EnrolmentCopyConsumer<EnrolmentMigrated>(db)
{
    protected override Guid EnrolmentIdOf(EnrolmentMigrated message) => message.EnrolmentId;

    protected override async Task HandleAsync(EnrolmentMigrated message, CancellationToken cancellationToken)
    {
        if (await Db.Enrolments.FindAsync([message.EnrolmentId], cancellationToken) is { } copy && copy.Sequence < message.Sequence)
            (copy.Version, copy.Sequence) = (message.Version, message.Sequence);
    }
}

public sealed class EnrolmentWithdrawnConsumer(ContentDbContext db) : EnrolmentCopyConsumer<EnrolmentWithdrawn>(db)
{
    protected override Guid EnrolmentIdOf(EnrolmentWithdrawn message) => message.EnrolmentId;

    protected override async Task HandleAsync(EnrolmentWithdrawn message, CancellationToken cancellationToken)
    {
        if (await Db.Enrolments.FindAsync([message.EnrolmentId], cancellationToken) is { } copy && copy.Sequence < message.Sequence)
            (copy.Withdrawn, copy.Sequence) = (true, message.Sequence);
    }
}

/// <summary>An enrolment started again: what was done before stays on record, and the next launch begins afresh.</summary>
public sealed class EnrolmentResetConsumer(ContentDbContext db) : EnrolmentCopyConsumer<EnrolmentReset>(db)
{
    protected override Guid EnrolmentIdOf(EnrolmentReset message) => message.EnrolmentId;

    protected override async Task HandleAsync(EnrolmentReset message, CancellationToken cancellationToken)
    {
        if (await Db.Enrolments.FindAsync([message.EnrolmentId], cancellationToken) is { } copy && (copy.ResetAt is null || copy.ResetAt < message.At))
            copy.ResetAt = message.At;
    }
}

/// <summary>
/// A person erased (GDPR): their enrolments' copies and everything they did in content go, in the LRS too: every
/// statement that names them (as actor, object, authority, instructor, team or context agent, under their platform
/// account) and the documents kept for them.
/// </summary>
public sealed class UserErasedConsumer(ContentDbContext db, Application.Xapi.XapiAuthentication people) : IdempotentConsumer<UserErased, ContentDbContext>(db)
{
    protected override async Task HandleAsync(UserErased message, CancellationToken cancellationToken)
    {
        var agentKey = Model.Xapi.AgentKey.Of(people.PersonAgent(message.UserId, null))!;
        string[] named = [Model.Xapi.StatementFacts.RelatedAgent + agentKey];
        await Db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM xapi_statements WHERE keys @> {named}", cancellationToken);
        await Db.XapiDocuments.Where(d => d.AgentKey == agentKey).ExecuteDeleteAsync(cancellationToken);
        await Db.StatementProgress.Where(p => p.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Cmi5Sessions.Where(s => s.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Cmi5Registrations.Where(r => r.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Attempts.Where(a => a.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.MediaProgress.Where(p => p.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
        await Db.Enrolments.Where(e => e.UserId == message.UserId).ExecuteDeleteAsync(cancellationToken);
    }
}
