using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Enrolment;

namespace LmsPlatform.Analytics.Model;

/// <summary>A catalogue item as reports need it: its latest published version's name and category, and when it left the catalogue.</summary>
public sealed class ItemFact
{
    public Guid ItemId { get; set; }
    public string Kind { get; set; } = "course";
    public string Code { get; set; } = "";
    public string Title { get; set; } = "";
    public Guid? CategoryId { get; set; }
    /// <summary>The latest version applied (an older version's event arriving late does not overwrite it).</summary>
    public int Version { get; set; }
    /// <summary>Months a completion certifies for (a certification item), from the compliance settings.</summary>
    public int? ValidityMonths { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset? ArchivedAt { get; set; }
    public Guid? ReplacedBy { get; set; }

    /// <summary>A version published: the first publication is kept whatever order versions arrive in, and the latest version's name.</summary>
    public void Published(int version, string code, string title, Guid? categoryId, int? validityMonths, DateTimeOffset publishedAt)
    {
        if (PublishedAt is null || publishedAt < PublishedAt) PublishedAt = publishedAt;
        if (version < Version) return;
        (Version, Code, Title, CategoryId, ValidityMonths) = (version, code, title, categoryId, validityMonths);
    }

    /// <summary>It left the catalogue (its code kept if no version was known: archived as a draft).</summary>
    public void Archived(DateTimeOffset at, string code)
    {
        ArchivedAt = at;
        if (Code.Length == 0) Code = code;
    }

    /// <summary>It was replaced by <paramref name="successor"/>.</summary>
    public void Replaced(Guid successor) => ReplacedBy = successor;

    public void Apply(CoursePublished e) => Published(e.Version, e.Code, e.Title, e.CategoryId, e.Compliance.ValidityMonths, e.PublishedAt);

    /// <summary>A course as a replay sends it: its publication, archiving and replacement, by the same rules as their events.</summary>
    public void Apply(ReplayedCourse c)
    {
        Published(c.Version, c.Code, c.Title, c.CategoryId, c.ValidityMonths, c.FirstPublishedAt);
        if (c.ArchivedAt is { } archivedAt) Archived(archivedAt, c.Code);
        if (c.ReplacedByCourseId is { } successor) Replaced(successor);
    }
}

/// <summary>
/// The kinds of enrolment ledger entry analytics copies, one per enrolment event (the names of enrolment's own
/// ledger actions).
/// </summary>
public enum LedgerAction { Assigned, Started, Completed, Waived, Reset, DueDateChanged, Suspended, Resumed, Withdrawn, Migrated }

/// <summary>An assignment's status, as enrolment's ledger folds it.</summary>
public enum AssignmentStatus { Enrolled, InProgress, Completed, Waived, Suspended, Withdrawn }

/// <summary>
/// Analytics' copy of one entry of enrolment's ledger, taken from the event that announced it: keyed by the enrolment
/// and the entry's number, so an event delivered twice or late is copied once and folded in its place.
/// </summary>
public sealed class LedgerEventCopy
{
    public Guid EnrolmentId { get; set; }
    public int Sequence { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public LedgerAction Action { get; set; }
    /// <summary>When it took effect (a completion recorded today may have happened last week).</summary>
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public int? Version { get; set; }
    public string? Source { get; set; }

    /// <summary>The ledger entry an enrolment event announces.</summary>
    public static LedgerEventCopy From(IIntegrationEvent message) => message switch
    {
        Enrolled e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Assigned, At = e.At, DueAt = e.DueAt, Version = e.Version, Source = e.Source },
        ProgressRecorded e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Started, At = e.At },
        EnrolmentCompleted e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = e.Waived ? LedgerAction.Waived : LedgerAction.Completed, At = e.At, Version = e.Version },
        EnrolmentReset e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Reset, At = e.At },
        DueDateChanged e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.DueDateChanged, At = e.At, DueAt = e.DueAt },
        EnrolmentSuspended e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Suspended, At = e.At },
        EnrolmentResumed e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Resumed, At = e.At },
        EnrolmentWithdrawn e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Withdrawn, At = e.At },
        EnrolmentMigrated e => new() { EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = LedgerAction.Migrated, At = e.At, Version = e.Version },
        _ => throw new NotSupportedException($"{message.GetType().Name} is not an enrolment ledger event."),
    };

    /// <summary>A ledger entry as a replay sends it (the same fields as its event).</summary>
    public static LedgerEventCopy From(ReplayedLedgerEntry e) => new()
    {
        EnrolmentId = e.EnrolmentId, Sequence = e.Sequence, UserId = e.UserId, CourseId = e.CourseId, Action = Enum.Parse<LedgerAction>(e.Action), At = e.At,
        DueAt = e.DueAt, Version = e.Version, Source = e.Source,
    };
}

