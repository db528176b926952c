namespace LmsPlatform.Analytics.Model;

/// <summary>A metric as people read it beside the number: its name and exactly what it counts.</summary>
public sealed record MetricDefinition(string Key, string Name, string Definition);

/// <summary>
/// Every metric the reports and dashboards show, defined once. The words here are printed beside the numbers (in the
/// portal, the exports and the audit pack); the rules they describe are <see cref="AssignmentAt"/>'s, which every
/// report is built from, so two reports cannot count the same thing two ways.
/// </summary>
public static class Metrics
{
    /// <summary>Who and what any report counts (its inclusion rules).</summary>
    public static readonly MetricDefinition Population = new("population", "Counted",
        "Assignments in effect on the report date: recorded in the ledger as in effect by then (assigned, or a completion recorded for an " +
        "earlier day, which counts from that day) and not withdrawn by then, to a course not archived by then, " +
        "of people whose account was active on the report date (deactivated and suspended people are left out; erased people always). " +
        "A person is placed where they sat on the report date: the org unit and manager they had then (a later move does not carry " +
        "their past assignments with them), and a manager's people, direct and indirect, are those who reported to them then. " +
        "Moves and status changes made before they were logged (December 2026) are taken as they are now.");

    public static readonly MetricDefinition Assigned = new("assigned", "Assigned",
        "Assignments counted on the date: not started + in progress + completed + paused.");
    public static readonly MetricDefinition NotStarted = new("notStarted", "Not started", "Assigned, with no progress recorded by the date.");
    public static readonly MetricDefinition InProgress = new("inProgress", "In progress", "Started and not finished by the date.");
    public static readonly MetricDefinition Completed = new("completed", "Completed",
        "Completed, or waived (exempted, which counts as done), by the date. A completion undone by a reset (a failed attempt, a " +
        "recertification) no longer counts from the reset.");
    public static readonly MetricDefinition Paused = new("paused", "Paused", "Suspended on the date (leave, a paused audience): never overdue.");
    public static readonly MetricDefinition Overdue = new("overdue", "Overdue",
        "Not started or in progress on the date, with a due date before it. Paused, completed and withdrawn assignments are never overdue.");
    public static readonly MetricDefinition CompletionRate = new("completionRate", "Completion rate", "Completed ÷ assigned (no rate when nothing is assigned).");
    public static readonly MetricDefinition Required = new("required", "Required", "Assignments counted on the date that have a due date (mandatory training).");
    public static readonly MetricDefinition Compliant = new("compliant", "Compliant",
        "Required assignments that are not overdue on the date. A person is compliant when none of their required assignments is overdue; " +
        "a lapsed certification is an overdue renewal, so it counts here too.");
    public static readonly MetricDefinition ComplianceRate = new("complianceRate", "Compliance rate", "Compliant ÷ required (no rate when nothing is required).");
    public static readonly MetricDefinition Certified = new("certified", "Certified",
        "People whose certification for the course is valid on the date (certified on or before it, expiring after it).");
    public static readonly MetricDefinition CertificationExpiring = new("expiring", "Certification expiring",
        "Valid certifications that expire within the next 30, 60 or 90 days after the date, with no later renewal already achieved.");

    public static readonly MetricDefinition Started = new("started", "Started",
        "Assignments counted on the date with progress recorded by then (in progress, completed, or paused after starting). " +
        "A waiver is not a start, and a reset starts the count again.");
    public static readonly MetricDefinition TimeToComplete = new("timeToComplete", "Time to complete",
        "Days from assignment to completion, for the completions counted on the date (not waivers, which nobody completed): " +
        "their average, and how many took at most 7, 30 and 90 days. A completion dated before its assignment (history brought in " +
        "from another system) has no time to complete and is left out.");

    /// <summary>A trend's population: the same people and courses as <see cref="Population"/>, over a period rather than on a date.</summary>
    public static readonly MetricDefinition PeriodPopulation = new("periodPopulation", "Counted (periods)",
        "Ledger entries with an effective date in the period (a completion recorded today for last week counts in last week), " +
        "of people whose account is active now, on courses not archived by the end of the trend. Weeks start on Monday, months on the 1st (UTC); " +
        "the last period ends at the trend's end.");
    public static readonly MetricDefinition NewAssignments = new("newAssignments", "New assignments", "Assignments made in the period.");
    public static readonly MetricDefinition Completions = new("completions", "Completions",
        "Completions and waivers in the period. A completion later undone by a reset still counts in its period: it happened.");
    public static readonly MetricDefinition ActiveLearners = new("activeLearners", "Active learners",
        "People who started or completed an assignment in the period, each counted once.");

    public static readonly MetricDefinition SignedIn = new("signedIn", "Signed in",
        "People counted (active accounts the report covers) who signed in at least once in the 30 days up to the date.");

