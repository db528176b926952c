using LmsPlatform.Contracts.Catalogue;

namespace LmsPlatform.Portal.Services;

// The parts of the APIs' answers the portal shows. The portal reads JSON; it shares no types with the services beyond
// the published contracts, so a service may add fields without breaking it.

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long TotalCount)
{
    public int PageCount => PageSize <= 0 ? 0 : (int)((TotalCount + PageSize - 1) / PageSize);
}

public sealed record Me(UserView User, string[] Roles, string[] ScopedRoles, string[] Permissions);

/// <summary>An enrolment as administrators see it; the person's name comes with lists.</summary>
public sealed record EnrolmentView(Guid Id, Guid UserId, Guid CourseId, int Version, string Status, bool Overdue, DateTimeOffset EnrolledAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, DateTimeOffset? DueAt, string Source, string? SourceReference, DateTimeOffset? AsOf,
    string? LearnerName)
{
    public string Describe => EnrolmentWords.Describe(Status, Overdue);
}

/// <summary>An enrolment's status in the words learners and administrators read, overdue said first.</summary>
public static class EnrolmentWords
{
    public static string Describe(string status, bool overdue) => status switch
    {
        "Enrolled" or "InProgress" when overdue => "Overdue",
        "Enrolled" => "Not started",
        "InProgress" => "In progress",
        "Waived" => "Not required (waived)",
        "Suspended" => "Paused",
        _ => status,
    };
}

/// <summary>Enrolment's copy of a person.</summary>
public sealed record LearnerView(Guid UserId, string Email, string DisplayName, string Status, Guid? OrgUnitId, Guid? ManagerId, string? JobTitle, bool Erased);

/// <summary>One row of an enrolment's ledger.</summary>
public sealed record LedgerEntryView(int Sequence, string Action, DateTimeOffset At, DateTimeOffset RecordedAt, Guid? ActorId, string ActorName,
    string? Reason, int? Version, DateTimeOffset? DueAt, string? Source, string? SourceReference);

/// <summary>One of the signed-in person's enrolments ("my learning").</summary>
public sealed record MyEnrolment(Guid Id, Guid CourseId, string Code, string Title, int Version, string Status, bool Overdue,
    DateTimeOffset EnrolledAt, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt)
{
    public bool Open => Status is "Enrolled" or "InProgress";

    public string Describe => EnrolmentWords.Describe(Status, Overdue);
}

/// <summary>
/// What the signed-in person may do about a course: State is enrolled, requested, prerequisites (lacking the ones
/// named), available or closed; Policy is the course's self-enrolment policy.
/// </summary>
public sealed record SelfEnrolmentView(string Kind, Guid ItemId, string Code, string Title, string Policy, string State, Guid? EnrolmentId, string? EnrolmentStatus,
    EnrolmentRequestView? Request, string[] MissingPrerequisites);

/// <summary>A request for a place on a course or learning path that needs approval.</summary>
public sealed record EnrolmentRequestView(Guid Id, Guid UserId, string? LearnerName, string Kind, Guid ItemId, string? Code, string? Title, string Approval,
    string Status, string? Note, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt, string? DecidedBy, string? Reason, Guid? EnrolmentId)
{
    /// <summary>What the request is for, in words: "course" or "learning path".</summary>
    public string ItemKind => Kind == "learning-path" ? "learning path" : "course";

    /// <summary>Its state in the words of the person who asked.</summary>
    public string Describe => Status switch
    {
        "Pending" => Approval == "Manager" ? "Waiting for your manager" : "Waiting for a training manager",
        "Approved" => $"Approved{(DecidedBy is null ? "" : $" by {DecidedBy}")}",
        "Declined" => $"Declined{(DecidedBy is null ? "" : $" by {DecidedBy}")}",
        _ => Status,
    };

    /// <summary>The item's page in the catalogue.</summary>
    public string Href => $"catalogue/{(Kind == "course" ? "courses" : "paths")}/{ItemId}";

    /// <summary>Who decides it, in an approver's words.</summary>
    public string Decider => Approval == "Manager" ? "Manager" : "Training manager";
}

