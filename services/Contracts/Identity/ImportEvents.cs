namespace LmsPlatform.Contracts.Identity;

/// <summary>
/// An import of people (<c>users</c>) or departments (<c>orgUnits</c>) from an HR file came to an end: <c>applied</c>
/// (with the rows created, updated, moved and deactivated, and the rows left out for errors), <c>failed</c> (the file
/// could not be read, or the import broke off), or <c>refused</c> (it would have deactivated more than the safety
/// threshold allows, and nobody confirmed it). A dry run that planned is not an end; an upload that could not be read
/// (or planned) has failed. The provisioning health report counts these.
/// </summary>
public sealed record ImportFinished(Guid ImportId, string Kind, string Outcome, string FileName, int TotalRows, int ErrorRows, int Created, int Updated,
    int Moved, int Deactivated, int Unchanged, string? Message, string By, DateTimeOffset At) : IIntegrationEvent;

/// <summary>A page of HR imports' ends sent again for a replay, as each end was announced.</summary>
public sealed record ImportsReplayed(Guid ReplayId, int Page, IReadOnlyList<ImportFinished> Ends, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Imports;
    int IReplayPage.Count => Ends.Count;
}
