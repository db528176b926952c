using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;

namespace LmsPlatform.Catalogue.Model;

/// <summary>A programme: an ordered set of courses, each required or optional.</summary>
public sealed class LearningPath : CatalogueItem
{
    private LearningPath() { }

    public override string Noun => "learning path";

    public static LearningPath Create(string code, Guid ownerUserId, Guid? ownerOrgUnitId, DateTimeOffset now)
    {
        var path = new LearningPath();
        path.Start(code, ownerUserId, ownerOrgUnitId, now);
        return path;
    }

    /// <summary>Publishes the draft (its courses checked published by the caller) as the next version.</summary>
    public int Publish(LearningPathVersion draft, IReadOnlyList<Guid> prerequisites, Guid? by, DateTimeOffset now)
    {
        var number = PublishDraft(draft, by, now);
        Record(new LearningPathPublished(Id, Code, number, draft.Title,
            draft.Steps.Select((s, i) => new LearningPathCourse(s.CourseId, i + 1, s.Required)).ToList(), draft.OptionalToComplete, draft.Compliance, now,
            draft.SelfEnrolment, prerequisites, draft.VisibleToEveryone, draft.AudienceOrgUnitIds));
        return number;
    }

    protected override IIntegrationEvent ArchivedEvent(DateTimeOffset now) => new LearningPathArchived(Id, Code, PublishedVersion, now);
}

public sealed class LearningPathVersion : ItemVersion
{
    public Guid LearningPathId { get; set; }
    /// <summary>The courses in the order learners take them.</summary>
    public List<PathStep> Steps { get; set; } = [];
    /// <summary>How many of the optional courses must be completed, besides every required one.</summary>
    public int OptionalToComplete { get; set; }
}

public sealed record PathStep(Guid CourseId, bool Required);
