using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// What a person may do about a course themselves: its policy, whether they are on it or have asked, and the
/// prerequisites they still lack (none when they may go ahead).
/// </summary>
public sealed record SelfEnrolmentOffer(string Policy, CourseEnrolment? Enrolment, EnrolmentRequest? PendingRequest, IReadOnlyList<string> MissingPrerequisites);

/// <summary>
/// Self-enrolment and its approvals, in one place for every door (the learner's, the approver's). A person may enrol
/// themselves on a course they can see in the catalogue whose policy allows it: at once when it is open, by a request
/// when it needs approval; the prerequisites hold them back either way (<see cref="Assignments"/> applies them, with
/// no override). An approval enrols the person through <see cref="Assignments"/> too, with the request as the
/// enrolment's source, in the same transaction as the decision.
/// </summary>
public sealed class SelfEnrolments(EnrolmentDbContext db, Assignments assignments, TimeProvider time)
{
    /// <summary>The course as the person may see it, or null (unknown, not published, or not visible to them: the same answer).</summary>
    public async Task<(CourseCopy Course, Learner Learner)?> FindAsync(Guid userId, Guid courseId, CancellationToken ct)
    {
        var course = await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == courseId, ct);
        var learner = await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == userId, ct);
        if (course is null || !course.IsOpen || learner is null) return null;
        return await SeesAsync(course, learner, ct) ? (course, learner) : null;
    }

    public async Task<SelfEnrolmentOffer> OfferAsync(CourseCopy course, Learner learner, CancellationToken ct)
    {
        var enrolment = await db.Enrolments.AsNoTracking().FirstOrDefaultAsync(e => e.UserId == learner.UserId && e.CourseId == course.CourseId, ct);
        var pending = await db.EnrolmentRequests.AsNoTracking()
            .FirstOrDefaultAsync(r => r.UserId == learner.UserId && r.CourseId == course.CourseId && r.Status == RequestStatus.Pending, ct);
        var missing = (await assignments.UnmetPrerequisitesAsync(course, [learner.UserId], ct)).GetValueOrDefault(learner.UserId) ?? [];
        return new(course.SelfEnrolment, enrolment, pending, missing);
    }

    /// <summary>Enrols the person (an open course) or files their request (one that needs approval). Refusals are <see cref="DomainRuleException"/>s.</summary>
    public async Task<(CourseEnrolment? Enrolment, EnrolmentRequest? Request)> EnrolOrRequestAsync(
        CourseCopy course, Learner learner, EnrolmentActor me, string? note, CancellationToken ct)
    {
        var offer = await OfferAsync(course, learner, ct);
        if (course.SelfEnrolment == SelfEnrolmentPolicy.Closed)
            throw new DomainRuleException("courseId", $"{course.Code} is assigned by training managers: it is not open to self-enrolment.");
        if (offer.Enrolment is { } existing && existing.Status != EnrolmentStatus.Withdrawn)
            throw new DomainRuleException("courseId", $"You are enrolled on {course.Code} already.");
        if (offer.PendingRequest is not null) throw new DomainRuleException("courseId", $"You asked for a place on {course.Code} already; the request is waiting for approval.");
        if (offer.MissingPrerequisites.Count > 0)
            throw new DomainRuleException("courseId", $"Complete the prerequisites first: {string.Join(", ", offer.MissingPrerequisites)}.");
        if (offer.Enrolment is not null)
            throw new DomainRuleException("courseId", $"Your enrolment on {course.Code} was withdrawn; ask a training manager to enrol you again.");

        if (SelfEnrolmentPolicy.NeedsApproval(course.SelfEnrolment))
        {
            var request = EnrolmentRequest.Submit(learner.UserId, course.CourseId,
                course.SelfEnrolment == SelfEnrolmentPolicy.ManagerApproval ? RequestApproval.Manager : RequestApproval.Administrator, learner.ManagerId, note, time.GetUtcNow());
            db.EnrolmentRequests.Add(request);
            await SaveAsync($"You asked for a place on {course.Code} already.", ct);
            return (null, request);
        }
        var outcome = (await assignments.AddAsync([learner.UserId], course.CourseId, null,
            new EnrolmentSource(EnrolmentSourceKind.SelfEnrolment, learner.UserId.ToString(), Note(note)), me, ct)).Single();
        if (outcome.Result == AssignmentResult.Refused) throw new DomainRuleException("courseId", $"You cannot enrol: you {outcome.Reason}.");
        await SaveAsync($"You are enrolled on {course.Code} already.", ct);
        return (db.Enrolments.Local.Single(e => e.Id == outcome.EnrolmentId), null);
    }

    /// <summary>The request, if <paramref name="actor"/> may decide it (else null: not theirs to see).</summary>
    public async Task<EnrolmentRequest?> DecidableAsync(Guid requestId, EnrolmentActor actor, bool managesEnrolments, CancellationToken ct) =>
        await db.EnrolmentRequests.FirstOrDefaultAsync(r => r.Id == requestId, ct) is { } request && request.MayBeDecidedBy(actor, managesEnrolments)
            ? request
            : null;

    /// <summary>Approves and enrols, in one transaction; refused (and left pending) when the person can no longer be enrolled.</summary>
    public async Task ApproveAsync(EnrolmentRequest request, EnrolmentActor actor, string? reason, CancellationToken ct)
    {
        if (request.Status != RequestStatus.Pending) throw new DomainRuleException("status", $"The request was {request.Status.ToString().ToLowerInvariant()} already.");
        var outcome = (await assignments.AddAsync([request.UserId], request.CourseId, null,
            new EnrolmentSource(EnrolmentSourceKind.SelfEnrolment, request.Id.ToString(), Note(request.Note)), actor, ct)).Single();
        if (outcome.Result == AssignmentResult.Refused)
            throw new DomainRuleException("status", $"The person cannot be enrolled: they {outcome.Reason}. Decline the request, with that reason.");
        request.Approve(actor, reason, outcome.EnrolmentId!.Value, time.GetUtcNow());
        await SaveAsync("Someone decided this request at the same time; read it again.", ct);
    }

    public async Task DeclineAsync(EnrolmentRequest request, EnrolmentActor actor, string? reason, CancellationToken ct)
    {
        request.Decline(actor, reason, time.GetUtcNow());
        await SaveAsync("Someone decided this request at the same time; read it again.", ct);
    }

    public async Task<EnrolmentRequest?> CancelAsync(Guid requestId, EnrolmentActor me, CancellationToken ct)
    {
        var request = await db.EnrolmentRequests.FirstOrDefaultAsync(r => r.Id == requestId && r.UserId == me.Id, ct);
        if (request is null) return null;
        request.Cancel(me, "Cancelled by the person who asked", time.GetUtcNow());
        await SaveAsync("The request was decided at the same time; read it again.", ct);
        return request;
    }

    /// <summary>Whether the person is in the course's audience: everyone, or a member of one of its org subtrees.</summary>
    private async Task<bool> SeesAsync(ItemCopy course, Learner learner, CancellationToken ct)
    {
        if (course.VisibleToEveryone) return true;
        for (var (unit, depth) = (learner.OrgUnitId, 0); unit is { } id && depth < 100; depth++)
        {
            if (course.AudienceOrgUnitIds.Contains(id)) return true;
            unit = (await db.OrgUnits.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct))?.ParentId;
        }
        return false;
    }

    private static string? Note(string? note) => string.IsNullOrWhiteSpace(note) ? "Self-enrolment" : $"Self-enrolment: {note.Trim()}";

    /// <summary>Saves; a unique index or a concurrent change (another request, another approver) becomes a conflict with <paramref name="conflict"/>.</summary>
    private async Task SaveAsync(string conflict, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (ex is DbUpdateConcurrencyException || ex is DbUpdateException u && u.IsUniqueViolation())
        {
            throw new DomainRuleException("status", conflict);
        }
    }
}
