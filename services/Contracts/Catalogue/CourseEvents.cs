namespace LmsPlatform.Contracts.Catalogue;

/// <summary>A course was created as a draft in the catalogue.</summary>
public sealed record CourseCreated(Guid CourseId, string Code, string Title, DateTimeOffset CreatedAt) : IIntegrationEvent;
