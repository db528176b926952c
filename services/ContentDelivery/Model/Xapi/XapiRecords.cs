namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// A statement in the LRS: the statement as stored (JSON, with the LRS's own properties), its place in the order of
/// arrival (<see cref="Seq"/>, which paging follows), what it is found by (<see cref="StatementFacts"/>'s keys), the
/// statement it refers to or voids, and whether it has been voided. Written by the statement store's bulk path only.
/// </summary>
public sealed class StoredStatement
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public DateTimeOffset Stored { get; set; }
    public string[] Keys { get; set; } = [];
    public Guid? RefersTo { get; set; }
    public Guid? Voids { get; set; }
    public bool Voided { get; set; }
    public string Statement { get; set; } = "";
    /// <summary>The SHA-2 of each attachment whose bytes the LRS holds (sent as a part, not by <c>fileUrl</c>).</summary>
    public string[] Attachments { get; set; } = [];
}

/// <summary>The LRS's canonical definition of an activity: everything learned about it from statements, language maps merged.</summary>
public sealed class XapiActivity
{
    public string Id { get; set; } = "";
    public string Definition { get; set; } = "{}";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An attachment's bytes, stored once per SHA-2 however many statements carry it.</summary>
public sealed class XapiAttachment
{
    public string Sha2 { get; set; } = "";
    public string ContentType { get; set; } = "";
    public byte[] Content { get; set; } = [];
}

/// <summary>The document resources of xAPI: State (an activity, an agent, a registration), Activity Profile and Agent Profile.</summary>
public enum XapiDocumentKind
{
    State,
    ActivityProfile,
    AgentProfile,
}

/// <summary>
/// A document kept for a client (a State, an Activity Profile or an Agent Profile): its bytes and content type as sent,
/// keyed by kind, activity, agent (by identifier), registration and the client's id for it. Its ETag is the SHA-1 of
/// its bytes, as xAPI says.
/// </summary>
public sealed class XapiDocument
{
    public long Id { get; set; }
    public XapiDocumentKind Kind { get; set; }
    public string ActivityId { get; set; } = "";
    public string AgentKey { get; set; } = "";
    public Guid? Registration { get; set; }
    public string DocumentId { get; set; } = "";
    public string ContentType { get; set; } = "";
    public byte[] Content { get; set; } = [];
    public string ETag { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
}
