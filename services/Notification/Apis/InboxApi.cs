using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Http;
using LmsPlatform.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Apis;

public sealed record InboxItemDto(Guid Id, string? Type, string Subject, string Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record UnreadCountDto(int Unread);

/// <summary>The signed-in person's own in-app inbox: theirs alone, whatever their role.</summary>
public static class InboxApi
{
    public static IEndpointRouteBuilder MapInboxApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/inbox").WithTags("Inbox").RequireAuthorization();
        api.MapGet("/", List).WithName("MyInbox").WithSummary("The signed-in person's messages, newest first, paged; only the unread with unread=true");
        api.MapGet("/unread", Unread).WithName("MyUnreadCount").WithSummary("How many of the signed-in person's messages are unread");
        api.MapPost("/{id:guid}/read", MarkRead).WithName("MarkMessageRead").WithSummary("Mark one of the signed-in person's messages read");
        api.MapPost("/read-all", MarkAllRead).WithName("MarkAllMessagesRead").WithSummary("Mark every message of the signed-in person read");
        return app;
    }

    private static IQueryable<UserNotification> Mine(NotificationDbContext db, Guid me) =>
        db.Notifications.AsNoTracking().Where(n => n.UserId == me && n.Channel == Channel.InApp);

    public static async Task<Results<Ok<Page<InboxItemDto>>, ValidationProblem, ForbidHttpResult>> List(
        [AsParameters] PageRequest paging, bool? unread, HttpContext http, NotificationDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (Caller.UserIdOf(http.User) is not { } me) return TypedResults.Forbid();
        var query = Mine(db, me);
        if (unread == true) query = query.Where(n => n.ReadAt == null);
        var page = await query.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(n => new InboxItemDto(n.Id, n.Type, n.Subject, n.Body, n.Link, n.CreatedAt, n.ReadAt)));
    }

    public static async Task<Results<Ok<UnreadCountDto>, ForbidHttpResult>> Unread(HttpContext http, NotificationDbContext db, CancellationToken ct) =>
        Caller.UserIdOf(http.User) is { } me
            ? TypedResults.Ok(new UnreadCountDto(await Mine(db, me).CountAsync(n => n.ReadAt == null, ct)))
            : TypedResults.Forbid();

    public static async Task<Results<NoContent, NotFound, ForbidHttpResult>> MarkRead(Guid id, HttpContext http, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (Caller.UserIdOf(http.User) is not { } me) return TypedResults.Forbid();
        // Someone else's message is as absent as one that does not exist.
        var message = await db.Notifications.FirstOrDefaultAsync(n => n.Id == id && n.UserId == me && n.Channel == Channel.InApp, ct);
        if (message is null) return TypedResults.NotFound();
        message.ReadAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<Results<Ok<UnreadCountDto>, ForbidHttpResult>> MarkAllRead(HttpContext http, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (Caller.UserIdOf(http.User) is not { } me) return TypedResults.Forbid();
        var now = time.GetUtcNow();
        await db.Notifications.Where(n => n.UserId == me && n.Channel == Channel.InApp && n.ReadAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return TypedResults.Ok(new UnreadCountDto(0));
    }
}