    /// <summary>Who the provisioning health report's people figures count, and what each says about them.</summary>
    public static readonly MetricDefinition ProvisionedPeople = new("provisionedPeople", "People",
        "Accounts active now that the report covers (deactivated and erased accounts are left out), however they were provisioned: " +
        "by an HR import, SCIM, single sign-on or by hand. A person is placed where they sat at the end of the range (org unit, manager).");
    public static readonly MetricDefinition WithoutOrgUnit = new("withoutOrgUnit", "No department", "People with no org unit: no department report or department administrator reaches them.");
    public static readonly MetricDefinition WithoutManager = new("withoutManager", "No manager", "People with no manager: nobody is told when their training is overdue.");
    public static readonly MetricDefinition WithoutEmail = new("withoutEmail", "No email", "People with no email address (SCIM needs only a user name): they receive no notification.");
    public static readonly MetricDefinition NeverSignedIn = new("neverSignedIn", "Never signed in",
        "People with no sign-in recorded since sign-ins were first counted: provisioned, but never on the platform.");
    public static readonly MetricDefinition ImportRuns = new("importRuns", "Imports",
        "HR imports of people or departments that ended in the period: applied, failed (the file could not be read, or the import broke off) " +
        "or refused (it would have deactivated more than the safety threshold, unconfirmed). A dry run that planned is not counted. Imports are the whole " +
        "organisation's, so only a report covering everyone shows them.");
    public static readonly MetricDefinition ImportRows = new("importRows", "Rows applied",
        "The people or departments the applied imports of the period created, updated (including moves) and deactivated, and the rows they left out for errors.");

    /// <summary>Who and which emails the delivery report counts.</summary>
    public static readonly MetricDefinition EmailPopulation = new("emailPopulation", "Emails counted",
        "Emails whose delivery had its outcome in the period (sent, bounced or given up), to people whose account is active now and " +
        "whom the report covers. An email sent again after a failure counts once, at its latest outcome. Mail still being retried has no " +
        "outcome yet, and mail to an address that is nobody's account is only in the delivery log.");
    public static readonly MetricDefinition EmailsSent = new("emailsSent", "Sent", "The mail relay accepted the email. Whether it reached the inbox is the recipient's mail server's to say.");
    public static readonly MetricDefinition EmailsBounced = new("emailsBounced", "Bounced", "The mail relay refused the email for good (no such mailbox, say).");
    public static readonly MetricDefinition EmailsGaveUp = new("emailsGaveUp", "Given up", "The email could not be handed to the mail relay in two days of retries.");
    public static readonly MetricDefinition DeliveryRate = new("deliveryRate", "Delivery rate", "Sent ÷ (sent + bounced + given up); no rate when there were no emails.");
    public static readonly MetricDefinition EmailsRetried = new("emailsRetried", "Needed retries", "Emails whose outcome took more than one attempt (the relay was away or answered 'try later').");

    public static IReadOnlyList<MetricDefinition> All { get; } =
        [Population, Assigned, NotStarted, InProgress, Completed, Paused, Overdue, CompletionRate, Required, Compliant, ComplianceRate, Certified, CertificationExpiring,
         Started, TimeToComplete, SignedIn, ProvisionedPeople, WithoutOrgUnit, WithoutManager, WithoutEmail, NeverSignedIn, ImportRuns, ImportRows,
         PeriodPopulation, NewAssignments, Completions, ActiveLearners, EmailPopulation, EmailsSent, EmailsBounced, EmailsGaveUp, DeliveryRate, EmailsRetried];

    /// <summary>The rate as reports show it: a fraction rounded to 4 places, or null when there is nothing to divide.</summary>
    public static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round(part / (double)whole, 4);
}

/// <summary>
/// One counted assignment on a report date, classified by the metric rules. Reports group and count these rows, and
/// never test a status themselves.
/// </summary>
public sealed class AssignmentAt
{
    public Guid EnrolmentId { get; init; }
    public Guid UserId { get; init; }
    public Guid CourseId { get; init; }
    public Guid? OrgUnitId { get; init; }
    public Guid? ManagerId { get; init; }
    public Guid? CategoryId { get; init; }
    public AssignmentStatus Status { get; init; }
    public DateTimeOffset AssignedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public bool NotStarted { get; init; }
    public bool InProgress { get; init; }
    public bool Completed { get; init; }
    public bool Paused { get; init; }
    public bool Overdue { get; init; }
    public bool Required { get; init; }
    /// <summary>Progress recorded by the date (<see cref="Metrics.Started"/>).</summary>
    public bool Started { get; init; }
    /// <summary>A completion with a time to complete (<see cref="Metrics.TimeToComplete"/>): completed, not waived, not dated before its assignment.</summary>
    public bool Timed { get; init; }
}
