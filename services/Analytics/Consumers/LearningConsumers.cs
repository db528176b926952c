using LmsPlatform.Analytics.Application;
using LmsPlatform.Analytics.Infrastructure;
using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Analytics.Consumers;

// The org unit tree, for reports by subtree.
public sealed class OrgUnitCreatedConsumer(AnalyticsDbContext db) : OrgUnitCreatedCopyConsumer<AnalyticsDbContext>(db);
public sealed class OrgUnitChangedConsumer(AnalyticsDbContext db) : OrgUnitChangedCopyConsumer<AnalyticsDbContext>(db);

/// <summary>
/// Copies the ledger entries a batch of one enrolment event type announces and rebuilds the touched enrolments'
/// ranges (<see cref="EnrolmentProjection"/>) once per batch. One queue per event type, so entries of one enrolment
/// arrive in any order; the projection folds them by number, whatever came first.
/// </summary>
public abstract class LedgerEventConsumer<TEvent>(AnalyticsDbContext db) : IdempotentConsumer<TEvent, AnalyticsDbContext>(db)
    where TEvent : class, IIntegrationEvent
{
    private readonly List<LedgerEventCopy> _entries = [];

    protected override Task BeforeHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken)
    {
        _entries.Clear(); // a retried batch starts again
        return Task.CompletedTask;
    }

    protected override Task HandleAsync(TEvent message, CancellationToken cancellationToken)
    {
        _entries.Add(LedgerEventCopy.From(message));
        return Task.CompletedTask;
    }

    protected override Task AfterHandlingAsync(IReadOnlyList<TEvent> messages, CancellationToken cancellationToken) =>
        EnrolmentProjection.ApplyAsync(Db, _entries, cancellationToken);
}

/// <summary>A page of enrolment's ledger sent again for a rebuild: folded like live events (entries already held are skipped), the rebuild's progress kept.</summary>
public sealed class LedgerReplayedConsumer(AnalyticsDbContext db) : IdempotentConsumer<LedgerReplayed, AnalyticsDbContext>(db)
{
    private readonly List<LedgerEventCopy> _entries = [];

    protected override Task BeforeHandlingAsync(IReadOnlyList<LedgerReplayed> messages, CancellationToken cancellationToken)
    {
        _entries.Clear();
        return RebuildProgress.LockAsync(Db, messages, cancellationToken);
    }

    protected override async Task HandleAsync(LedgerReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        _entries.AddRange(message.Entries.Select(LedgerEventCopy.From));
    }

    protected override Task AfterHandlingAsync(IReadOnlyList<LedgerReplayed> messages, CancellationToken cancellationToken) =>
        EnrolmentProjection.ApplyAsync(Db, _entries, cancellationToken);
}

public sealed class EnrolledConsumer(AnalyticsDbContext db) : LedgerEventConsumer<Enrolled>(db);
public sealed class ProgressRecordedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<ProgressRecorded>(db);
public sealed class EnrolmentCompletedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentCompleted>(db);
public sealed class EnrolmentResetConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentReset>(db);
public sealed class DueDateChangedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<DueDateChanged>(db);
public sealed class EnrolmentSuspendedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentSuspended>(db);
public sealed class EnrolmentResumedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentResumed>(db);
public sealed class EnrolmentWithdrawnConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentWithdrawn>(db);
public sealed class EnrolmentMigratedConsumer(AnalyticsDbContext db) : LedgerEventConsumer<EnrolmentMigrated>(db);

/// <summary>
/// Keeps <see cref="ItemFact"/> from one catalogue message type (an event, or a replay's page of many courses): the
/// changes it makes, each to one item; the facts a batch touches load in one query.
/// </summary>
public abstract class ItemFactConsumer<TMessage>(AnalyticsDbContext db) : IdempotentConsumer<TMessage, AnalyticsDbContext>(db)
    where TMessage : class, IIntegrationEvent
{
    private Dictionary<Guid, ItemFact> _items = [];

    protected abstract IEnumerable<(Guid ItemId, Action<ItemFact> Apply)> ChangesOf(TMessage message);

    protected override async Task BeforeHandlingAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken)
    {
        var ids = messages.SelectMany(m => ChangesOf(m).Select(c => c.ItemId)).Distinct().ToList();
        _items = await Db.Items.Where(i => ids.Contains(i.ItemId)).ToDictionaryAsync(i => i.ItemId, cancellationToken);
    }

    protected override Task HandleAsync(TMessage message, CancellationToken cancellationToken)
    {
        foreach (var (id, apply) in ChangesOf(message))
        {
            if (!_items.TryGetValue(id, out var item))
            {
                item = new ItemFact { ItemId = id };
                _items[id] = item;
                Db.Items.Add(item);
            }
            apply(item);
        }
        return Task.CompletedTask;
    }
}

public sealed class CoursePublishedConsumer(AnalyticsDbContext db) : ItemFactConsumer<CoursePublished>(db)
{
    protected override IEnumerable<(Guid, Action<ItemFact>)> ChangesOf(CoursePublished m) => [(m.CourseId, item => item.Apply(m))];
}

public sealed class CourseArchivedConsumer(AnalyticsDbContext db) : ItemFactConsumer<CourseArchived>(db)
{
    protected override IEnumerable<(Guid, Action<ItemFact>)> ChangesOf(CourseArchived m) => [(m.CourseId, item => item.Archived(m.ArchivedAt, m.Code))];
}

public sealed class CourseReplacedConsumer(AnalyticsDbContext db) : ItemFactConsumer<CourseReplaced>(db)
{
    protected override IEnumerable<(Guid, Action<ItemFact>)> ChangesOf(CourseReplaced m) => [(m.CourseId, item => item.Replaced(m.ReplacedByCourseId))];
}

