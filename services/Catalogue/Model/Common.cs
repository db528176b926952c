using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Catalogue.Model;

/// <summary>Where a course or learning path is in its life. Only published items are in the catalogue.</summary>
public enum LifecycleStatus { Draft, Published, Archived }

/// <summary>How a course is delivered. The wire names ("e-learning", "instructor-led", "blended") are in <see cref="Wire"/>.</summary>
public enum DeliveryType { ELearning, InstructorLed, Blended }

public enum ItemKind { Course, LearningPath }

public static class Wire
{
    public static string Name(this DeliveryType type) => type switch
    {
        DeliveryType.ELearning => "e-learning",
        DeliveryType.InstructorLed => "instructor-led",
        _ => "blended",
    };

    public static DeliveryType? ParseDeliveryType(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "e-learning" or "elearning" => DeliveryType.ELearning,
        "instructor-led" or "instructorled" or "ilt" => DeliveryType.InstructorLed,
        "blended" => DeliveryType.Blended,
        _ => null,
    };

    public static string Name(this ItemKind kind) => kind == ItemKind.Course ? "course" : "learning-path";
}

/// <summary>
/// What a course and a learning path share: a code that never changes, an owner (an org unit and the training
/// manager responsible), a status, and numbered immutable versions, of which at most one draft is open at a time.
/// The lifecycle (draft, publish, archive) changes only through the methods here, which hold its rules for both kinds
/// and record the integration events the save writes.
/// </summary>
public abstract class CatalogueItem : Aggregate
{
    public Guid Id { get; protected set; }
    /// <summary>The unique code administrators search by, e.g. SEC-101. Stored upper-case.</summary>
    public string Code { get; protected set; } = "";
    public LifecycleStatus Status { get; protected set; }
    public Guid? OwnerOrgUnitId { get; protected set; }
    public Guid OwnerUserId { get; protected set; }
    /// <summary>The number of the newest published version; null until the first publish.</summary>
    public int? PublishedVersion { get; protected set; }
    /// <summary>True while a draft version is open for editing.</summary>
    public bool HasDraft { get; protected set; }
    public DateTimeOffset CreatedAt { get; protected set; }
    public DateTimeOffset UpdatedAt { get; protected set; }
    /// <summary>When it left the catalogue, if it did.</summary>
    public DateTimeOffset? ArchivedAt { get; protected set; }
    /// <summary>PostgreSQL's xmin: optimistic concurrency for lifecycle changes.</summary>
    public uint RowVersion { get; protected set; }

    /// <summary>"course" or "learning path", for messages.</summary>
    public abstract string Noun { get; }

    protected void Start(string code, Guid ownerUserId, Guid? ownerOrgUnitId, DateTimeOffset now)
    {
        Id = Guid.CreateVersion7(now);
        Code = code.Trim().ToUpperInvariant();
        Status = LifecycleStatus.Draft;
        HasDraft = true;
        OwnerUserId = ownerUserId;
        OwnerOrgUnitId = ownerOrgUnitId;
        CreatedAt = UpdatedAt = now;
    }

    /// <summary>Refused once the item is archived: nothing about it changes any more.</summary>
    public void EnsureNotArchived(string? doing = null)
    {
        if (Status == LifecycleStatus.Archived)
            throw new DomainRuleException("status", $"The {Noun} is archived{(doing is null ? "" : $"; it cannot be {doing}")}.");
    }

    /// <summary>Opens a draft as a copy of the published version: refused while one is open.</summary>
    public void OpenDraft(DateTimeOffset now)
    {
        if (HasDraft) throw new DomainRuleException("draft", $"The {Noun} has an open draft already.");
        EnsureNotArchived();
        HasDraft = true;
        UpdatedAt = now;
    }

    /// <summary>The draft was edited (opened by the edit when none was open).</summary>
    public void DraftEdited(DateTimeOffset now)
    {
        EnsureNotArchived();
        HasDraft = true;
        UpdatedAt = now;
    }

    /// <summary>Makes the draft the next numbered, immutable version; the kind's own method records its event.</summary>
    protected int PublishDraft(ItemVersion draft, Guid? by, DateTimeOffset now)
    {
        EnsureNotArchived("published again");
        if (!HasDraft || !draft.IsDraft) throw new DomainRuleException("draft", "There is no draft to publish.");
        var number = (PublishedVersion ?? 0) + 1;
        draft.Number = number;
        draft.PublishedAt = now;
        draft.PublishedBy = by;
        PublishedVersion = number;
        HasDraft = false;
        Status = LifecycleStatus.Published;
        UpdatedAt = now;
        return number;
    }

    /// <summary>Takes the item out of the catalogue for good.</summary>
    public void Archive(DateTimeOffset now)
    {
        if (Status == LifecycleStatus.Archived) throw new DomainRuleException("status", $"The {Noun} is archived already.");
        Status = LifecycleStatus.Archived;
        UpdatedAt = now;
        ArchivedAt = now;
        Record(ArchivedEvent(now));
    }

    protected abstract IIntegrationEvent ArchivedEvent(DateTimeOffset now);
}

/// <summary>
/// The describing part of a version, the same for courses and paths. A draft version has no <see cref="Number"/>;
/// publishing gives it the next number, and from then on the row never changes.
/// </summary>
public abstract class ItemVersion
{
    public Guid Id { get; set; }
    public int? Number { get; set; }
    public required string Title { get; set; }
    public string? Summary { get; set; }
    /// <summary>Markdown as the author wrote it; rendered to sanitised HTML only on the way out.</summary>
    public string? Description { get; set; }
    public Guid? CategoryId { get; set; }
    public List<string> Tags { get; set; } = [];
    public string Language { get; set; } = "en";
    public bool VisibleToEveryone { get; set; } = true;
    /// <summary>When not visible to everyone: the org unit subtrees whose members see it.</summary>
    public List<Guid> AudienceOrgUnitIds { get; set; } = [];
    public ComplianceSettings Compliance { get; set; } = ComplianceSettings.None;
    /// <summary>Whether people may enrol themselves: a <see cref="SelfEnrolmentPolicy"/> (closed unless the author opens it).</summary>
    public string SelfEnrolment { get; set; } = SelfEnrolmentPolicy.Closed;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid UpdatedBy { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public Guid? PublishedBy { get; set; }
    public uint RowVersion { get; set; }

    public bool IsDraft => Number is null;
    public string ETag => $"\"{RowVersion}\"";
}
