namespace LmsPlatform.Contracts.Identity;

/// <summary>A user was created in identity. Consumers keep the copy of the user they need.</summary>
public sealed record UserCreated(
    Guid UserId,
    string Email,
    string GivenName,
    string FamilyName,
    string? ExternalId,
    DateTimeOffset CreatedAt) : IIntegrationEvent;
