using LmsPlatform.Contracts.Security;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Apis;

public sealed record DeliveryDto(Guid Id, Guid? UserId, string? Type, string To, string Subject, string Status, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, string? LastError, string MessageId);

public sealed record DeliveryDetailDto(DeliveryDto Delivery, string Text, string Html, string? UnsubscribeUrl);

public sealed record DeliverySummaryDto(IReadOnlyDictionary<string, int> ByStatus, DateTimeOffset? OldestWaitingSince);

public sealed record RetriedDto(int Retried);

/// <summary>
/// The delivery log: every email with its state (queued, sent, retrying with the reason, bounced, given up), for
/// administrators; an operator sends a failed one again, one at a time or all that failed.
/// </summary>
public static class DeliveriesApi
{
    public static IEndpointRouteBuilder MapDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/deliveries").WithTags("Delivery log");
        api.MapGet("/", List).WithName("ListDeliveries").WithSummary("Emails, newest first, paged; filter by status, type, recipient address or person, and time")
            .RequireAuthorization(Permissions.NotificationsRead);
        api.MapGet("/summary", Summary).WithName("DeliverySummary").WithSummary("How many emails are in each state, and how long the oldest has waited")
            .RequireAuthorization(Permissions.NotificationsRead);
        api.MapGet("/{id:guid}", Get).WithName("GetDelivery").WithSummary("One email with its bodies (withheld for a delivered sign-in link)")
            .RequireAuthorization(Permissions.NotificationsRead);
        api.MapPost("/{id:guid}/retry", Retry).WithName("RetryDelivery").WithSummary("Send a bounced, given-up or retrying email again now")
            .RequireAuthorization(Permissions.NotificationsManage);
        api.MapPost("/retry", RetryAll).WithName("RetryDeliveries").WithSummary("Send again now every email in a failed state (status=GaveUp, Bounced or Retrying)")
            .RequireAuthorization(Permissions.NotificationsManage);
        return app;
    }

    private static DeliveryDto Dto(EmailMessage e) => new(e.Id, e.UserId, e.Type, e.ToAddress, e.Subject, e.Status.ToString(), e.Attempts, e.CreatedAt,
        e.Status is EmailStatus.Queued or EmailStatus.Retrying ? e.NextAttemptAt : null, e.SentAt, e.LastError, e.MessageId);

    public static async Task<Results<Ok<Page<DeliveryDto>>, ValidationProblem>> List([AsParameters] PageRequest paging, string? status, string? type, string? to,
        Guid? userId, DateTimeOffset? since, DateTimeOffset? until, NotificationDbContext db, CancellationToken ct)
    {
        var errors = paging.Validate();
        EmailStatus? wanted = null;
        if (status is { Length: > 0 })
        {
            if (Enum.TryParse<EmailStatus>(status, true, out var parsed)) wanted = parsed;
            else errors["status"] = [$"is not one of {string.Join(", ", Enum.GetNames<EmailStatus>())}"];
        }
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var query = db.Emails.AsNoTracking();
        if (wanted is { } s) query = query.Where(e => e.Status == s);
        if (type is { Length: > 0 }) query = query.Where(e => e.Type == type);
        if (to is { Length: > 0 }) query = query.Where(e => e.ToAddress == to.Trim().ToLowerInvariant() || e.ToAddress == to.Trim());
        if (userId is { } u) query = query.Where(e => e.UserId == u);
        if (since is { } from) query = query.Where(e => e.CreatedAt >= from);
        if (until is { } end) query = query.Where(e => e.CreatedAt < end);
        var page = await query.OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(Dto));
    }

    public static async Task<Ok<DeliverySummaryDto>> Summary(NotificationDbContext db, CancellationToken ct)
    {
        var counts = await db.Emails.AsNoTracking().GroupBy(e => e.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var oldest = await db.Emails.AsNoTracking().Where(e => e.Status == EmailStatus.Queued || e.Status == EmailStatus.Retrying)
            .MinAsync(e => (DateTimeOffset?)e.QueuedAt, ct);
        return TypedResults.Ok(new DeliverySummaryDto(Enum.GetValues<EmailStatus>().ToDictionary(s => s.ToString(), s => counts.FirstOrDefault(c => c.Key == s)?.Count ?? 0), oldest));
    }

    public static async Task<Results<Ok<DeliveryDetailDto>, NotFound>> Get(Guid id, NotificationDbContext db, CancellationToken ct) =>
        await db.Emails.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, ct) is { } e
            // A sensitive mail's link is for its recipient: the log shows that it went, not what it said.
            ? TypedResults.Ok(new DeliveryDetailDto(Dto(e), e.Sensitive ? EmailMessage.Withheld : e.TextBody, e.Sensitive ? EmailMessage.Withheld : e.HtmlBody, e.UnsubscribeUrl))
            : TypedResults.NotFound();

    private const string BeingSent = "This email is being handed to the mail relay at this moment; look again in a minute.";

    public static async Task<Results<Ok<DeliveryDto>, NotFound, Conflict<ProblemDetails>>> Retry(Guid id, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        var email = await db.Emails.FirstOrDefaultAsync(e => e.Id == id, ct);
        if (email is null) return TypedResults.NotFound();
        var now = time.GetUtcNow();
        if (!email.Retry(now))
            return Problems.Conflict(email.Status == EmailStatus.Sent ? "This email was sent; it is not sent twice." :
                email.Status == EmailStatus.Queued ? "This email is already waiting to be sent." :
                email.BeingSent(now) ? BeingSent : "This email's sign-in link is no longer kept; ask for a new one.", "status");
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateConcurrencyException) { return Problems.Conflict(BeingSent, "status"); } // a sender took it a moment ago
        return TypedResults.Ok(Dto(email));
    }

    public static async Task<Results<Ok<RetriedDto>, ValidationProblem>> RetryAll(string? status, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (!Enum.TryParse<EmailStatus>(status, true, out var wanted) || wanted is not (EmailStatus.GaveUp or EmailStatus.Bounced or EmailStatus.Retrying))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["is required: GaveUp, Bounced or Retrying"] });
        var now = time.GetUtcNow();
        var retried = 0;
        // In pages, each its own transaction, so a large backlog is not one long lock.
        while (true)
        {
            var page = await db.Emails.Where(e => e.Status == wanted).OrderBy(e => e.CreatedAt).Take(1000).ToListAsync(ct);
            var moved = page.Count(e => e.Retry(now));
            if (moved == 0) break;
            try { await db.SaveChangesAsync(ct); }
            catch (DbUpdateConcurrencyException)
            {
                // A sender took one of them meanwhile: read the page again.
                db.ChangeTracker.Clear();
                now = time.GetUtcNow();
                continue;
            }
            db.ChangeTracker.Clear();
            retried += moved;
            if (page.Count < 1000) break;
        }
        return TypedResults.Ok(new RetriedDto(retried));
    }
}
