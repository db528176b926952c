using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;

namespace LmsPlatform.Enrolment.Consumers;

/// <summary>A published version: the course copy takes it (new enrolments get it), and what completes the version is kept.</summary>
public sealed class CoursePublishedConsumer(EnrolmentDbContext db) : IdempotentConsumer<CoursePublished, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(CoursePublished message, CancellationToken cancellationToken)
    {
        (await CourseCopies.FindOrAddAsync(Db, message.CourseId, cancellationToken)).Apply(message);
        // What completes this version, kept with the version (enrolments are pinned to theirs).
        if (await Db.CourseVersions.FindAsync([message.CourseId, message.Version], cancellationToken) is null)
            Db.CourseVersions.Add(CourseVersionCopy.From(message));
    }
}

/// <summary>An archived course takes no new enrolments.</summary>
public sealed class CourseArchivedConsumer(EnrolmentDbContext db) : IdempotentConsumer<CourseArchived, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(CourseArchived message, CancellationToken cancellationToken) =>
        (await CourseCopies.FindOrAddAsync(Db, message.CourseId, cancellationToken)).Apply(message);
}

/// <summary>A course's or path's prerequisites changed: enrolment enforces the new ones from now on.</summary>
public sealed class PrerequisitesChangedConsumer(EnrolmentDbContext db) : IdempotentConsumer<PrerequisitesChanged, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(PrerequisitesChanged message, CancellationToken cancellationToken)
    {
        ItemCopy copy = message.Kind == "course"
            ? await CourseCopies.FindOrAddAsync(Db, message.ItemId, cancellationToken)
            : await PathCopies.FindOrAddAsync(Db, message.ItemId, cancellationToken);
        copy.Apply(message);
    }
}

/// <summary>A published path version: new path enrolments get it (its courses and rule).</summary>
public sealed class LearningPathPublishedConsumer(EnrolmentDbContext db) : IdempotentConsumer<LearningPathPublished, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(LearningPathPublished message, CancellationToken cancellationToken) =>
        (await PathCopies.FindOrAddAsync(Db, message.LearningPathId, cancellationToken)).Apply(message);
}

public sealed class LearningPathArchivedConsumer(EnrolmentDbContext db) : IdempotentConsumer<LearningPathArchived, EnrolmentDbContext>(db)
{
    protected override async Task HandleAsync(LearningPathArchived message, CancellationToken cancellationToken) =>
        (await PathCopies.FindOrAddAsync(Db, message.LearningPathId, cancellationToken)).Apply(message);
}

internal static class PathCopies
{
    public static async Task<PathCopy> FindOrAddAsync(EnrolmentDbContext db, Guid pathId, CancellationToken cancellationToken)
    {
        if (await db.Paths.FindAsync([pathId], cancellationToken) is { } copy) return copy;
        copy = new PathCopy { PathId = pathId };
        db.Paths.Add(copy);
        return copy;
    }
}

internal static class CourseCopies
{
    /// <summary>The course's copy (tracked, including one added earlier in the batch), or a new one.</summary>
    public static async Task<CourseCopy> FindOrAddAsync(EnrolmentDbContext db, Guid courseId, CancellationToken cancellationToken)
    {
        if (await db.Courses.FindAsync([courseId], cancellationToken) is { } copy) return copy;
        copy = new CourseCopy { CourseId = courseId };
        db.Courses.Add(copy);
        return copy;
    }
}

/// <summary>A read model asks for the records again: a replay per source (<see cref="ReplayRequestedConsumer{TContext}"/>).</summary>
public sealed class ReplayRequestedConsumer(EnrolmentDbContext db, IEnumerable<IReplaySource<EnrolmentDbContext>> sources)
    : ReplayRequestedConsumer<EnrolmentDbContext>(db, sources);
