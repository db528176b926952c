namespace LmsPlatform.ContentDelivery.Model.Runtime;

/// <summary>What went wrong when a learner opened a package's activity.</summary>
public enum LaunchProblemKind
{
    /// <summary>The activity's launch file is not in the object store (the package's files were lost or never stored whole).</summary>
    FileMissing,
    /// <summary>The content opened but never started its SCORM session (it did not find or call the run-time API), as the player saw.</summary>
    NotStarted,
}

/// <summary>
/// A launch of a package's activity that failed: broken content, as the cockpit's weekly check and the packages page
/// show it. One per attempt, activity and kind (a learner who retries a broken activity is one problem, not many).
/// </summary>
public sealed class LaunchProblem
{
    private LaunchProblem() { }

    public Guid Id { get; private set; }
    public Guid PackageId { get; private set; }
    public Guid AttemptId { get; private set; }
    public Guid UserId { get; private set; }
    public string ItemId { get; private set; } = "";
    public LaunchProblemKind Kind { get; private set; }
    public string Detail { get; private set; } = "";
    public DateTimeOffset At { get; private set; }

    public static LaunchProblem Of(Guid packageId, Guid attemptId, Guid userId, string itemId, LaunchProblemKind kind, string detail, DateTimeOffset at) =>
        new()
        {
            Id = Guid.CreateVersion7(at), PackageId = packageId, AttemptId = attemptId, UserId = userId, ItemId = itemId, Kind = kind,
            Detail = detail.Length > 500 ? detail[..500] : detail, At = at,
        };
}
