namespace LmsPlatform.Contracts.Identity;

/// <summary>The HR attributes of a user that other services (audience rules, reports) follow.</summary>
/// <remarks><see cref="Email"/> is null for a directory record provisioned without one (SCIM needs only a user name).</remarks>
public sealed record UserProfile(
    string? Email,
    string GivenName,
    string FamilyName,
    string? ExternalId,
    string? JobTitle,
    string? Location,
    DateOnly? HireDate,
    Guid? ManagerId,
    Guid? OrgUnitId,
    string Status);

/// <summary>A user was created in identity. Consumers keep the copy of the user they need.</summary>
/// <remarks>Version 2 added <see cref="Profile"/>; it is null in messages written before it existed.</remarks>
public sealed record UserCreated(
    Guid UserId,
    string? Email,
    string GivenName,
    string FamilyName,
    string? ExternalId,
    DateTimeOffset CreatedAt) : IIntegrationEvent
{
    public UserProfile? Profile { get; init; }
}

/// <summary>
/// A user's attributes changed. <see cref="Changed"/> names the attributes (camelCase, as in <see cref="UserProfile"/>)
/// whose values differ from before; <see cref="Profile"/> is the whole profile after the change.
/// </summary>
public sealed record UserUpdated(Guid UserId, IReadOnlyList<string> Changed, UserProfile Profile, DateTimeOffset UpdatedAt) : IIntegrationEvent;

public sealed record UserDeactivated(Guid UserId, string Reason, DateTimeOffset DeactivatedAt) : IIntegrationEvent;

public sealed record UserReactivated(Guid UserId, DateTimeOffset ReactivatedAt) : IIntegrationEvent;

/// <summary>A user signed in (<see cref="Method"/>: "password"): what analytics counts as people active on the platform.</summary>
public sealed record UserSignedIn(Guid UserId, string Method, DateTimeOffset At) : IIntegrationEvent;

/// <summary>
/// A change of where a person sits or whether they count (org unit, manager, status), as identity's audit trail
/// recorded it: the status is the <see cref="UserProfile.Status"/> word (null only in an entry that lacks it).
/// </summary>
public sealed record ReplayedPlacementChange(Guid UserId, DateTimeOffset At, Guid? FromOrgUnitId, Guid? FromManagerId, string? FromStatus,
    Guid? ToOrgUnitId, Guid? ToManagerId, string? ToStatus);

/// <summary>A page of people's placement changes sent again for a replay.</summary>
public sealed record PlacementsReplayed(Guid ReplayId, int Page, IReadOnlyList<ReplayedPlacementChange> Changes, bool Last, long Total, DateTimeOffset At)
    : IReplayPage
{
    string IReplayPage.Source => ReplaySources.Placements;
    int IReplayPage.Count => Changes.Count;
}

/// <summary>A page of identity's sign-in log sent again for a replay, each sign-in as it was announced.</summary>
public sealed record SignInsReplayed(Guid ReplayId, int Page, IReadOnlyList<UserSignedIn> SignIns, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.SignIns;
    int IReplayPage.Count => SignIns.Count;
}

/// <summary>A user's personal data was erased (GDPR). Consumers must drop or anonymise their copies.</summary>
public sealed record UserErased(Guid UserId, DateTimeOffset ErasedAt) : IIntegrationEvent;

/// <summary>
/// A password reset was asked for. The notification service delivers <see cref="ResetUrl"/> to <see cref="Email"/>;
/// nothing may log it, because the link holds the single-use token.
/// </summary>
public sealed record PasswordResetRequested(Guid UserId, string Email, string GivenName, string ResetUrl, DateTimeOffset ExpiresAt) : IIntegrationEvent
{
    public override string ToString() => $"PasswordResetRequested {{ UserId = {UserId}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// A user was invited to set their password: the notification service delivers <see cref="SetPasswordUrl"/>, a
/// single-use link valid until <see cref="ExpiresAt"/>, to <see cref="Email"/>. A new invitation replaces the last one.
/// Nothing may log the link.
/// </summary>
public sealed record UserInvited(Guid UserId, string Email, string GivenName, string SetPasswordUrl, DateTimeOffset ExpiresAt, string InvitedBy) : IIntegrationEvent
{
    public override string ToString() => $"UserInvited {{ UserId = {UserId}, ExpiresAt = {ExpiresAt:O} }}";
}

/// <summary>
/// A person as a replay sends them: their profile as it is (status included) and when it and the status were last
/// set, so that a copy applies it like the events it stands for; erased people carry no personal data.
/// </summary>
public sealed record ReplayedPerson(Guid UserId, DateTimeOffset CreatedAt, UserProfile Profile, DateTimeOffset ProfileAt, DateTimeOffset? ErasedAt);

/// <summary>A page of identity's people sent again for a replay, in id order.</summary>
public sealed record PeopleReplayed(Guid ReplayId, int Page, IReadOnlyList<ReplayedPerson> People, bool Last, long Total, DateTimeOffset At) : IReplayPage
{
    string IReplayPage.Source => ReplaySources.People;
    int IReplayPage.Count => People.Count;
}
