using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.People;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>A course or path as a person may see it for self-enrolment.</summary>
public sealed record SelfEnrolmentItem(ItemKind Kind, Guid Id, ItemCopy Copy, Learner Learner);

/// <summary>
/// What a person may do about a course or path themselves: its policy, whether they are on it (and how it stands) or
/// have asked, and the prerequisites they still lack (none when they may go ahead).
/// </summary>
public sealed record SelfEnrolmentOffer(string Policy, Guid? EnrolmentId, string? EnrolmentStatus, bool Withdrawn, EnrolmentRequest? PendingRequest,
    IReadOnlyList<string> MissingPrerequisites);

/// <summary>
/// Self-enrolment and its approvals, in one place for every door (the learner's, the approver's) and both kinds of
/// item. A person may enrol themselves on a course or path they can see in the catalogue whose policy allows it: at
/// once when it is open, by a request when it needs approval; the prerequisites hold them back either way
/// (<see cref="Assignments"/> applies them, with no override). An approval enrols the person through
/// <see cref="Assignments"/> or <see cref="PathAssignments"/>, with the request as the source, in the same
/// transaction as the decision.
/// </summary>
public sealed class SelfEnrolments(EnrolmentDbContext db, Assignments assignments, PathAssignments paths, TimeProvider time)
{
    /// <summary>The item as the person may see it, or null (unknown, not published, or not visible to them: the same answer).</summary>
    public async Task<SelfEnrolmentItem?> FindAsync(Guid userId, ItemKind kind, Guid itemId, CancellationToken ct)
    {
        ItemCopy? copy = kind == ItemKind.Course
            ? await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.CourseId == itemId, ct)
            : await db.Paths.AsNoTracking().FirstOrDefaultAsync(p => p.PathId == itemId, ct);
        var learner = await db.Learners.AsNoTracking().FirstOrDefaultAsync(l => l.UserId == userId, ct);
        if (copy is null || !copy.IsOpen || learner is null) return null;
        return await OrgUnitCopyModel.InAudienceAsync(db, copy.VisibleToEveryone, copy.AudienceOrgUnitIds, learner.OrgUnitId, ct)
            ? new SelfEnrolmentItem(kind, itemId, copy, learner)
            : null;
    }

    public async Task<SelfEnrolmentOffer> OfferAsync(SelfEnrolmentItem item, CancellationToken ct)
    {
        var userId = item.Learner.UserId;
        var (enrolmentId, status, withdrawn) = item.Kind == ItemKind.Course
            ? await db.Enrolments.AsNoTracking().Where(e => e.UserId == userId && e.CourseId == item.Id)
                .Select(e => new { e.Id, Status = e.Status.ToString(), Withdrawn = e.Status == EnrolmentStatus.Withdrawn }).FirstOrDefaultAsync(ct) is { } c
                ? ((Guid?)c.Id, c.Status, c.Withdrawn) : (null, null, false)
            : await db.PathEnrolments.AsNoTracking().Where(p => p.UserId == userId && p.PathId == item.Id)
                .Select(p => new { p.Id, Status = p.Status.ToString() }).FirstOrDefaultAsync(ct) is { } p
                ? ((Guid?)p.Id, p.Status, false) : (null, null, false);
        var pending = await db.EnrolmentRequests.AsNoTracking()
            .FirstOrDefaultAsync(r => r.UserId == userId && r.Kind == item.Kind && r.ItemId == item.Id && r.Status == RequestStatus.Pending, ct);
        var missing = (await assignments.UnmetPrerequisitesAsync(item.Copy, [userId], ct)).GetValueOrDefault(userId) ?? [];
        return new(item.Copy.SelfEnrolment, enrolmentId, status, withdrawn, pending, missing);
    }

    /// <summary>Enrols the person (an open item) or files their request (one that needs approval); the enrolment's id, or the request.</summary>
    public async Task<(Guid? EnrolmentId, EnrolmentRequest? Request)> EnrolOrRequestAsync(SelfEnrolmentItem item, EnrolmentActor me, string? note, CancellationToken ct)
    {
        var offer = await OfferAsync(item, ct);
        var (code, learner) = (item.Copy.Code, item.Learner);
        if (item.Copy.SelfEnrolment == SelfEnrolmentPolicy.Closed)
            throw new DomainRuleException("itemId", $"{code} is assigned by training managers: it is not open to self-enrolment.");
        if (offer.EnrolmentId is not null && !offer.Withdrawn) throw new DomainRuleException("itemId", $"You are enrolled on {code} already.");
        if (offer.PendingRequest is not null) throw new DomainRuleException("itemId", $"You asked for a place on {code} already; the request is waiting for approval.");
        if (offer.MissingPrerequisites.Count > 0)
            throw new DomainRuleException("itemId", $"Complete the prerequisites first: {string.Join(", ", offer.MissingPrerequisites)}.");
        if (offer.Withdrawn) throw new DomainRuleException("itemId", $"Your enrolment on {code} was withdrawn; ask a training manager to enrol you again.");

        if (SelfEnrolmentPolicy.NeedsApproval(item.Copy.SelfEnrolment))
        {
            var request = EnrolmentRequest.Submit(learner.UserId, item.Kind, item.Id,
                item.Copy.SelfEnrolment == SelfEnrolmentPolicy.ManagerApproval ? RequestApproval.Manager : RequestApproval.Administrator, learner.ManagerId, note, time.GetUtcNow());
            db.EnrolmentRequests.Add(request);
            await SaveAsync($"You asked for a place on {code} already.", ct);
            return (null, request);
        }
        var outcome = await EnrolAsync(item.Kind, item.Id, learner.UserId, new EnrolmentSource(EnrolmentSourceKind.SelfEnrolment, learner.UserId.ToString(), Note(note)), me, ct);
        if (outcome.Result == AssignmentResult.Refused) throw new DomainRuleException("itemId", $"You cannot enrol: you {outcome.Reason}.");
        await SaveAsync($"You are enrolled on {code} already.", ct);
        return (outcome.EnrolmentId, null);
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
        var outcome = await EnrolAsync(request.Kind, request.ItemId, request.UserId,
            new EnrolmentSource(EnrolmentSourceKind.SelfEnrolment, request.Id.ToString(), Note(request.Note)), actor, ct);
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

    /// <summary>One person onto a course (its enrolment) or a path (the path's enrolment, its courses with it), unsaved.</summary>
    private async Task<AssignmentOutcome> EnrolAsync(ItemKind kind, Guid itemId, Guid userId, EnrolmentSource source, EnrolmentActor actor, CancellationToken ct) =>
        (kind == ItemKind.Course
            ? await assignments.AddAsync([userId], itemId, null, source, actor, ct)
            : await paths.AddAsync([userId], itemId, null, source, actor, ct)).Single();

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
