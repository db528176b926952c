using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Enrolment.Model;

public enum RequestStatus { Pending, Approved, Declined, Cancelled }

/// <summary>What a request (or a self-enrolment) is for.</summary>
public enum ItemKind { Course, LearningPath }

public static class ItemKinds
{
    /// <summary>The catalogue's name of the kind, as events and addresses spell it.</summary>
    public static string Wire(this ItemKind kind) => kind == ItemKind.Course ? "course" : "learning-path";
}

/// <summary>Who decides a request: the person's manager, or an administrator (a training manager, anyone who manages enrolments).</summary>
public enum RequestApproval { Manager, Administrator }

/// <summary>
/// A person's request for a place on a course or learning path that needs approval: pending until their manager (as they were when
/// they asked) or an administrator approves it, which enrols them, or declines it with a reason; or until they cancel
/// it. One pending request per person and course. Each step is announced for notification (the approver hears of a
/// request, the person of the decision). Decided requests are kept: they are why a self-enrolment exists.
/// </summary>
public sealed class EnrolmentRequest : Aggregate
{
    private EnrolmentRequest() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public ItemKind Kind { get; private set; }
    /// <summary>The course or learning path (<see cref="Kind"/>) asked for.</summary>
    public Guid ItemId { get; private set; }
    public RequestApproval Approval { get; private set; }
    /// <summary>The manager who decides a <see cref="RequestApproval.Manager"/> request (the person's manager when they asked).</summary>
    public Guid? ApproverId { get; private set; }
    public string? Note { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public RequestStatus Status { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public Guid? DecidedById { get; private set; }
    public string? DecidedByName { get; private set; }
    public string? DecisionReason { get; private set; }
    /// <summary>The enrolment an approval made (the course's, or the path's).</summary>
    public Guid? EnrolmentId { get; private set; }
    /// <summary>PostgreSQL's xmin: two approvers deciding at once cannot both win.</summary>
    public uint RowVersion { get; private set; }

    /// <summary>
    /// A request by <paramref name="userId"/>. A manager's approval with no manager to give it goes to the
    /// administrators instead (a new starter without a manager is not stuck).
    /// </summary>
    public static EnrolmentRequest Submit(Guid userId, ItemKind kind, Guid itemId, RequestApproval approval, Guid? managerId, string? note, DateTimeOffset now)
    {
        if (note is { Length: > 300 }) throw DomainRuleException.Invalid("note", "must be at most 300 characters");
        if (approval == RequestApproval.Manager && managerId is null) approval = RequestApproval.Administrator;
        var request = new EnrolmentRequest
        {
            Id = Guid.CreateVersion7(now), UserId = userId, Kind = kind, ItemId = itemId, Approval = approval,
            ApproverId = approval == RequestApproval.Manager ? managerId : null, Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            RequestedAt = now, Status = RequestStatus.Pending,
        };
        request.Record(new EnrolmentRequested(request.Id, userId, kind.Wire(), itemId, approval.ToString().ToLowerInvariant(), request.ApproverId, request.Note, now));
        return request;
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may decide it: an administrator (<paramref name="managesEnrolments"/>) always,
    /// the named manager a manager's request. Nobody decides their own.
    /// </summary>
    public bool MayBeDecidedBy(EnrolmentActor actor, bool managesEnrolments) =>
        actor.Id != UserId && (managesEnrolments || (Approval == RequestApproval.Manager && actor.Id is { } id && id == ApproverId));

    public void Approve(EnrolmentActor actor, string? reason, Guid enrolmentId, DateTimeOffset now) =>
        Decide(RequestStatus.Approved, actor, reason, enrolmentId, now);

    public void Decline(EnrolmentActor actor, string? reason, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(reason)) throw DomainRuleException.Invalid("reason", "is required: the person is told why");
        Decide(RequestStatus.Declined, actor, reason, null, now);
    }

    /// <summary>Withdrawn by the person who asked (or settled because they were enrolled another way, with that reason).</summary>
    public void Cancel(EnrolmentActor actor, string? reason, DateTimeOffset now) => Decide(RequestStatus.Cancelled, actor, reason, null, now);

    private void Decide(RequestStatus decision, EnrolmentActor actor, string? reason, Guid? enrolmentId, DateTimeOffset now)
    {
        if (Status != RequestStatus.Pending) throw new DomainRuleException("status", $"The request was {Status.ToString().ToLowerInvariant()} already.");
        if (reason is { Length: > 500 }) throw DomainRuleException.Invalid("reason", "must be at most 500 characters");
        (Status, DecidedAt, DecidedById, DecidedByName, DecisionReason, EnrolmentId) =
            (decision, now, actor.Id, actor.Name, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), enrolmentId);
        Record(new EnrolmentRequestDecided(Id, UserId, Kind.Wire(), ItemId, decision.ToString(), actor.Id, DecisionReason, enrolmentId, now));
    }
}