/// <summary>One of a person's learning paths and how far they are by its rule.</summary>
public sealed record PathEnrolmentView(Guid Id, Guid UserId, string? LearnerName, Guid PathId, string? Code, string? Title, int Version, string Status,
    bool Overdue, DateTimeOffset EnrolledAt, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, int RequiredDone, int Required, int OptionalDone,
    int OptionalNeeded)
{
    /// <summary>How far, in words: "2 of 3 required courses, 1 of 2 optional ones".</summary>
    public string Describe => Status == "Completed"
        ? $"Completed{(CompletedAt is { } at ? $" on {Format.Date(at)}" : "")}"
        : $"{RequiredDone} of {Required} required courses" + (OptionalNeeded > 0 ? $", {Math.Min(OptionalDone, OptionalNeeded)} of {OptionalNeeded} optional ones" : "");

    /// <summary>The share of the rule met, for a progress bar.</summary>
    public int Percent => Required + OptionalNeeded == 0 ? 100 : 100 * (RequiredDone + Math.Min(OptionalDone, OptionalNeeded)) / (Required + OptionalNeeded);
}

/// <summary>A certificate of a completion, with its public verification address.</summary>
public sealed record CertificateView(Guid Id, Guid UserId, string HolderName, Guid CourseId, string ItemCode, string ItemTitle, int Version,
    DateTimeOffset CompletedAt, DateTimeOffset? ExpiresAt, DateTimeOffset IssuedAt, bool Expired, string VerificationUrl);

/// <summary>What a certificate's public verification says.</summary>
public sealed record CertificateVerificationView(Guid CertificateId, string Status, string? Holder, string Item, DateTimeOffset CompletedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset IssuedAt, string Issuer);

/// <summary>A person's certification on a course: Certified, WindowOpen (renew by the expiry) or Expired.</summary>
public sealed record CertificationView(Guid Id, Guid UserId, string? LearnerName, Guid CourseId, string? CourseCode, string? CourseTitle, string Status,
    int Cycle, DateTimeOffset CertifiedAt, DateTimeOffset ExpiresAt, DateTimeOffset WindowOpensAt, Guid? RenewalCourseId, Guid? RenewalEnrolmentId)
{
    /// <summary>In words, with the date that matters.</summary>
    public string Describe => Status switch
    {
        "Certified" => $"Certified until {Format.Date(ExpiresAt)}",
        "WindowOpen" => $"Renew by {Format.Date(ExpiresAt)}",
        "Expired" => $"Expired on {Format.Date(ExpiresAt)}",
        _ => Status,
    };
}

public sealed record CertificationChangeView(int Cycle, string Change, DateTimeOffset At, DateTimeOffset RecordedAt, DateTimeOffset ExpiresAt, Guid? EnrolmentId, string Detail);

public sealed record CertificationDetailView(CertificationView Certification, List<CertificationChangeView> History);

/// <summary>One of a manager's people and where they stand.</summary>
public sealed record TeamMemberView(Guid UserId, string DisplayName, string? JobTitle, bool Direct, int Open, int Overdue, int Completed,
    int CertificationsExpiring, int CertificationsExpired);

public sealed record UserView(
    Guid Id, string? Email, string GivenName, string FamilyName, string? ExternalId, string? JobTitle, string? Location,
    DateOnly? HireDate, Guid? ManagerId, Guid? OrgUnitId, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignInAt, bool LockedOut, DateTimeOffset? InvitedAt, string? InvitedBy, string UserName)
{
    /// <summary>The person's name; a record without one (SCIM needs only a user name) shows its user name.</summary>
    public string Name => $"{GivenName} {FamilyName}".Trim() is { Length: > 0 } name ? name : UserName;
}

public sealed record OrgUnitView(Guid Id, string Name, string? ExternalId, Guid? ParentId, Guid[] Path, bool Active, DateTimeOffset UpdatedAt);

