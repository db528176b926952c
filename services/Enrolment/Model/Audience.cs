using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Enrolment.Model;

/// <summary>What becomes of a member's assignments when they leave the audience (or are deactivated).</summary>
public enum LeavePolicy
{
    /// <summary>The assignment stays as it is (the default): leaving a department does not undo training.</summary>
    Keep,
    /// <summary>Open assignments are suspended, progress kept; they resume if the person comes back.</summary>
    Suspend,
    /// <summary>Assignments not yet started are withdrawn; started ones are kept.</summary>
    WithdrawIfNotStarted,
}

/// <summary>
/// An audience: a rule over people (<see cref="RuleNode"/>) and the courses and learning paths its members are assigned. Edited as a
/// draft and published as numbered versions; the members follow the published version, re-evaluated when the people
/// or facts it asks about change, and in full when a version is published or the audience resumes. Paused, it is not
/// evaluated at all (its members stay as they are). Leaving takes effect after <see cref="GraceDays"/>, to absorb
/// glitches in an HR feed, and then by <see cref="LeavePolicy"/>.
/// </summary>
public sealed class Audience : Aggregate
{
    private Audience() { }

    public Guid Id { get; private set; }
    public string Name { get; private set; } = "";
    public string? Description { get; private set; }
    /// <summary>The rule being edited (JSON), published by <see cref="Publish"/>.</summary>
    public string DraftRule { get; private set; } = "";
    public List<Guid> DraftCourseIds { get; private set; } = [];
    public List<Guid> DraftPathIds { get; private set; } = [];
    /// <summary>The published version (0: never published).</summary>
    public int Version { get; private set; }
    public string? Rule { get; private set; }
    public List<Guid> CourseIds { get; private set; } = [];
    public List<Guid> PathIds { get; private set; } = [];
    /// <summary>Whether the published version assigns its courses to the people who match it already, or only to those who join later.</summary>
    public bool Retroactive { get; private set; } = true;
    public bool Paused { get; private set; }
    public LeavePolicy LeavePolicy { get; private set; }
    public int GraceDays { get; private set; }
    /// <summary>A publication that would remove more than this share of the members must be confirmed.</summary>
    public int SafetyThresholdPercent { get; private set; } = 10;
    /// <summary>The version whose membership has been applied to everyone (when below <see cref="Version"/>, a full evaluation is due).</summary>
    public int SyncedVersion { get; private set; }
    public DateTimeOffset? SyncedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public uint RowVersion { get; private set; }

    public bool IsPublished => Version > 0;
    /// <summary>A full evaluation is due: a version not yet applied to everyone, and not paused.</summary>
    public bool NeedsSync => IsPublished && !Paused && SyncedVersion < Version;
    public bool HasUnpublishedChanges => DraftRule != Rule || !DraftCourseIds.SequenceEqual(CourseIds) || !DraftPathIds.SequenceEqual(PathIds);

    public static Audience Create(AudienceSettings settings, DateTimeOffset now)
    {
        var audience = new Audience { Id = Guid.CreateVersion7(now), CreatedAt = now };
        audience.Edit(settings, now);
        return audience;
    }

    /// <summary>Changes the draft and the settings; the rule, courses and paths take effect when published.</summary>
    public void Edit(AudienceSettings settings, DateTimeOffset now)
    {
        settings.Check();
        (Name, Description, DraftRule, DraftCourseIds, LeavePolicy, GraceDays, SafetyThresholdPercent) =
            (settings.Name.Trim(), string.IsNullOrWhiteSpace(settings.Description) ? null : settings.Description.Trim(), settings.Rule.ToJson(),
                [.. settings.CourseIds.Distinct()], settings.LeavePolicy, settings.GraceDays, settings.SafetyThresholdPercent);
        DraftPathIds = [.. (settings.PathIds ?? []).Distinct()];
        UpdatedAt = now;
    }

    /// <summary>The draft becomes the next version; its members are applied by the next evaluation (<see cref="NeedsSync"/>).</summary>
    public AudienceVersion Publish(bool retroactive, EnrolmentActor actor, DateTimeOffset now)
    {
        if (IsPublished && !HasUnpublishedChanges && retroactive == Retroactive)
            throw new DomainRuleException("rule", $"Version {Version} is this rule already: there is nothing to publish.");
        (Version, Rule, CourseIds, PathIds, Retroactive, UpdatedAt) = (Version + 1, DraftRule, [.. DraftCourseIds], [.. DraftPathIds], retroactive, now);
        var version = new AudienceVersion
        {
            AudienceId = Id, Version = Version, Rule = DraftRule, CourseIds = [.. DraftCourseIds], PathIds = [.. DraftPathIds], Retroactive = retroactive, PublishedAt = now,
            PublishedById = actor.Id, PublishedByName = actor.Name,
        };
        Record(version);
        return version;
    }

    public void Pause(DateTimeOffset now)
    {
        if (!IsPublished) throw new DomainRuleException("paused", "Only a published audience can be paused.");
        if (Paused) return;
        (Paused, UpdatedAt) = (true, now);
    }

