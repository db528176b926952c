namespace LmsPlatform.Catalogue.Model;

/// <summary>A programme: an ordered set of courses, each required or optional.</summary>
public sealed class LearningPath : CatalogueItem;

public sealed class LearningPathVersion : ItemVersion
{
    public Guid LearningPathId { get; set; }
    /// <summary>The courses in the order learners take them.</summary>
    public List<PathStep> Steps { get; set; } = [];
    /// <summary>How many of the optional courses must be completed, besides every required one.</summary>
    public int OptionalToComplete { get; set; }
}

public sealed record PathStep(Guid CourseId, bool Required);
