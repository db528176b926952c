using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.Notification.Sending;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>Notification's copy of a course or path, kept from catalogue's publications.</summary>
public static class LearningItems
{
    public static async Task CopyAsync(NotificationDbContext db, Guid id, string kind, string title, string code, CancellationToken ct)
    {
        var item = db.Items.Local.FirstOrDefault(i => i.Id == id) ?? await db.Items.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (item is null) db.Items.Add(new ItemCopy { Id = id, Kind = kind, Title = title, Code = code });
        else { item.Title = title; item.Code = code; }
    }
}

public sealed class CoursePublishedConsumer(NotificationDbContext db) : IdempotentConsumer<CoursePublished, NotificationDbContext>(db)
{
    protected override Task HandleAsync(CoursePublished message, CancellationToken cancellationToken) =>
        LearningItems.CopyAsync(Db, message.CourseId, "course", message.Title, message.Code, cancellationToken);
}

public sealed class LearningPathPublishedConsumer(NotificationDbContext db) : IdempotentConsumer<LearningPathPublished, NotificationDbContext>(db)
{
    protected override Task HandleAsync(LearningPathPublished message, CancellationToken cancellationToken) =>
        LearningItems.CopyAsync(Db, message.LearningPathId, "learning-path", message.Title, message.Code, cancellationToken);
}

/// <summary>An assignment (by an administrator, an import, an audience rule), not a person's own enrolment or a renewal (its window's message says that).</summary>
public sealed class EnrolledConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<Enrolled, NotificationDbContext>(db)
{
    private const string Recertification = "Recertification";
    private static readonly HashSet<string> Quiet = new(StringComparer.OrdinalIgnoreCase) { "SelfEnrolment", Recertification };

    protected override async Task HandleAsync(Enrolled message, CancellationToken cancellationToken)
    {
        await Assignments.ApplyAsync(Db, message.EnrolmentId, message.UserId, message.CourseId, message.Sequence, a =>
        {
            a.DueOn(message.DueAt);
            a.IsRenewal = message.Source == Recertification;
        }, cancellationToken);
        if (Quiet.Contains(message.Source)) return;
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var course = await notifier.ItemAsync(message.CourseId, cancellationToken);
        await notifier.SendAsync(to, NotificationTypes.Assigned, new()
        {
            ["course"] = course, ["due_date"] = message.DueAt is { } due ? notifier.Date(due, to) : null,
        }, $"assigned:{message.EnrolmentId:N}:{message.Sequence}", (string?)course["link"], cancellationToken);
    }
}

public sealed class BecameOverdueConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<BecameOverdue, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(BecameOverdue message, CancellationToken cancellationToken)
    {
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var course = await notifier.ItemAsync(message.CourseId, cancellationToken);
        await notifier.SendAsync(to, NotificationTypes.Overdue, new() { ["course"] = course, ["due_date"] = notifier.Date(message.DueAt, to) },
            $"overdue:{message.EnrolmentId:N}:{message.DueAt.UtcTicks}", (string?)course["link"], cancellationToken);
    }
}

public sealed class CertificationWindowOpenedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<CertificationWindowOpened, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(CertificationWindowOpened message, CancellationToken cancellationToken)
    {
        // The renewal's reminders speak of the expiry (the copy may come before the renewal's Enrolled: no sequence applied).
        if (message.EnrolmentId is { } renewalId)
            await Assignments.ApplyAsync(Db, renewalId, message.UserId, message.AssignedCourseId, 0, _ => { }, cancellationToken,
                copy => (copy.RenewsCertificationOf, copy.CertificationExpiresAt) = (message.CourseId, message.ExpiresAt));
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var course = await notifier.ItemAsync(message.CourseId, cancellationToken);
        var renewal = await notifier.ItemAsync(message.AssignedCourseId, cancellationToken);
        await notifier.SendAsync(to, NotificationTypes.CertificationWindowOpened, new()
        {
            ["course"] = course, ["renewal"] = renewal, ["expires_at"] = notifier.Date(message.ExpiresAt, to),
        }, $"certification-window:{message.CertificationId:N}:{message.Cycle}", (string?)renewal["link"], cancellationToken);
    }
}

public sealed class CertificationExpiredConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<CertificationExpired, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(CertificationExpired message, CancellationToken cancellationToken)
    {
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var course = await notifier.ItemAsync(message.CourseId, cancellationToken);
        await notifier.SendAsync(to, NotificationTypes.CertificationExpired, new() { ["course"] = course, ["expired_at"] = notifier.Date(message.ExpiredAt, to) },
            $"certification-expired:{message.CertificationId:N}:{message.Cycle}", (string?)course["link"], cancellationToken);
    }
}

public sealed class CertificateIssuedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<CertificateIssued, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(CertificateIssued message, CancellationToken cancellationToken)
    {
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var course = await notifier.ItemAsync(message.CourseId, cancellationToken);
        var verify = $"{notifier.PortalUrl}/verify/{message.CertificateId}";
        await notifier.SendAsync(to, NotificationTypes.CertificateIssued, new()
        {
            ["course"] = course, ["completed_at"] = notifier.Date(message.CompletedAt, to),
            ["expires_at"] = message.ExpiresAt is { } expires ? notifier.Date(expires, to) : null, ["verify_link"] = verify,
        }, $"certificate:{message.CertificateId:N}", verify, cancellationToken);
    }
}

/// <summary>A request for a place that the person's manager decides: the manager hears of it.</summary>
public sealed class EnrolmentRequestedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<EnrolmentRequested, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(EnrolmentRequested message, CancellationToken cancellationToken)
    {
        if (message.ApproverId is not { } approverId) return; // a training manager's queue, on their approvals page
        var to = await notifier.RecipientAsync(approverId, cancellationToken);
        var requester = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var link = $"{notifier.PortalUrl}/approvals/{message.RequestId}";
        await notifier.SendAsync(to, NotificationTypes.ApprovalRequested, new()
        {
            ["requester"] = new Dictionary<string, object?> { ["display_name"] = requester.DisplayName },
            ["item"] = await notifier.ItemAsync(message.ItemId, cancellationToken), ["note"] = message.Note, ["link"] = link,
        }, $"approval-requested:{message.RequestId:N}", link, cancellationToken);
    }
}

/// <summary>The person who asked hears the decision (not of their own cancellation).</summary>
public sealed class EnrolmentRequestDecidedConsumer(NotificationDbContext db, Notifier notifier) : IdempotentConsumer<EnrolmentRequestDecided, NotificationDbContext>(db)
{
    protected override async Task HandleAsync(EnrolmentRequestDecided message, CancellationToken cancellationToken)
    {
        if (message.Decision is not ("Approved" or "Declined")) return;
        var to = await notifier.RecipientAsync(message.UserId, cancellationToken);
        var item = await notifier.ItemAsync(message.ItemId, cancellationToken);
        await notifier.SendAsync(to, NotificationTypes.ApprovalDecided, new()
        {
            ["item"] = item, ["approved"] = message.Decision == "Approved", ["reason"] = message.Reason,
        }, $"approval-decided:{message.RequestId:N}", (string?)item["link"], cancellationToken);
    }
}