/// <summary>
/// An assignment as it stood from <see cref="ValidFrom"/> until <see cref="ValidTo"/> (open-ended for the current
/// state): the rows reports read "as of" a date, one range lookup instead of a fold per enrolment per report.
/// </summary>
public sealed class EnrolmentState
{
    public Guid EnrolmentId { get; set; }
    public DateTimeOffset ValidFrom { get; set; }
    public DateTimeOffset? ValidTo { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    public AssignmentStatus Status { get; set; }
    public DateTimeOffset AssignedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? DueAt { get; set; }
    public int Version { get; set; }
    public string Source { get; set; } = "";
}

/// <summary>
/// Turns an enrolment's ledger entries into its <see cref="EnrolmentState"/> ranges, the way enrolment answers "as of":
/// the state on date D is the fold of the entries that took effect on or before D, in the order they were written.
/// Entries may take effect out of written order (a completion recorded today for last week), so each distinct
/// effective time starts a range whose state is the fold of every entry in effect by then. Missing entries (an event
/// still on its way) leave a gap the next fold fills: the ranges are rebuilt from all entries each time one arrives.
/// </summary>
public static class EnrolmentHistory
{
    public static List<EnrolmentState> Ranges(IReadOnlyCollection<LedgerEventCopy> entries)
    {
        var ordered = entries.OrderBy(e => e.Sequence).ToList();
        var times = ordered.Select(e => e.At).Distinct().Order().ToList();
        var ranges = new List<EnrolmentState>(times.Count);
        for (var i = 0; i < times.Count; i++)
        {
            var state = Fold(ordered.Where(e => e.At <= times[i]));
            state.ValidFrom = times[i];
            state.ValidTo = i + 1 < times.Count ? times[i + 1] : null;
            ranges.Add(state);
        }
        return ranges;
    }

    /// <summary>The state after the entries, in written order: the same transitions as enrolment's own ledger.</summary>
    public static EnrolmentState Fold(IEnumerable<LedgerEventCopy> entries)
    {
        EnrolmentState? s = null;
        foreach (var e in entries)
        {
            s ??= new EnrolmentState { EnrolmentId = e.EnrolmentId, UserId = e.UserId, CourseId = e.CourseId, AssignedAt = e.At };
            switch (e.Action)
            {
                case LedgerAction.Assigned:
                    (s.Status, s.AssignedAt, s.Version, s.DueAt, s.Source) = (AssignmentStatus.Enrolled, e.At, e.Version ?? 0, e.DueAt, e.Source ?? "Manual");
                    break;
                case LedgerAction.Started:
                    (s.Status, s.StartedAt) = (AssignmentStatus.InProgress, e.At);
                    break;
                case LedgerAction.Completed:
                    (s.Status, s.CompletedAt) = (AssignmentStatus.Completed, e.At);
                    s.StartedAt ??= e.At;
                    break;
                case LedgerAction.Waived:
                    (s.Status, s.CompletedAt) = (AssignmentStatus.Waived, e.At);
                    break;
                case LedgerAction.Reset:
                    (s.Status, s.StartedAt, s.CompletedAt) = (AssignmentStatus.Enrolled, null, null);
                    break;
                case LedgerAction.DueDateChanged:
                    s.DueAt = e.DueAt;
                    break;
                case LedgerAction.Suspended:
                    s.Status = AssignmentStatus.Suspended;
                    break;
                case LedgerAction.Resumed:
                    s.Status = s.StartedAt is null ? AssignmentStatus.Enrolled : AssignmentStatus.InProgress;
                    break;
                case LedgerAction.Withdrawn:
                    s.Status = AssignmentStatus.Withdrawn;
                    break;
                case LedgerAction.Migrated:
                    s.Version = e.Version ?? s.Version;
                    break;
            }
        }
        return s ?? throw new ArgumentException("An enrolment's history needs at least one entry.", nameof(entries));
    }
}

/// <summary>
/// A rebuild of the read model: what analytics copies from other services is emptied and every source of it
/// (<see cref="ReplaySources"/>) is sent again, page by page, folded as live events are. Complete once every source's
/// pages are all in, whatever their order.
/// </summary>
public sealed class ReadModelRebuild
{
    public Guid Id { get; set; }
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset RequestedAt { get; set; }
    /// <summary>Each source's pages folded so far.</summary>
    public List<RebuildSource> Sources { get; set; } = [];
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>When an operator gave up on it (its last page lost, say), so that another can start.</summary>
    public DateTimeOffset? AbandonedAt { get; set; }
    public string? AbandonedBy { get; set; }

    public bool Running => CompletedAt is null && AbandonedAt is null;
    public int Pages => Sources.Sum(s => s.Pages);
    public long Records => Sources.Sum(s => s.Records);

    /// <summary>Gives the rebuild up; false when it has already finished or been given up.</summary>
    public bool Abandon(string by, DateTimeOffset at)
    {
        if (!Running) return false;
        (AbandonedAt, AbandonedBy) = (at, by);
        return true;
    }

    /// <summary>Counts a folded page of its source; complete once every source's pages folded reach its last page's number.</summary>
    public void Folded(IReplayPage page)
    {
        var source = Sources.FirstOrDefault(s => s.Source == page.Source);
        if (source is null) Sources.Add(source = new RebuildSource { Source = page.Source });
        source.Pages++;
        source.Records += page.Count;
        if (page.Last) source.LastPage = page.Page;
        if (Running && ReplaySources.All.All(name => Sources.Any(s => s.Source == name && s.Complete))) CompletedAt = page.At;
    }
}

/// <summary>One source's part of a rebuild: its pages and records folded, and the number of its last page once that is in.</summary>
public sealed class RebuildSource
{
    public Guid RebuildId { get; set; }
    public string Source { get; set; } = "";
    public int Pages { get; set; }
    public long Records { get; set; }
    public int? LastPage { get; set; }
    public bool Complete => LastPage is { } last && Pages >= last;
}

/// <summary>One cycle of a person's certification: held from <see cref="CertifiedAt"/> until <see cref="ExpiresAt"/>.</summary>
public sealed class CertificationFact
{
    public Guid CertificationId { get; set; }
    public int Cycle { get; set; }
    public Guid UserId { get; set; }
    public Guid CourseId { get; set; }
    /// <summary>Null until CertificationAchieved arrives (its expiry may come first, on another queue).</summary>
    public DateTimeOffset? CertifiedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>When it ran out without a renewal (from CertificationExpired), if it did.</summary>
    public DateTimeOffset? ExpiredAt { get; set; }
}
