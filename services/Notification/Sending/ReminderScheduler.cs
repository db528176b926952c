using LmsPlatform.Notification.Consumers;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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

    private async Task<int> RemindersAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, CancellationToken ct)
    {
        var all = policies.Append(ReminderPolicy.Default).ToList();
        var maxDays = all.SelectMany(p => p.DaysBefore).DefaultIfEmpty(0).Max();
        var minDays = all.SelectMany(p => p.DaysBefore).DefaultIfEmpty(0).Min();
        var horizon = now.AddDays(maxDays);
        var sent = 0;
        (DateTimeOffset DueAt, Guid Id)? after = null;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
            var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
            var query = db.Assignments.Where(a => a.Status == AssignmentStatus.Open && a.DueAt > now && a.DueAt <= horizon
                                                  && (a.RemindedDaysBefore == null || a.RemindedDaysBefore > minDays));
            if (after is { } last) query = query.Where(a => a.DueAt > last.DueAt || (a.DueAt == last.DueAt && a.EnrolmentId.CompareTo(last.Id) > 0));
            var page = await query.OrderBy(a => a.DueAt).ThenBy(a => a.EnrolmentId).Take(BatchSize).ToListAsync(ct);
            if (page.Count == 0) return sent;
            after = (page[^1].DueAt!.Value, page[^1].EnrolmentId);
            var due = page.Select(a => (Assignment: a, Days: ReminderRules.ReminderDue(a, PolicyFor(policies, a.CourseId), now))).Where(x => x.Days is not null).ToList();
            if (due.Count == 0) continue;
            await LoadPeopleAsync(db, due.Select(d => d.Assignment.UserId), ct);
            await notifier.PrepareAsync([.. due.Select(d => d.Assignment.UserId).Distinct()], [.. due.Select(d => Key(d.Assignment, d.Days!.Value))], ct);
            foreach (var (assignment, days) in due)
            {
                assignment.RemindedDaysBefore = days;
                if (db.Recipients.Local.FirstOrDefault(r => r.UserId == assignment.UserId) is not { } to) continue;
                var course = await LearningItems.ItemAsync(db, notifier, assignment.CourseId, ct);
                var left = assignment.DueAt!.Value - now;
                await notifier.SendAsync(to, NotificationTypes.Reminder, new()
                {
                    ["course"] = course, ["due_date"] = notifier.Date(assignment.DueAt.Value, to),
                    ["due_in"] = left.TotalHours < 24 ? "within a day" : $"in {(int)Math.Ceiling(left.TotalDays)} days",
                }, Key(assignment, days!.Value), (string?)course["link"], ct);
                sent++;
            }
            await db.SaveChangesAsync(ct);
        }
    }

    private static string Key(Assignment a, int days) => $"reminder:{a.EnrolmentId:N}:{a.DueAt!.Value.UtcTicks}:{days}";

    private async Task<int> EscalationsAsync(IReadOnlyList<ReminderPolicy> policies, DateTimeOffset now, CancellationToken ct)
    {
        var all = policies.Append(ReminderPolicy.Default).ToList();
        var soonest = all.Select(p => p.EscalateAfterDays ?? p.SecondEscalationAfterDays).Where(d => d is not null).DefaultIfEmpty(null).Min();
        if (soonest is not { } firstDays) return 0;
        var dueBefore = now.AddDays(-firstDays);
        var sent = 0;
        (DateTimeOffset DueAt, Guid Id)? after = null;
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
            var notifier = scope.ServiceProvider.GetRequiredService<Notifier>();
            var query = db.Assignments.Where(a => a.Status == AssignmentStatus.Open && a.DueAt <= dueBefore && a.EscalationLevel < 2);
            if (after is { } last) query = query.Where(a => a.DueAt > last.DueAt || (a.DueAt == last.DueAt && a.EnrolmentId.CompareTo(last.Id) > 0));
            var page = await query.OrderBy(a => a.DueAt).ThenBy(a => a.EnrolmentId).Take(BatchSize).ToListAsync(ct);
            if (page.Count == 0) return sent;
            after = (page[^1].DueAt!.Value, page[^1].EnrolmentId);
            var due = page.Select(a => (Assignment: a, Level: ReminderRules.EscalationDue(a, PolicyFor(policies, a.CourseId), now))).Where(x => x.Level is not null).ToList();
            if (due.Count == 0) continue;
            var learners = await LoadPeopleAsync(db, due.Select(d => d.Assignment.UserId), ct);
            var managers = await LoadPeopleAsync(db, learners.Values.Select(l => l.ManagerId).OfType<Guid>(), ct);
            await LoadPeopleAsync(db, managers.Values.Select(m => m.ManagerId).OfType<Guid>(), ct);
            var keys = due.SelectMany(d => new[] { EscalationKey(d.Assignment, 1), EscalationKey(d.Assignment, 2) }).ToList();
            await notifier.PrepareAsync([.. db.Recipients.Local.Select(r => r.UserId)], keys, ct);
            foreach (var (assignment, level) in due)
            {
                var from = assignment.EscalationLevel;
                assignment.EscalationLevel = level!.Value;
                if (!learners.TryGetValue(assignment.UserId, out var learner) || learner.ManagerId is not { } managerId
                    || db.Recipients.Local.FirstOrDefault(r => r.UserId == managerId) is not { } manager) continue;
                var course = await LearningItems.ItemAsync(db, notifier, assignment.CourseId, ct);
                // Each rung reached and not yet told: the manager at 1, and at 2 their manager too (the manager once).
                for (var rung = from + 1; rung <= level; rung++)
                {
                    var to = rung == 1 ? manager : manager.ManagerId is { } up ? db.Recipients.Local.FirstOrDefault(r => r.UserId == up) : null;
                    if (to is null) continue;
                    await notifier.SendAsync(to, NotificationTypes.Escalation, new()
                    {
                        ["course"] = course, ["due_date"] = notifier.Date(assignment.DueAt!.Value, to), ["days_overdue"] = (int)(now - assignment.DueAt.Value).TotalDays,
                        ["learner"] = new Dictionary<string, object?> { ["display_name"] = learner.DisplayName },
                        ["manager"] = new Dictionary<string, object?> { ["display_name"] = manager.DisplayName },
                        ["second_level"] = rung == 2, ["team_link"] = $"{notifier.PortalUrl}/team/{learner.UserId}",
                    }, EscalationKey(assignment, rung), $"{notifier.PortalUrl}/team/{learner.UserId}", ct);
                    sent++;
                }
            }
            await db.SaveChangesAsync(ct);
        }
    }

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
            var people = await LoadPeopleAsync(db, users, ct);
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

    private static async Task<Dictionary<Guid, Recipient>> LoadPeopleAsync(NotificationDbContext db, IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToList();
        var missing = wanted.Where(id => db.Recipients.Local.All(r => r.UserId != id)).ToList();
        if (missing.Count > 0) await db.Recipients.Where(r => missing.Contains(r.UserId)).LoadAsync(ct);
        return db.Recipients.Local.Where(r => wanted.Contains(r.UserId)).ToDictionary(r => r.UserId);
    }
}
