namespace LmsPlatform.Analytics.Model;

/// <summary>
/// One change of a person's membership of an audience, copied from enrolment's events: the log a report "by audience"
/// reads. A person is a member on a date when their latest change by then is not <see cref="Left"/> (joining, the grace
/// period before leaving, and staying all keep them in), so the answer does not depend on the order the events arrive in.
/// </summary>
public sealed class AudienceChange
{
    public const string Left = "Left";

    public long Id { get; set; }
    public Guid AudienceId { get; set; }
    public Guid UserId { get; set; }
    public string Change { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

/// <summary>One sign-in, copied from identity's events: who was on the platform when, for the active-people figures.</summary>
public sealed class SignIn
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset At { get; set; }
}
