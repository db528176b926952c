namespace LmsPlatform.Contracts;

/// <summary>
/// Marks a record as an integration event: versioned by its full type name, past tense, published only through a
/// service's transactional outbox. Add fields at the end and keep old ones; a breaking change is a new type.
/// </summary>
public interface IIntegrationEvent;