    /// <summary>Evaluation starts again, in full: what changed while it was paused is applied.</summary>
    public void Resume(DateTimeOffset now)
    {
        if (!Paused) return;
        (Paused, SyncedVersion, UpdatedAt) = (false, 0, now);
    }

    public void MarkSynced(DateTimeOffset now) => (SyncedVersion, SyncedAt) = (Version, now);

    public RuleNode PublishedRule() => RuleNode.Parse(Rule ?? throw new InvalidOperationException("The audience is not published."), out _)
        ?? throw new InvalidOperationException($"The published rule of audience {Id} is not readable.");

    public RuleNode Draft() => RuleNode.Parse(DraftRule, out _) ?? throw new InvalidOperationException($"The draft rule of audience {Id} is not readable.");

    /// <summary>The reference enrolments made for this audience carry ("why is X enrolled": this audience, this version).</summary>
    public string SourceReference => $"{Id}:v{Version}";
}

/// <summary>What an administrator sets on an audience (the learning paths its members get besides courses): checked here for every door.</summary>
public sealed record AudienceSettings(string Name, string? Description, RuleNode Rule, IReadOnlyList<Guid> CourseIds, LeavePolicy LeavePolicy,
    int GraceDays, int SafetyThresholdPercent, IReadOnlyList<Guid>? PathIds = null)
{
    public const int MostCourses = 50, MostPaths = 20;

    public void Check()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Trim().Length > 200) throw DomainRuleException.Invalid("name", "is required, at most 200 characters");
        if (Description is { Length: > 1000 }) throw DomainRuleException.Invalid("description", "must be at most 1000 characters");
        if (CourseIds.Count > MostCourses) throw DomainRuleException.Invalid("courseIds", $"must name at most {MostCourses} courses");
        if (PathIds?.Count > MostPaths) throw DomainRuleException.Invalid("pathIds", $"must name at most {MostPaths} learning paths");
        if (GraceDays is < 0 or > 90) throw DomainRuleException.Invalid("graceDays", "must be between 0 and 90");
        if (SafetyThresholdPercent is < 1 or > 100) throw DomainRuleException.Invalid("safetyThresholdPercent", "must be between 1 and 100");
        if (Rule.Validate().FirstOrDefault() is { Field: not null } error) throw DomainRuleException.Invalid(error.Field, error.Message);
    }
}

/// <summary>A published version of an audience: the rule, courses and paths as they were, who published them and when.</summary>
public sealed record AudienceVersion
{
    public Guid AudienceId { get; init; }
    public int Version { get; init; }
    public string Rule { get; init; } = "";
    public List<Guid> CourseIds { get; init; } = [];
    public List<Guid> PathIds { get; init; } = [];
    public bool Retroactive { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public Guid? PublishedById { get; init; }
    public string PublishedByName { get; init; } = "";
}

/// <summary>A current member of an audience: since when, by which version, and since when they no longer match (in the grace period).</summary>
public sealed class AudienceMember
{
    public Guid AudienceId { get; set; }
    public Guid UserId { get; set; }
    public int Version { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset? LeavingSince { get; set; }
}

public enum MembershipChangeKind
{
    Joined,
    /// <summary>No longer matches; the grace period runs before they leave.</summary>
    Leaving,
    /// <summary>Matches again within the grace period: stays a member.</summary>
    Stayed,
    Left,
}

/// <summary>The membership history, for audits: append-only, with the rule version that decided each change.</summary>
public sealed record MembershipChange
{
    public Guid Id { get; init; }
    public Guid AudienceId { get; init; }
    public Guid UserId { get; init; }
    public MembershipChangeKind Change { get; init; }
    public int Version { get; init; }
    public DateTimeOffset At { get; init; }
    public string? Detail { get; init; }

    public Contracts.Enrolment.AudienceMembershipChanged ToIntegrationEvent() => new(AudienceId, UserId, Change.ToString(), Version, Detail ?? "", At);
}

/// <summary>A person whose audiences must be evaluated again (their record, manager chain, roles or learning facts changed).</summary>
public sealed class PendingEvaluation
{
    public long Id { get; set; }
    public Guid UserId { get; set; }
    public DateTimeOffset Since { get; set; }
}

/// <summary>A role a person holds, from identity's RoleAssignmentChanged (for the role condition).</summary>
public sealed class RoleCopy
{
    public Guid AssignmentId { get; set; }
    public Guid UserId { get; set; }
    public string Role { get; set; } = "";
    public bool Granted { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>
/// One full evaluation of everyone: the nightly reconciliation (<see cref="Reconciliation"/>), whose changes are drift
/// the events missed, or the first evaluation of a new day (<see cref="NewDay"/>) for rules whose answer moves with the
/// date alone (hired or completed within N days, a certification expiring), whose changes are the day's.
/// </summary>
public sealed class ReconciliationRun
{
    public const string Reconciliation = "Reconciliation", NewDay = "NewDay";

    public Guid Id { get; set; }
    public string Kind { get; set; } = Reconciliation;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
    public int Audiences { get; set; }
    public int People { get; set; }
    public int Drift { get; set; }
}
