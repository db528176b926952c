using LmsPlatform.Notification.Consumers;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using System.Linq.Expressions;

namespace LmsPlatform.Notification.Sending;

/// <summary>
/// The clock of notification, durable by design: nothing is scheduled in memory. Every <see cref="NotificationOptions.SchedulerInterval"/>
/// one replica (an advisory lock) looks in the database for what is due now: reminders before due dates, escalations
/// up the manager ladder after them, and digests whose time has come. What was sent is recorded on the assignment and
/// in the dedupe keys, in the same transaction as the messages, so a restart or a second replica sends nothing twice
/// and misses nothing: what fell due while the service was down is sent at the next look.
/// </summary>
public sealed class ReminderScheduler(IServiceScopeFactory scopes, IOptions<NotificationOptions> options, TimeProvider time, ILogger<ReminderScheduler> logger)
    : BackgroundService
{
    private const long Lock = 0x4E6F74696679; // "Notify"
    private const int BatchSize = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { await TickAsync(stoppingToken); }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception ex) { logger.LogWarning(ex, "Looking for due reminders failed; trying again at the next interval"); }
            await Task.Delay(options.Value.SchedulerInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One look: reminders, escalations, digests, each in batches of its own transactions, under the lock.</summary>
    public async Task TickAsync(CancellationToken ct)
    {
        await using var lockScope = scopes.CreateAsyncScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        await lockDb.Database.OpenConnectionAsync(ct);
        try
        {
            if (!await lockDb.Database.SqlQuery<bool>($"SELECT pg_try_advisory_lock({Lock}) AS \"Value\"").SingleAsync(ct)) return;
            var now = time.GetUtcNow();
            var policies = await lockDb.ReminderPolicies.AsNoTracking().ToListAsync(ct);
            var sent = await RemindersAsync(policies, now, ct) + await EscalationsAsync(policies, now, ct) + await DigestsAsync(now, ct);
            if (sent > 0) logger.LogInformation("Sent {Count} reminders, escalations and digests", sent);
            await lockDb.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({Lock})", ct);
        }
        finally
        {
            await lockDb.Database.CloseConnectionAsync();
        }
    }

    private static ReminderPolicy PolicyFor(IReadOnlyList<ReminderPolicy> policies, Guid courseId) =>
        policies.FirstOrDefault(p => p.CourseId == courseId) ?? policies.FirstOrDefault(p => p.CourseId is null) ?? ReminderPolicy.Default;

    /// <summary>
    /// One batch of assignments in its own unit of work: the people they concern (loaded once), the notifier, and the
    /// context, whose change tracking is left to the save (a batch of a thousand tracked entities would otherwise be
    /// scanned at every lookup).
    /// </summary>
    private sealed record Batch(NotificationDbContext Db, Notifier Notifier, List<Assignment> Page, Dictionary<Guid, Recipient> People)
    {
        public Recipient? Person(Guid? id) => id is { } known ? People.GetValueOrDefault(known) : null;

        /// <summary>A person named but whose copy has not come yet (their UserCreated is still queued): what concerns them waits for the next look.</summary>
        public bool NotYetKnown(Guid? id) => id is { } known && !People.ContainsKey(known);

        /// <summary>Adds the people not loaded yet.</summary>
        public async Task LoadAsync(IEnumerable<Guid> ids, CancellationToken ct)
        {
            var missing = ids.Where(id => !People.ContainsKey(id)).Distinct().ToList();
            if (missing.Count == 0) return;
            foreach (var person in await Db.Recipients.Where(r => missing.Contains(r.UserId)).ToListAsync(ct)) People[person.UserId] = person;
        }
    }

    /// <summary>
    /// Pages through the open assignments <paramref name="filter"/> picks, by due date (a keyset, so what a page marks
    /// does not move the next), each page handled and saved in its own transaction.
    /// </summary>
    private async Task<int> ForEachPageAsync(Expression<Func<Assignment, bool>> filter, Func<Batch, Task<int>> handle, CancellationToken ct)
    {
        var sent = 0;
        (DateTimeOffset DueAt, Guid Id)? after = null;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            var query = db.Assignments.Where(a => a.Status == AssignmentStatus.Open).Where(filter);
            if (after is { } last) query = query.Where(a => a.DueAt > last.DueAt || (a.DueAt == last.DueAt && a.EnrolmentId.CompareTo(last.Id) > 0));
            var page = await query.OrderBy(a => a.DueAt).ThenBy(a => a.EnrolmentId).Take(BatchSize).ToListAsync(ct);
            if (page.Count == 0) return sent;
            after = (page[^1].DueAt!.Value, page[^1].EnrolmentId);
            sent += await handle(new Batch(db, scope.ServiceProvider.GetRequiredService<Notifier>(), page, []));
            await SaveAsync(db, ct);
        }
    }

    /// <summary>
    /// Saves a page: its messages (a thousand inbox rows, mails and digest entries) by COPY, the marks on the
    /// assignments by SaveChanges, in one transaction, retried as a whole on a transient fault (the new rows are taken
    /// out of the context first, so a retry writes the same rows).
    /// </summary>
    private async Task SaveAsync(NotificationDbContext db, CancellationToken ct)
    {
        // Rows are Added from the moment they are added: no scan of the page's tracked rows to find them (BulkSave
        // detects the marks on the assignments itself).
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        List<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> added;
        try { added = [.. db.ChangeTracker.Entries().Where(e => e.State == EntityState.Added)]; }
        finally { db.ChangeTracker.AutoDetectChangesEnabled = true; }
        foreach (var entry in added) entry.State = EntityState.Detached;
        List<object> rows = [.. added.Select(e => e.Entity)];
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await BulkSave.SaveChangesAsync(db, time.GetUtcNow(), rows, ct);
            await transaction.CommitAsync(ct);
        });
    }

    /// <summary>
    /// One pass per "days before" any policy has (nearest last): the assignments due within that many days and not yet
    /// reminded of it. Each pass is a range of the due-date index, so assignments already reminded of everything due so far
    /// are not read again at every look.
    /// </summary>
    private async Task<int> RemindersAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, CancellationToken ct)
    {
        var sent = 0;
        foreach (var days in policies.Append(ReminderPolicy.Default).SelectMany(p => p.DaysBefore).Distinct().OrderDescending())
        {
            var horizon = now.AddDays(days);
            sent += await RemindAsync(policies, now, a => a.DueAt > now && a.DueAt <= horizon && (a.RemindedDaysBefore == null || a.RemindedDaysBefore > days), ct);
        }
        return sent;
    }

    private Task<int> RemindAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, Expression<Func<Assignment, bool>> filter, CancellationToken ct) =>
        ForEachPageAsync(filter, async batch =>
        {
            var due = batch.Page.Select(a => (Assignment: a, Days: ReminderRules.ReminderDue(a, PolicyFor(policies, a.CourseId), now))).Where(x => x.Days is not null).ToList();
            if (due.Count == 0) return 0;
            await batch.LoadAsync(due.Select(d => d.Assignment.UserId), ct);
            await batch.Notifier.PrepareAsync(batch.People.Keys, [.. due.Select(d => Key(d.Assignment, d.Days!.Value))], ct);
            var sent = 0;
            foreach (var (assignment, days) in due)
            {
                if (batch.NotYetKnown(assignment.UserId)) continue;
                assignment.RemindedDaysBefore = days;
                var to = batch.Person(assignment.UserId)!;
                var course = await batch.Notifier.ItemAsync(assignment.CourseId, ct);
                if (assignment.RenewsCertificationOf is { } certified)
                {
                    var expires = assignment.CertificationExpiresAt ?? assignment.DueAt!.Value;
                    await batch.Notifier.SendAsync(to, NotificationTypes.CertificationExpiring, new()
                    {
                        ["course"] = await batch.Notifier.ItemAsync(certified, ct), ["renewal"] = course,
                        ["expires_at"] = batch.Notifier.Date(expires, to), ["due_in"] = In(expires - now),
                    }, Key(assignment, days!.Value), (string?)course["link"], ct);
                }
                else
                    await batch.Notifier.SendAsync(to, NotificationTypes.Reminder, new()
                    {
                        ["course"] = course, ["due_date"] = batch.Notifier.Date(assignment.DueAt!.Value, to), ["due_in"] = In(assignment.DueAt.Value - now),
                    }, Key(assignment, days!.Value), (string?)course["link"], ct);
                sent++;
            }
            return sent;
        }, ct);

    private static string In(TimeSpan left) => left.TotalHours < 24 ? "within a day" : $"in {(int)Math.Ceiling(left.TotalDays)} days";

    private static string Key(Assignment a, int days) => $"reminder:{a.EnrolmentId:N}:{a.DueAt!.Value.UtcTicks}:{days}";

    /// <summary>Two passes, as <see cref="RemindersAsync"/>: the assignments not escalated yet and late enough for the first rung; those at the first rung and late enough for the second.</summary>
    private async Task<int> EscalationsAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, CancellationToken ct)
    {
        var all = policies.Append(ReminderPolicy.Default).ToList();
        var sent = 0;
        if (all.Select(p => p.EscalateAfterDays ?? p.SecondEscalationAfterDays).Min() is { } first)
        {
            var dueBefore = now.AddDays(-first);
            sent += await EscalateAsync(policies, now, a => a.DueAt <= dueBefore && a.EscalationLevel == 0, ct);
        }
        if (all.Select(p => p.SecondEscalationAfterDays).Min() is { } second)
        {
            var dueBefore = now.AddDays(-second);
            sent += await EscalateAsync(policies, now, a => a.DueAt <= dueBefore && a.EscalationLevel == 1, ct);
        }
        return sent;
    }

    private Task<int> EscalateAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, Expression<Func<Assignment, bool>> filter, CancellationToken ct) =>
        ForEachPageAsync(filter, async batch =>
        {
            var due = batch.Page.Select(a => (Assignment: a, Level: ReminderRules.EscalationDue(a, PolicyFor(policies, a.CourseId), now))).Where(x => x.Level is not null).ToList();
            if (due.Count == 0) return 0;
            // The learners, their managers and the managers' managers.
            await batch.LoadAsync(due.Select(d => d.Assignment.UserId), ct);
            for (var up = 0; up < 2; up++) await batch.LoadAsync(batch.People.Values.Select(p => p.ManagerId).OfType<Guid>(), ct);
            await batch.Notifier.PrepareAsync(batch.People.Keys, [.. due.SelectMany(d => new[] { EscalationKey(d.Assignment, 1), EscalationKey(d.Assignment, 2) })], ct);
            var sent = 0;
            foreach (var (assignment, level) in due)
            {
                if (batch.NotYetKnown(assignment.UserId)) continue;
                var learner = batch.Person(assignment.UserId)!;
                if (batch.NotYetKnown(learner.ManagerId) || batch.NotYetKnown(batch.Person(learner.ManagerId)?.ManagerId)) continue;
                var from = assignment.EscalationLevel;
                assignment.EscalationLevel = level!.Value;
                if (batch.Person(learner.ManagerId) is not { } manager) continue;
                var course = await batch.Notifier.ItemAsync(assignment.CourseId, ct);
                // Each rung reached and not yet told: the manager at 1, and at 2 their manager too (the manager once).
                for (var rung = from + 1; rung <= level; rung++)
                {
                    if ((rung == 1 ? manager : batch.Person(manager.ManagerId)) is not { } to) continue;
                    var team = $"{batch.Notifier.PortalUrl}/team/{learner.UserId}";
                    await batch.Notifier.SendAsync(to, NotificationTypes.Escalation, new()
                    {
                        ["course"] = course, ["due_date"] = batch.Notifier.Date(assignment.DueAt!.Value, to), ["days_overdue"] = (int)(now - assignment.DueAt.Value).TotalDays,
                        ["learner"] = new Dictionary<string, object?> { ["display_name"] = learner.DisplayName },
                        ["manager"] = new Dictionary<string, object?> { ["display_name"] = manager.DisplayName },
                        ["second_level"] = rung == 2, ["team_link"] = team,
                    }, EscalationKey(assignment, rung), team, ct);
                    sent++;
                }
            }
            return sent;
        }, ct);

    private static string EscalationKey(Assignment a, int rung) => $"escalation:{a.EnrolmentId:N}:{a.DueAt!.Value.UtcTicks}:{rung}";

    /// <summary>Every person whose digest is due: one mail each with what waited, in their language's digest template.</summary>
    private async Task<int> DigestsAsync(DateTimeOffset now, CancellationToken ct)
    {
        var sent = 0;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
            var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
            var users = await db.DigestItems.Where(d => d.SentInEmailId == null && d.DueAt <= now).Select(d => d.UserId).Distinct().Take(200).ToListAsync(ct);
            if (users.Count == 0) return sent;
            var people = await db.Recipients.Where(r => users.Contains(r.UserId)).ToDictionaryAsync(r => r.UserId, ct);
            var items = (await db.DigestItems.Where(d => d.SentInEmailId == null && users.Contains(d.UserId)).OrderBy(d => d.CreatedAt).ToListAsync(ct))
                .GroupBy(d => d.UserId).ToDictionary(g => g.Key, g => g.ToList());
            foreach (var userId in users)
            {
                var pending = items[userId];
                if (!people.TryGetValue(userId, out var to) || to.Erased || !to.IsActive || to.Email is not { Length: > 0 })
                {
                    db.DigestItems.RemoveRange(pending); // nobody to send it to
                    continue;
                }
                // Still (or again) their quiet hours: the digest waits for their morning.
                if (MailRules.InQuietHours(notifier.Window(to), now))
                {
                    var end = MailRules.QuietEnd(notifier.Window(to), now);
                    foreach (var item in pending) item.DueAt = end;
                    continue;
                }
                var email = await notifier.DigestAsync(to, pending, ct);
                foreach (var item in pending) item.SentInEmailId = email?.Id ?? Guid.Empty;
                if (email is not null) sent++;
            }
            await db.SaveChangesAsync(ct);
        }
    }
}
