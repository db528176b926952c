using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.Analytics.Model;

/// <summary>One user in the reporting read model, built from identity's events (see <see cref="PersonCopy"/>).</summary>
public sealed class UserFact : PersonCopy, IPlacedInOrgUnit;

public enum ReportKind { UsersTotal, UsersCreatedByDay }

/// <summary>A report an administrator saved, to run again later.</summary>
public sealed class SavedReport
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public ReportKind Kind { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
