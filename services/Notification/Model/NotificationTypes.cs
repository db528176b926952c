namespace LmsPlatform.Notification.Model;

/// <summary>
/// A kind of message the platform sends: who gets it, whether a person may turn it off, on which channels it goes
/// unless they choose otherwise, its built-in template (Liquid, in English) and the sample data its preview and the
/// check of an edited template render with. Every variable a template may use is in <see cref="Sample"/>.
/// </summary>
public sealed record NotificationType(
    string Key,
    string Title,
    string Description,
    string Recipient,
    bool Mandatory,
    Channels DefaultChannels,
    string Subject,
    string Text,
    IReadOnlyDictionary<string, object?> Sample,
    bool Sensitive = false)
{
    /// <summary>May wait: bundled into the digest when the person takes one, in their quiet hours, or past the day's budget.</summary>
    public bool Digestible { get; init; }

    /// <summary>The channels a type can go on at all (an invitation cannot wait in an inbox its recipient cannot open yet).</summary>
    public Channels Possible { get; init; } = Channels.InApp | Channels.Email;
}

public static class NotificationTypes
{
    public const string Welcome = "account-welcome";
    public const string Invitation = "account-invitation";
    public const string PasswordReset = "account-password-reset";
    public const string Assigned = "enrolment-assigned";
    public const string Overdue = "enrolment-overdue";
    public const string CertificationWindowOpened = "certification-window-opened";
    public const string CertificationExpiring = "certification-expiring";
    public const string CertificationExpired = "certification-expired";
    public const string CertificateIssued = "certificate-issued";
    public const string ApprovalRequested = "approval-requested";
    public const string ApprovalDecided = "approval-decided";
    public const string Reminder = "enrolment-reminder";
    public const string Escalation = "enrolment-escalation";
    public const string Digest = "digest";
    public const string ScheduledReport = "report-scheduled";

    private static readonly Dictionary<string, object?> Person = new()
    {
        ["given_name"] = "Ada", ["family_name"] = "Lovelace", ["display_name"] = "Ada Lovelace",
    };

    private static Dictionary<string, object?> Sample(params (string Key, object? Value)[] values)
    {
        var sample = new Dictionary<string, object?> { ["person"] = Person, ["portal_url"] = "https://learning.example.com", ["organisation"] = "Example Rail" };
        foreach (var (key, value) in values) sample[key] = value;
        return sample;
    }

    private static Dictionary<string, object?> ReportLine(string name) => new()
    {
        ["name"] = name, ["assigned"] = 120, ["completed"] = 90, ["overdue"] = 6, ["required"] = 120, ["compliant"] = 110,
        ["completion_rate"] = "75.0%", ["compliance_rate"] = "91.7%",
    };

    private static Dictionary<string, object?> Course(string title = "Fire safety 2027") => new() { ["title"] = title, ["code"] = "FS-101", ["link"] = "https://learning.example.com/catalogue/courses/0193a5b0-0000-7000-8000-000000000001" };