/// <summary>A page of the published courses sent again for a rebuild.</summary>
public sealed class CoursesReplayedConsumer(AnalyticsDbContext db) : ItemFactConsumer<CoursesReplayed>(db)
{
    protected override IEnumerable<(Guid, Action<ItemFact>)> ChangesOf(CoursesReplayed m) => m.Courses.Select(c => (c.CourseId, (Action<ItemFact>)(item => item.Apply(c))));

    protected override async Task BeforeHandlingAsync(IReadOnlyList<CoursesReplayed> messages, CancellationToken cancellationToken)
    {
        await RebuildProgress.LockAsync(Db, messages, cancellationToken);
        await base.BeforeHandlingAsync(messages, cancellationToken);
    }

    protected override async Task HandleAsync(CoursesReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        await base.HandleAsync(message, cancellationToken);
    }
}

/// <summary>
/// Keeps <see cref="CertificationFact"/> (one row per certification cycle) from one certification message type (an
/// event, or a replay's page of many): the changes it makes, each to one cycle.
/// </summary>
public abstract class CertificationFactConsumer<TMessage>(AnalyticsDbContext db) : IdempotentConsumer<TMessage, AnalyticsDbContext>(db)
    where TMessage : class, IIntegrationEvent
{
    private Dictionary<(Guid, int), CertificationFact> _facts = [];

    protected abstract IEnumerable<(CertificationFact Key, Action<CertificationFact> Apply)> ChangesOf(TMessage message);

    protected static (CertificationFact, Action<CertificationFact>) Achieved(CertificationAchieved m) =>
        (new() { CertificationId = m.CertificationId, Cycle = m.Cycle, UserId = m.UserId, CourseId = m.CourseId },
            fact => (fact.CertifiedAt, fact.ExpiresAt) = (m.CertifiedAt, m.ExpiresAt));

    protected static (CertificationFact, Action<CertificationFact>) Expired(CertificationExpired m) =>
        (new() { CertificationId = m.CertificationId, Cycle = m.Cycle, UserId = m.UserId, CourseId = m.CourseId }, fact => fact.ExpiredAt = m.ExpiredAt);

    protected override async Task BeforeHandlingAsync(IReadOnlyList<TMessage> messages, CancellationToken cancellationToken)
    {
        var ids = messages.SelectMany(m => ChangesOf(m).Select(c => c.Key.CertificationId)).Distinct().ToList();
        _facts = await Db.Certifications.Where(c => ids.Contains(c.CertificationId)).ToDictionaryAsync(c => (c.CertificationId, c.Cycle), cancellationToken);
    }

    protected override Task HandleAsync(TMessage message, CancellationToken cancellationToken)
    {
        foreach (var (key, apply) in ChangesOf(message))
        {
            if (!_facts.TryGetValue((key.CertificationId, key.Cycle), out var fact))
            {
                fact = key;
                _facts[(key.CertificationId, key.Cycle)] = fact;
                Db.Certifications.Add(fact);
            }
            apply(fact);
        }
        return Task.CompletedTask;
    }
}

public sealed class CertificationAchievedConsumer(AnalyticsDbContext db) : CertificationFactConsumer<CertificationAchieved>(db)
{
    protected override IEnumerable<(CertificationFact, Action<CertificationFact>)> ChangesOf(CertificationAchieved m) => [Achieved(m)];
}

public sealed class CertificationExpiredConsumer(AnalyticsDbContext db) : CertificationFactConsumer<CertificationExpired>(db)
{
    protected override IEnumerable<(CertificationFact, Action<CertificationFact>)> ChangesOf(CertificationExpired m) => [Expired(m)];
}

/// <summary>A page of the certification cycles sent again for a rebuild: each earned and each run out, as their events.</summary>
public sealed class CertificationsReplayedConsumer(AnalyticsDbContext db) : CertificationFactConsumer<CertificationsReplayed>(db)
{
    protected override IEnumerable<(CertificationFact, Action<CertificationFact>)> ChangesOf(CertificationsReplayed m) =>
        m.Achieved.Select(Achieved).Concat(m.Expired.Select(Expired));

    protected override async Task BeforeHandlingAsync(IReadOnlyList<CertificationsReplayed> messages, CancellationToken cancellationToken)
    {
        await RebuildProgress.LockAsync(Db, messages, cancellationToken);
        await base.BeforeHandlingAsync(messages, cancellationToken);
    }

    protected override async Task HandleAsync(CertificationsReplayed message, CancellationToken cancellationToken)
    {
        await RebuildProgress.FoldedAsync(Db, message, cancellationToken);
        await base.HandleAsync(message, cancellationToken);
    }
}

/// <summary>Audience membership changes, for the reports by audience (<see cref="AudienceChange"/>).</summary>
public sealed class AudienceMembershipChangedConsumer(AnalyticsDbContext db) : WholeBatchConsumer<AudienceMembershipChanged>(db)
{
    protected override Task ApplyAsync(IReadOnlyList<AudienceMembershipChanged> changes, CancellationToken cancellationToken) =>
        AudienceChange.AddMissingAsync(Db, changes, cancellationToken);
}

/// <summary>A page of the audiences' membership history sent again for a rebuild.</summary>
public sealed class AudienceChangesReplayedConsumer(AnalyticsDbContext db) : ReplayedRecordsConsumer<AudienceChangesReplayed, AudienceMembershipChanged>(db)
{
    protected override IReadOnlyList<AudienceMembershipChanged> RecordsOf(AudienceChangesReplayed page) => page.Changes;
    protected override Task ApplyAsync(IReadOnlyList<AudienceMembershipChanged> changes, CancellationToken cancellationToken) =>
        AudienceChange.AddMissingAsync(Db, changes, cancellationToken);
}
