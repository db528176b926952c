using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Notification.Infrastructure;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Notification.Consumers;

/// <summary>
/// Keeps the copy of enrolments that reminders and escalations stand on. Each event is applied once and only if newer
/// than the last applied (ledger sequence), since each kind travels in its own queue; any of them may create the copy.
/// </summary>
public static class Assignments
{
    /// <summary>Applies a ledger event's <paramref name="change"/> if newer than the last; <paramref name="always"/> whatever its order (a fact no sequence orders).</summary>
    public static async Task ApplyAsync(NotificationDbContext db, Guid enrolmentId, Guid userId, Guid courseId, int sequence, Action<Assignment> change,
        CancellationToken ct, Action<Assignment>? always = null)
    {
        var copy = db.Assignments.Local.FirstOrDefault(a => a.EnrolmentId == enrolmentId)
                   ?? await db.Assignments.FirstOrDefaultAsync(a => a.EnrolmentId == enrolmentId, ct);
        if (copy is null)
        {
            copy = new Assignment { EnrolmentId = enrolmentId, UserId = userId, CourseId = courseId, Status = AssignmentStatus.Open };
            db.Assignments.Add(copy);
        }
        copy.Apply(sequence, () => change(copy));
        always?.Invoke(copy);
    }
}

public sealed class DueDateChangedConsumer(NotificationDbContext db) : IdempotentConsumer<DueDateChanged, NotificationDbContext>(db)
{
    protected override Task HandleAsync(DueDateChanged m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a => a.DueOn(m.DueAt), ct);
}

public sealed class EnrolmentCompletedConsumer(NotificationDbContext db) : IdempotentConsumer<EnrolmentCompleted, NotificationDbContext>(db)
{
    protected override Task HandleAsync(EnrolmentCompleted m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a => a.Status = AssignmentStatus.Closed, ct);
}

public sealed class EnrolmentWithdrawnConsumer(NotificationDbContext db) : IdempotentConsumer<EnrolmentWithdrawn, NotificationDbContext>(db)
{
    protected override Task HandleAsync(EnrolmentWithdrawn m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a => a.Status = AssignmentStatus.Closed, ct);
}

public sealed class EnrolmentSuspendedConsumer(NotificationDbContext db) : IdempotentConsumer<EnrolmentSuspended, NotificationDbContext>(db)
{
    protected override Task HandleAsync(EnrolmentSuspended m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a => a.Status = AssignmentStatus.Suspended, ct);
}

public sealed class EnrolmentResumedConsumer(NotificationDbContext db) : IdempotentConsumer<EnrolmentResumed, NotificationDbContext>(db)
{
    protected override Task HandleAsync(EnrolmentResumed m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a => a.Status = AssignmentStatus.Open, ct);
}

/// <summary>Started again (a recertification, a failed attempt): to do once more, reminded afresh.</summary>
public sealed class EnrolmentResetConsumer(NotificationDbContext db) : IdempotentConsumer<EnrolmentReset, NotificationDbContext>(db)
{
    protected override Task HandleAsync(EnrolmentReset m, CancellationToken ct) =>
        Assignments.ApplyAsync(Db, m.EnrolmentId, m.UserId, m.CourseId, m.Sequence, a =>
        {
            a.Status = AssignmentStatus.Open;
            a.RemindedDaysBefore = null;
            a.EscalationLevel = 0;
        }, ct);
}