    public static readonly IReadOnlyList<NotificationType> All =
    [
        new(Welcome, "Welcome", "When a person's account is created.", "The new person", false, Channels.InApp,
            "Welcome to learning",
            "Hello {{ person.given_name }}, your learning account is ready.",
            Sample()),
        new(Invitation, "Invitation", "An administrator invited a person to choose a password.", "The invited person", true, Channels.Email,
            "You are invited to learning",
            """
            Hello {{ person.given_name }},

            {{ invited_by }} invited you to learning at {{ organisation }}. Choose your password here:

            {{ link }}

            The link works once, until {{ expires_at }}.
            """,
            Sample(("invited_by", "Grace Hopper"), ("link", "https://learning.example.com/account/set-password?token=sample"), ("expires_at", "7 January 2027 09:00")),
            Sensitive: true) { Possible = Channels.Email },
        new(PasswordReset, "Password reset", "A person asked to reset their password.", "The person", true, Channels.Email,
            "Reset your password",
            """
            Hello {{ person.given_name }},

            Choose a new password here (the link works once, until {{ expires_at }}):

            {{ link }}

            If you did not ask for it, ignore this message: your password stays as it is.
            """,
            Sample(("link", "https://learning.example.com/account/reset-password?token=sample"), ("expires_at", "09:30")),
            Sensitive: true) { Possible = Channels.Email },
        new(Assigned, "Assignment", "A course was assigned to a person (not when they enrolled themselves).", "The learner", false, Channels.InApp | Channels.Email,
            "New learning: {{ course.title }}",
            """
            Hello {{ person.given_name }},

            You have been assigned {{ course.title }}.{% if due_date %} Please complete it by {{ due_date }}.{% endif %}

            Start here: {{ course.link }}
            """,
            Sample(("course", Course()), ("due_date", "31 January 2027"))) { Digestible = true },
        new(Overdue, "Overdue", "An assigned course passed its due date unfinished.", "The learner", false, Channels.InApp | Channels.Email,
            "Overdue: {{ course.title }}",
            """
            Hello {{ person.given_name }},

            {{ course.title }} was due on {{ due_date }} and is not finished yet. Please complete it as soon as you can.

            Continue here: {{ course.link }}
            """,
            Sample(("course", Course()), ("due_date", "31 January 2027"))) { Digestible = true },
        new(Reminder, "Reminder", "An assigned course's due date is near (the days before come from the reminder policy).", "The learner", false,
            Channels.InApp | Channels.Email,
            "Reminder: {{ course.title }} is due {{ due_in }}",
            """
            Hello {{ person.given_name }},

            {{ course.title }} is due on {{ due_date }} ({{ due_in }}) and is not finished yet.

            Continue here: {{ course.link }}
            """,
            Sample(("course", Course()), ("due_date", "31 January 2027"), ("due_in", "in 7 days"))) { Digestible = true },
        new(Escalation, "Overdue in your team", "Someone's assigned course is overdue past the policy's days: their manager, then the manager's manager, hear of it.",
            "The person's manager (and theirs)", false, Channels.InApp | Channels.Email,
            "Overdue in your team: {{ learner.display_name }}, {{ course.title }}",
            """
            Hello {{ person.given_name }},

            {{ learner.display_name }} has not finished {{ course.title }}, which was due on {{ due_date }} ({{ days_overdue }} days ago).{% if second_level %} You are told as {{ manager.display_name }}'s manager.{% endif %}

            See your team: {{ team_link }}
            """,
            Sample(("course", Course()), ("due_date", "31 January 2027"), ("days_overdue", 3), ("learner", new Dictionary<string, object?> { ["display_name"] = "Alan Turing" }),
                ("manager", new Dictionary<string, object?> { ["display_name"] = "Grace Hopper" }), ("second_level", false),
                ("team_link", "https://learning.example.com/team"))) { Digestible = true },
        new(ScheduledReport, "Scheduled report", "A report someone scheduled for the person ran (daily, weekly or monthly).", "The schedule's recipients", false,
            Channels.Email,
            "{{ report_name }}: {{ report_title }} as of {{ as_of }}",
            """
            Hello {{ person.given_name }},

            {{ owner }} scheduled this report for you: the {{ report_title }} report for {{ scope }}, as of {{ as_of }}.
            {% for line in lines %}
            - {{ line.name }}: {{ line.assigned }} assigned, {{ line.completed }} completed ({{ line.completion_rate }}), {{ line.overdue }} overdue{% if line.required > 0 %}; {{ line.compliant }} of {{ line.required }} required compliant ({{ line.compliance_rate }}){% endif %}
            {% endfor %}{% if more > 0 %}
            …and {{ more }} more in the portal.{% endif %}

            In all: {{ total.assigned }} assigned, {{ total.completed }} completed ({{ total.completion_rate }}), {{ total.overdue }} overdue; {{ total.compliant }} of {{ total.required }} required compliant ({{ total.compliance_rate }}).

            See it in the portal, with what each figure counts: {{ link }}
            """,
            Sample(("report_name", "Monday compliance"), ("report_title", "compliance"), ("scope", "Warehouse North"), ("owner", "Grace Hopper"),
                ("as_of", "7 December 2026 06:00 UTC"), ("more", 0), ("link", "https://learning.example.com/reports/compliance"),
                ("lines", new List<object?> { ReportLine("Fire safety 2027") }), ("total", ReportLine("Total")))) { Possible = Channels.Email | Channels.InApp },
        new(Digest, "Digest", "The messages that waited (for a digest, quiet hours or the day's limit), in one mail.", "The person", false, Channels.Email,
            "{{ count }} learning updates",
            """
            Hello {{ person.given_name }},

            Here is what happened since your last update:
            {% for item in items %}
            - {{ item.subject }}{% if item.link %}: {{ item.link }}{% endif %}
            {% endfor %}
            """,
            Sample(("count", 2), ("items", new List<object?>
            {
                new Dictionary<string, object?> { ["subject"] = "Reminder: Fire safety 2027 is due in 7 days", ["text"] = "…", ["link"] = "https://learning.example.com/catalogue/courses/1" },
                new Dictionary<string, object?> { ["subject"] = "New learning: First aid", ["text"] = "…", ["link"] = "https://learning.example.com/catalogue/courses/2" },
            }))) { Possible = Channels.Email },
        new(CertificationWindowOpened, "Recertification due", "A certification's renewal window opened.", "The certified person", true, Channels.InApp | Channels.Email,
            "Time to renew: {{ course.title }}",
            """
            Hello {{ person.given_name }},

            Your certification for {{ course.title }} expires on {{ expires_at }}. To keep it, complete {{ renewal.title }} before then.

            Renew here: {{ renewal.link }}
            """,
            Sample(("course", Course()), ("renewal", Course("Fire safety refresher")), ("expires_at", "31 March 2027"))),
        new(CertificationExpiring, "Certification expiring", "A certification runs out soon and its renewal is not finished (the days before come from the reminder policy).",
            "The certified person", false, Channels.InApp | Channels.Email,
            "Your {{ course.title }} certification expires {{ due_in }}",
            """
            Hello {{ person.given_name }},

            Your certification for {{ course.title }} expires on {{ expires_at }} ({{ due_in }}). To keep it, finish {{ renewal.title }} before then.

            Renew here: {{ renewal.link }}
            """,
            Sample(("course", Course()), ("renewal", Course("Fire safety refresher")), ("expires_at", "31 March 2027"), ("due_in", "in 7 days"))) { Digestible = true },
        new(CertificationExpired, "Certification expired", "A certification ran out without a renewal.", "The person", true, Channels.InApp | Channels.Email,
            "Expired: {{ course.title }}",
            """
            Hello {{ person.given_name }},

            Your certification for {{ course.title }} expired on {{ expired_at }}. Complete the renewal to be certified again.

            {{ course.link }}
            """,
            Sample(("course", Course()), ("expired_at", "31 March 2027"))),
        new(CertificateIssued, "Certificate issued", "A completion earned a certificate.", "The learner", false, Channels.InApp | Channels.Email,
            "Your certificate: {{ course.title }}",
            """
            Well done, {{ person.given_name }}!

            You completed {{ course.title }} on {{ completed_at }}.{% if expires_at %} Your certificate is valid until {{ expires_at }}.{% endif %}

            Anyone can check it here: {{ verify_link }}
            """,
            Sample(("course", Course()), ("completed_at", "12 January 2027"), ("expires_at", "12 January 2029"),
                ("verify_link", "https://learning.example.com/verify/0193a5b0-0000-7000-8000-000000000002"))),
        new(ApprovalRequested, "Approval requested", "A person asked for a place that needs their manager's approval.", "The approver", false, Channels.InApp | Channels.Email,
            "{{ requester.display_name }} asks to join {{ item.title }}",
            """
            Hello {{ person.given_name }},

            {{ requester.display_name }} asks for a place on {{ item.title }}.{% if note %} Their note: "{{ note }}"{% endif %}

            Decide here: {{ link }}
            """,
            Sample(("requester", new Dictionary<string, object?> { ["display_name"] = "Alan Turing" }), ("item", Course()), ("note", "For the Q1 audit"),
                ("link", "https://learning.example.com/approvals/0193a5b0-0000-7000-8000-000000000003"))),
        new(ApprovalDecided, "Approval decided", "A person's request for a place was approved or declined.", "The person who asked", false, Channels.InApp | Channels.Email,
            "{% if approved %}Approved{% else %}Not approved{% endif %}: {{ item.title }}",
            """
            Hello {{ person.given_name }},

            {% if approved %}Your request for {{ item.title }} was approved. Start here: {{ item.link }}{% else %}Your request for {{ item.title }} was not approved.{% if reason %} The reason given: "{{ reason }}"{% endif %}{% endif %}
            """,
            Sample(("item", Course()), ("approved", true), ("reason", "The course is full this quarter"))),
    ];

    private static readonly Dictionary<string, NotificationType> ByKey = All.ToDictionary(t => t.Key, StringComparer.Ordinal);

    public static NotificationType? Find(string key) => ByKey.GetValueOrDefault(key);

    public static NotificationType Get(string key) => ByKey[key];
}
