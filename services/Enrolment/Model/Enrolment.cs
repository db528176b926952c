using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Enrolment.Model;

/// <summary>Enrolment's copy of a user, kept from identity's events (see <see cref="PersonCopy"/>).</summary>
public sealed class Learner : PersonCopy;

public enum EnrolmentStatus { Enrolled, InProgress, Completed, Withdrawn }

public sealed class CourseEnrolment
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public EnrolmentStatus Status { get; set; }
    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
}