public sealed record SearchHit(
    Guid Id, string Kind, string Code, int Version, string Title, string? Summary, Guid? CategoryId, string[] Tags,
    string Language, string DeliveryType, int DurationMinutes, DateTimeOffset PublishedAt);

public sealed record FacetValue(string Value, string? Label, long Count);

public sealed record SearchFacets(
    FacetValue[] Categories, FacetValue[] Tags, FacetValue[] Languages, FacetValue[] DeliveryTypes, FacetValue[] Kinds, FacetValue[] Durations);

public sealed record SearchResults(SearchHit[] Items, int PageNumber, int PageSize, long TotalCount, SearchFacets Facets)
{
    public int PageCount => PageSize <= 0 ? 0 : (int)((TotalCount + PageSize - 1) / PageSize);
}

public sealed record CategoryRef(Guid Id, string Name);

public sealed record ItemRef(Guid Id, string Kind, string Code, string? Title);

public sealed record ActivityView(Guid Id, string Kind, string Title, Guid? ContentItemId, string? Url, int? DurationMinutes, bool Required);

public sealed record SectionView(Guid Id, string Title, ActivityView[] Activities);

public sealed record VisibilityView(bool Everyone, Guid[] OrgUnitIds);

public sealed record CourseView(
    Guid Id, string Code, string Status, int? Version, bool IsDraft, string Title, string? Summary, string? Description, string? DescriptionHtml,
    CategoryRef? Category, string[] Tags, string Language, string DeliveryType, int DurationMinutes, SectionView[] Sections,
    ComplianceSettings Compliance, VisibilityView Visibility, ItemRef[] Prerequisites, Guid? ReplacedByCourseId,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, string SelfEnrolment = "closed");

public sealed record PathCourseView(Guid CourseId, int Position, bool Required, string? Code, string? Title, string? Status);

public sealed record LearningPathView(
    Guid Id, string Code, string Status, int? Version, bool IsDraft, string Title, string? Summary, string? Description, string? DescriptionHtml,
    CategoryRef? Category, string[] Tags, string Language, PathCourseView[] Courses, int OptionalToComplete, int DurationMinutes,
    ComplianceSettings Compliance, VisibilityView Visibility, ItemRef[] Prerequisites, DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt,
    string SelfEnrolment = "closed");

public sealed record CategoryView(Guid Id, string Name, Guid? ParentId, Guid[] Path);

public sealed record RoleAssignmentView(Guid Id, Guid UserId, string Role, Guid? ScopeOrgUnitId, DateTimeOffset CreatedAt, string? CreatedBy, string[] Permissions);

public sealed record ClientView(string ClientId, string DisplayName, string[] Permissions, bool Scim, DateTimeOffset CreatedAt, string? CreatedBy);

