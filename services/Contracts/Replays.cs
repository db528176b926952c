namespace LmsPlatform.Contracts;

/// <summary>
/// The records a read model can ask to be sent again (<see cref="Analytics.ReplayRequested"/>), each by the one service
/// that owns them. A rebuild is complete when every source has sent its last page.
/// </summary>
public static class ReplaySources
{
    public const string Ledger = "ledger", Certifications = "certifications", AudienceChanges = "audience-changes";
    public const string People = "people", OrgUnits = "org-units", Roles = "roles", Imports = "imports";
    public const string SignIns = "sign-ins", Placements = "placements";
    public const string Items = "items";
    public const string EmailOutcomes = "email-outcomes";

    public static readonly IReadOnlyList<string> All = [Ledger, Certifications, AudienceChanges, People, OrgUnits, Roles, Imports, SignIns, Placements, Items, EmailOutcomes];
}

/// <summary>
/// A page of one source's records sent again for a replay: pages are numbered from 1 per source, and the last says so;
/// <see cref="Total"/> is the records sent so far. Pages may arrive in any order.
/// </summary>
public interface IReplayPage : IIntegrationEvent
{
    Guid ReplayId { get; }
    string Source { get; }
    int Page { get; }
    bool Last { get; }
    long Total { get; }
    DateTimeOffset At { get; }
    /// <summary>The records on this page.</summary>
    int Count { get; }
}
