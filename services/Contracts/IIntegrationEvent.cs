namespace LmsPlatform.Contracts;

/// <summary>
/// Marks a record as an integration event: versioned by its full type name, past tense, published only through a
/// service's transactional outbox. Add fields at the end and keep old ones; a breaking change is a new type.
/// The first <see cref="System.Guid"/> of the record's primary constructor is the aggregate the event is about: events of
/// one aggregate are published in the order they were written.
/// </summary>
public interface IIntegrationEvent;