public sealed record LrsClientView(Guid Id, string Name, string Key, string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record CreatedLrsClientView(LrsClientView Client, string Secret, string Endpoint);

public sealed record CreatedClientView(string ClientId, string ClientSecret, string DisplayName, string[] Permissions, bool Scim);

public sealed record AuditEntryView(Guid Id, DateTimeOffset OccurredAt, string? ActorId, string ActorName, string Action, string EntityType,
    string EntityId, string? Before, string? After, string? IpAddress, string? TraceId);

public sealed record DuplicateCandidateView(string Reason, UserView[] Users);

public sealed record ItemSummary(Guid Id, string Code, string Title, string Status, int? PublishedVersion, bool HasDraft, Guid? OwnerOrgUnitId, Guid OwnerUserId, DateTimeOffset UpdatedAt);

public sealed record VersionSummary(int? Number, bool IsDraft, string Title, DateTimeOffset? PublishedAt, Guid? PublishedBy, DateTimeOffset UpdatedAt);

/// <summary>A CSV import of enrolments or of completions of the past.</summary>
public sealed record EnrolmentImportView(Guid Id, string Kind, string Status, string FileName, int TotalRows, int ProcessedRows, int ToEnrol, int ToComplete,
    int Unchanged, int ErrorRows, string? Message, DateTimeOffset CreatedAt, DateTimeOffset? PlannedAt, DateTimeOffset? CompletedAt, string CreatedBy)
{
    public bool Running => Status is "Queued" or "Planning" or "ApplyRequested" or "Applying";
    public string Holds => Kind == "enrolments" ? "enrolments" : "completions of the past";
}

/// <summary>A row an import refused.</summary>
public sealed record ImportErrorView(int Row, string? Column, string Reason);

public sealed record ImportJobView(Guid Id, string Kind, string Status, string FileName, bool DeactivateMissing, bool ConfirmDeactivations,
    int TotalRows, int ProcessedRows, int ErrorRows, int ToCreate, int ToUpdate, int ToMove, int ToDeactivate, int Unchanged,
    double DeactivationPercent, string? Message, PlannedChangeView[]? Preview, DateTimeOffset CreatedAt, DateTimeOffset? PlannedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string CreatedBy)
{
    /// <summary>Still moving: planning or applying, so the screen keeps following it.</summary>
    public bool Running => Status is "Queued" or "Planning" or "ApplyRequested" or "Applying";
}

public sealed record PlannedChangeView(int Row, string Kind, string ExternalId, Guid Id, string? Email, string[] Changed);

public sealed record AudienceSummaryView(Guid Id, string Name, string? Description, int Version, bool Paused, bool HasUnpublishedChanges, int Members,
    int Leaving, int SyncedVersion, DateTimeOffset UpdatedAt);

/// <summary>A course or learning path an audience assigns.</summary>
public sealed record AudienceItemView(Guid Id, string Code, string Title);

public sealed record AudienceVersionView(int Version, DateTimeOffset PublishedAt, string PublishedBy, bool Retroactive);

public sealed record AudienceView(Guid Id, string Name, string? Description, System.Text.Json.JsonElement DraftRule, System.Text.Json.JsonElement? Rule,
    AudienceItemView[] DraftCourses, AudienceItemView[] Courses, AudienceItemView[] DraftPaths, AudienceItemView[] Paths, int Version, bool Retroactive, bool Paused, string LeavePolicy, int GraceDays,
    int SafetyThresholdPercent, int SyncedVersion, DateTimeOffset? SyncedAt, int Members, int Leaving, bool HasUnpublishedChanges, AudienceVersionView[] Versions);

public sealed record PersonRefView(Guid UserId, string Name);

public sealed record AudiencePreviewView(int Members, int Matching, int Joining, int Staying, int Leaving, int NewAssignments, int LeavingAssignments,
    int LeavingInProgress, int AssignmentsLost, double RemovalPercent, int ThresholdPercent, bool ExceedsThreshold, string Summary,
    PersonRefView[] JoiningSample, PersonRefView[] LeavingSample);

public sealed record AudienceMemberView(Guid UserId, string Name, string Email, int Version, DateTimeOffset JoinedAt, DateTimeOffset? LeavingSince);

public sealed record RuleTraceView(int Depth, string Question, bool Result, string Detail);

public sealed record MembershipChangeView(Guid AudienceId, Guid UserId, string? Name, string Change, int Version, DateTimeOffset At, string? Detail);

public sealed record AudienceExplanationView(Guid UserId, string Name, bool Member, DateTimeOffset? MemberSince, DateTimeOffset? LeavingSince,
    bool MatchesPublished, RuleTraceView[] Published, bool MatchesDraft, RuleTraceView[] Draft, string? Excluded, MembershipChangeView[] History);

public sealed record PublishAudienceView(int Version, AudiencePreviewView? Preview);

/// <summary>A launched package activity (content's answer to a launch): see content's RuntimeApi.</summary>
public sealed record LaunchView(Guid AttemptId, int Attempt, string Standard, bool Review, string Title, string ItemId, string LaunchUrl, string CommitUrl,
    Dictionary<string, string> Data, LaunchActivityView[] Activities, string Completion, string Success, double? Score, bool Satisfied,
    DateTimeOffset ExpiresAt, string? MediaType = null, double Position = 0, int Percent = 0, string? ProblemUrl = null, int StartSeconds = 0)
{
    /// <summary>A package (SCORM), as opposed to a document or a media file.</summary>
    public bool IsPackage => Standard is "scorm12" or "scorm2004";

    public bool Completed => Completion == "completed";
}

public sealed record LaunchActivityView(string ItemId, string Title, bool IsSco, string Completion, string Success, double? Score);

public sealed record ScoStateView(string ItemId, string Title, string Completion, string Success, double? Score, string? Location, double Seconds,
    int Launches, DateTimeOffset? LastCommitAt, bool Satisfied = false, bool Waived = false);

public sealed record AttemptView(Guid Id, Guid EnrolmentId, Guid UserId, Guid CourseId, Guid ActivityId, Guid PackageId, string PackageTitle, int Number,
    string Completion, string Success, double? Score, bool Satisfied, double Seconds, int Commits, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? FinishedAt, ScoStateView[] Activities, int? Percent = null, string Kind = "scorm")
{
    /// <summary>The attempt's state in a learner's words.</summary>
    public string Describe => Progress.Describe(Completion, Success, Score) + (Percent is { } p && Completion != "completed" ? $" ({p}%)" : "");
}

/// <summary>Completion, success and score, as people read them.</summary>
public static class Progress
{
    public static string Describe(string completion, string success, double? score) =>
        (completion, success) switch
        {
            (_, "passed") => "Passed",
            (_, "failed") => "Failed",
            ("completed", _) => "Completed",
            ("incomplete", _) => "In progress",
            _ => "Not started",
        } + (score is { } s ? $" ({Math.Round(s * 100)}%)" : "");
}

public sealed record PackageActivityView(string ItemId, string Title, string Path, string? Query, bool IsSco, double? MasteryScore, double? CompletionThreshold);

/// <summary>An imported SCORM package (content's ContentPackageDto).</summary>
/// <summary>A package activity that failed to launch lately (<c>fileMissing</c> or <c>notStarted</c>).</summary>
public sealed record LaunchProblemView(Guid PackageId, string Package, string ItemId, string Activity, string Kind, string Detail, int Learners, DateTimeOffset LastAt);

public sealed record PackageView(Guid Id, string Title, string Standard, string? Edition, PackageActivityView[] Activities, string[] Warnings, int FileCount,
    long Bytes, string FileName, DateTimeOffset UploadedAt, string UploadedBy)
{
    public string DescribeStandard => Standard switch
    {
        "scorm12" => "SCORM 1.2",
        "cmi5" => "cmi5",
        _ => $"SCORM 2004{(Edition is { Length: > 0 } e ? $" ({e})" : "")}",
    };
}

/// <summary>A content item (content's ContentItemDto): a link, an uploaded file, or a package.</summary>
public sealed record ContentItemView(Guid Id, string Title, string Kind, string? Url, DateTimeOffset CreatedAt, string? FileName, string? MediaType, long? Bytes,
    Guid? PackageId);

/// <summary>A message in the signed-in person's inbox.</summary>
public sealed record InboxItem(Guid Id, string? Type, string Subject, string Body, string? Link, DateTimeOffset CreatedAt, DateTimeOffset? ReadAt);

public sealed record UnreadCount(int Unread);

public sealed record TypePreference(string Type, string Title, string Description, bool Mandatory, bool InAppPossible, bool EmailPossible, bool InApp, bool Email);

public sealed record NotificationPreferences(string Language, string TimeZone, TimeOnly? QuietFrom, TimeOnly? QuietUntil, string Digest,
    IReadOnlyList<string> Languages, IReadOnlyList<TypePreference> Types);

public sealed record DeliveryView(Guid Id, Guid? UserId, string? Type, string To, string Subject, string Status, int Attempts, DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt, DateTimeOffset? SentAt, string? LastError, string MessageId);

public sealed record DeliverySummary(Dictionary<string, int> ByStatus, DateTimeOffset? OldestWaitingSince);

public sealed record RetriedView(int Retried);

public sealed record TemplateSummaryView(string Type, string Title, string Description, string Recipient, bool Mandatory, string[] CustomLanguages);

public sealed record TemplateVersionView(int Version, string Language, string Subject, string Text, string? Html, Guid? EditedBy, DateTimeOffset CreatedAt);

public sealed record TemplateView(string Type, string Title, string Description, string Recipient, bool Mandatory, string Language, int Version,
    string Subject, string Text, string? Html, Dictionary<string, System.Text.Json.JsonElement> Sample, IReadOnlyList<TemplateVersionView> Versions);

public sealed record PreviewView(string Subject, string Text, string Html);

public sealed record TestSentView(Guid EmailId, string To);

public sealed record ReminderPolicyView(Guid? CourseId, int[] DaysBefore, int? EscalateAfterDays, int? SecondEscalationAfterDays, bool Inherited, DateTimeOffset? UpdatedAt,
    string? CourseTitle);

// Analytics' reports (see analytics' Metrics: every number comes with its definition).
public sealed record MetricDefinitionView(string Key, string Name, string Definition);

public sealed record MetricRowView(Guid? Key, string Name, long Assigned, long NotStarted, long InProgress, long Completed, long Paused, long Overdue,
    long Required, long Compliant, double? CompletionRate, double? ComplianceRate);

public sealed record CertificationRowView(Guid CourseId, string Course, long Certified, long Expiring30, long Expiring60, long Expiring90);

public sealed record ComplianceReportView(DateTimeOffset AsOf, bool CurrentFigures, string GroupBy, MetricRowView[] Rows, MetricRowView Total, long People, long CompliantPeople,
    double? PeopleComplianceRate, CertificationRowView[] Certifications, MetricDefinitionView[] Definitions);

public sealed record CountsReportView(DateTimeOffset AsOf, bool CurrentFigures, string GroupBy, MetricRowView[] Rows, MetricRowView Total, MetricDefinitionView[] Definitions);

public sealed record OverdueRowView(Guid EnrolmentId, Guid UserId, string Person, string? Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId, string? Manager,
    Guid CourseId, string Course, DateTimeOffset DueAt, int DaysOverdue, string Status);

public sealed record TranscriptPersonView(Guid UserId, string DisplayName, string Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId, string? Manager);

public sealed record TranscriptRowView(Guid EnrolmentId, Guid CourseId, string Course, string Status, DateTimeOffset AssignedAt, DateTimeOffset? DueAt,
    DateTimeOffset? CompletedAt, bool Overdue, bool Required);

public sealed record TranscriptView(DateTimeOffset AsOf, TranscriptPersonView Person, TranscriptRowView[] Rows, MetricDefinitionView[] Definitions);

public sealed record TrendPointView(DateTimeOffset From, DateTimeOffset To, long NewAssignments, long Completions, long ActiveLearners);

public sealed record TrendReportView(DateTimeOffset From, DateTimeOffset To, string Interval, TrendPointView[] Periods, MetricDefinitionView[] Definitions);

public sealed record OverdueReportView(DateTimeOffset AsOf, Page<OverdueRowView> Overdue, MetricDefinitionView[] Definitions);

public sealed record DashboardFiguresView(MetricRowView Total, long People, long CompliantPeople, long ActiveLearners, string Breakdown, MetricRowView[] Overdue,
    CertificationRowView[] Expiring, CertificationRowView ExpiringTotal, TrendPointView[] Trend, DateTimeOffset TrendAsOf, long SignedIn);

public sealed record DashboardView(DateTimeOffset AsOf, bool CurrentFigures, string Scope, int Weeks, DashboardFiguresView Figures, double? PeopleComplianceRate,
    MetricDefinitionView[] Definitions);

public sealed record DeliveryRowView(string Type, long Sent, long Bounced, long GaveUp, long Retried, long Emails, double? DeliveryRate);

public sealed record DeliveryPointView(DateTimeOffset From, DateTimeOffset To, long Sent, long Failed);

public sealed record PeopleHealthView(long People, long WithoutOrgUnit, long WithoutManager, long WithoutEmail, long NeverSignedIn);

public sealed record ImportPeriodView(DateTimeOffset From, DateTimeOffset To, int Applied, int Failed, int Refused, int Created, int Updated, int Deactivated, int ErrorRows);

public sealed record ImportRunView(Guid ImportId, string Kind, string Outcome, string FileName, int TotalRows, int ErrorRows, int Created, int Updated,
    int Moved, int Deactivated, string? Message, string By, DateTimeOffset At);

public sealed record ProvisioningReportView(DateTimeOffset From, DateTimeOffset To, string Interval, PeopleHealthView People, bool ImportsShown,
    ImportPeriodView[] Periods, ImportRunView[] Runs, MetricDefinitionView[] Definitions);

public sealed record DeliveryReportView(DateTimeOffset From, DateTimeOffset To, string Interval, DeliveryRowView[] Rows, DeliveryRowView Total,
    DeliveryPointView[] Periods, MetricDefinitionView[] Definitions);

public sealed record ExpiringRowView(Guid CertificationId, Guid UserId, string Person, string? Email, Guid? OrgUnitId, string? OrgUnit, Guid? ManagerId,
    string? Manager, Guid CourseId, string Course, DateTimeOffset CertifiedAt, DateTimeOffset ExpiresAt, int DaysLeft);

public sealed record ExpiringReportView(DateTimeOffset AsOf, int Within, Page<ExpiringRowView> Expiring, MetricDefinitionView[] Definitions);

public sealed record UsageRowView(Guid? CourseId, string Course, long Assigned, long Started, long InProgress, long Completed, long Timed, double? AverageDaysToComplete,
    long Within7Days, long Within30Days, long Within90Days, double? StartRate, double? CompletionRate);

public sealed record UsageReportView(DateTimeOffset AsOf, UsageRowView[] Rows, UsageRowView Total, long UnassignedCourses, MetricDefinitionView[] Definitions);

public sealed record ExportJobView(Guid Id, string Report, string Format, int? Within, string Status, long Rows, long? TotalRows, int? Percent, string? FileName,
    long? Size, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, DateTimeOffset ExpiresAt, DateTimeOffset? AsOf, Guid? OrgUnitId)
{
    public bool Running => Status is "Queued" or "Running";
}

public sealed record CheckPointView(DateTimeOffset At, string Status, long Count);

public sealed record CockpitCheckView(string Service, string Key, string Cadence, string Title, string Status, long Count, string? Link, string? Detail,
    DateTimeOffset? At, CheckPointView[] History);

public sealed record CockpitView(DateTimeOffset Now, CockpitCheckView[] Checks);

public sealed record RebuildSourceView(string Source, int Pages, long Records, int? LastPage, bool Complete);

public sealed record RebuildView(Guid Id, string RequestedBy, DateTimeOffset RequestedAt, int Pages, long Records, RebuildSourceView[] Sources,
    DateTimeOffset? CompletedAt, DateTimeOffset? AbandonedAt, string? AbandonedBy)
{
    public bool Running => CompletedAt is null && AbandonedAt is null;
}

public sealed record ScheduleRecipientView(Guid UserId, string DisplayName, string Email);

public sealed record ReportQueryView(DateTimeOffset? AsOf, Guid? OrgUnitId, Guid? ManagerId, bool? Indirect, Guid? CourseId, Guid? CategoryId, string? GroupBy,
    Guid? AudienceId);

public sealed record ScheduleView(Guid Id, string Name, string Report, string Frequency, ReportQueryView Query, ScheduleRecipientView[] Recipients,
    Guid OwnerId, string OwnerName, DateTimeOffset CreatedAt, DateTimeOffset NextRunAt, DateTimeOffset? LastRunAt, string? LastOutcome);

public sealed record ScheduleRunView(Guid ScheduleId, string Outcome, bool Sent);
