using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Delivery;

/// <summary>
/// Sends the queued mail: <see cref="MailOptions.Connections"/> senders per replica, each taking a batch of due mails
/// under a lease (<c>FOR UPDATE SKIP LOCKED</c>, so replicas never take the same mail), handing them to the relay over
/// its own connection, and recording each mail's outcome the moment the relay answers. A mail is recorded as sent only
/// after the relay accepted it, so a crash loses none; the one a sender was handing over when it died may go twice
/// (RFC 1047's window, one mail per connection at most), with the same Message-ID.
/// </summary>
public sealed class EmailDispatcher(IServiceScopeFactory scopes, MailOptions options, TimeProvider time, ILogger<EmailDispatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Configured)
        {
            logger.LogWarning("No mail relay is configured (ConnectionStrings:mail): email waits in the delivery queue");
            return Task.CompletedTask;
        }
        return Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Connections)).Select(_ => Task.Run(() => SendLoopAsync(stoppingToken), stoppingToken)));
    }

    private async Task SendLoopAsync(CancellationToken ct)
    {
        await using var sender = new MailSender(options, logger);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var pause = await SendBatchAsync(sender, ct);
                if (pause > TimeSpan.Zero) await Task.Delay(pause, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { return; }
            catch (Exception ex)
            {
                // The database away: the leases run out and the mails are taken again when it is back.
                logger.LogWarning(ex, "Sending mail failed; trying again shortly");
                await Task.Delay(Pause, time, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Sends one batch; returns how long to wait before the next (none while there is more to send).</summary>
    private async Task<TimeSpan> SendBatchAsync(MailSender sender, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var batch = await TakeAsync(db, ct);
        if (batch.Count == 0) return Idle;
        for (var i = 0; i < batch.Count; i++)
        {
            var email = batch[i];
            // A slow relay must not let the lease run out mid-batch (another sender would take the rest and send them
            // too): no mail is begun unless the lease outlasts the attempt; the rest are let go, to be taken again.
            if (email.LeasedUntil - time.GetUtcNow() < options.Timeout)
                return await ReleaseAsync(db, batch.Skip(i), TimeSpan.Zero);
            var (outcome, error) = await sender.SendAsync(email, ct);
            var now = time.GetUtcNow();
            // Tracked one at a time: each save then looks at one mail, not the whole batch.
            db.Attach(email);
            switch (outcome)
            {
                case SendOutcome.Sent: email.Delivered(now); break;
                case SendOutcome.Refused: email.Failed(error!, permanent: true, now); break;
                default:
                    // The relay is away: this mail failed an attempt; the rest of the batch was not tried and is let go.
                    email.Failed(error!, permanent: false, now);
                    logger.LogWarning("The mail relay is unavailable ({Error}); {Count} mails wait", error, batch.Count - i);
                    return await ReleaseAsync(db, batch.Skip(i + 1), Pause);
            }
            // Recorded at once: the window in which a crash could send this mail again is this one statement.
            if (!await RecordAsync(db)) return TimeSpan.Zero;
            db.Entry(email).State = EntityState.Detached;
        }
        return TimeSpan.Zero;
    }

    private async Task<TimeSpan> ReleaseAsync(NotificationDbContext db, IEnumerable<EmailMessage> untried, TimeSpan pause)
    {
        foreach (var email in untried)
        {
            if (db.Entry(email).State == EntityState.Detached) db.Attach(email);
            email.LeasedUntil = null;
        }
        await RecordAsync(db);
        return pause;
    }

    /// <summary>
    /// Saves the outcome, only while the lease is still this sender's (the lease is the rows' concurrency token): a
    /// sender that outlived it (a stalled process) does not overwrite what the sender that took the mail over recorded.
    /// </summary>
    private async Task<bool> RecordAsync(NotificationDbContext db)
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogWarning("A batch's lease ran out before its outcome was recorded; another sender has its mails");
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Takes due mails under a lease. A mail whose lease ran out (its sender died) is due again.</summary>
    private async Task<List<EmailMessage>> TakeAsync(NotificationDbContext db, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var until = now + options.Lease;
        var ids = await db.Database.SqlQuery<Guid>($"""
            WITH due AS (
                SELECT "Id" FROM emails
                WHERE "Status" IN ('Queued', 'Retrying') AND "NextAttemptAt" <= {now} AND ("LeasedUntil" IS NULL OR "LeasedUntil" < {now})
                ORDER BY "NextAttemptAt"
                LIMIT {options.BatchSize}
                FOR UPDATE SKIP LOCKED)
            UPDATE emails e SET "LeasedUntil" = {until} FROM due WHERE e."Id" = due."Id"
            RETURNING e."Id" AS "Value"
            """).ToListAsync(ct);
        if (ids.Count == 0) return [];
        return await db.Emails.AsNoTracking().Where(e => ids.Contains(e.Id)).OrderBy(e => e.NextAttemptAt).ToListAsync(ct);
    }
}
