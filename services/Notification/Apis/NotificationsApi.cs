using LmsPlatform.Contracts.Security;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using LmsPlatform.ServiceDefaults.Security;

namespace LmsPlatform.Notification.Apis;

public sealed record CreateNotificationRequest(Guid? UserId, string? Subject, string? Body)
{
    public Dictionary<string, string[]> Validate() => new ValidationErrors()
        .Check(UserId is not null && UserId != Guid.Empty, "userId", "is required")
        .Required("subject", Subject, 200)
        .Required("body", Body, 4000)
        .ToDictionary();
}

public sealed record NotificationDto(Guid Id, Guid UserId, string Channel, string Subject, string Body, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt, bool Sensitive)
{
    public const string Withheld = "(This message holds a link to the recipient's account; only they can read it.)";

    /// <summary>A sensitive message's body (an invitation or reset link) is shown to its recipient alone.</summary>
    public static NotificationDto From(UserNotification n, Guid? reader) =>
        new(n.Id, n.UserId, n.Channel.ToString(), n.Subject, n.Sensitive && reader != n.UserId ? Withheld : n.Body, n.CreatedAt, n.ReadAt, n.Sensitive);
}

public static class NotificationsApi
{
    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/notification/notifications").WithTags("Notifications");
        api.MapPost("/", CreateNotification).WithName("CreateNotification").WithSummary("Send an in-app notification to a known user").RequireAuthorization(Permissions.NotificationsManage);
        api.MapGet("/{id:guid}", GetNotification).WithName("GetNotification").WithSummary("Get a notification by id").RequireAuthorization(Permissions.NotificationsRead);
        api.MapGet("/", ListNotifications).WithName("ListNotifications").WithSummary("List notifications, newest first, paged; filter by user").RequireAuthorization(Permissions.NotificationsRead);
        return app;
    }

    public static async Task<Results<Created<NotificationDto>, ValidationProblem>> CreateNotification(
        CreateNotificationRequest request, NotificationDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var userId = request.UserId!.Value;
        if (!await db.Recipients.AnyAsync(r => r.UserId == userId, ct))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = ["is not a known user"] });
        var notification = new UserNotification
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Channel = Channel.InApp,
            Subject = request.Subject!.Trim(),
            Body = request.Body!.Trim(),
            CreatedAt = time.GetUtcNow(),
        };
        db.Notifications.Add(notification);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/notification/notifications/{notification.Id}", NotificationDto.From(notification, null));
    }

    public static async Task<Results<Ok<NotificationDto>, NotFound>> GetNotification(Guid id, HttpContext http, NotificationDbContext db, CancellationToken ct) =>
        await db.Notifications.AsNoTracking().FirstOrDefaultAsync(n => n.Id == id, ct) is { } n
            ? TypedResults.Ok(NotificationDto.From(n, Reader(http)))
            : TypedResults.NotFound();

    private static Guid? Reader(HttpContext http) => Caller.UserIdOf(http.User);

    public static async Task<Results<Ok<Page<NotificationDto>>, ValidationProblem>> ListNotifications(
        [AsParameters] PageRequest paging, Guid? userId, HttpContext http, NotificationDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.Notifications.AsNoTracking();
        if (userId is { } u) query = query.Where(n => n.UserId == u);
        var reader = Reader(http);
        var page = await query.OrderByDescending(n => n.CreatedAt).ThenBy(n => n.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(n => NotificationDto.From(n, reader)));
    }
}
