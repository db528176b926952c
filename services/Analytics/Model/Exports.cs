namespace LmsPlatform.Analytics.Model;

/// <summary>
/// A report's rows prepared as a file in the background (ADR 0025), for lists too long to wait for as a download: the
/// caller's scope and query as they asked, its progress while it is written, and the finished file
/// (<see cref="ExportFile"/>) kept for <see cref="Lifetime"/>.
/// </summary>
public sealed class ExportJob
{
    public const string Queued = "Queued", Running = "Running", Completed = "Completed", Failed = "Failed";

    /// <summary>How long a prepared file is kept.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    /// <summary>The list: "overdue" or "expiring".</summary>
    public string Report { get; set; } = "";
    /// <summary>"csv" or "xlsx".</summary>
    public string Format { get; set; } = "csv";
    /// <summary>The report query as asked (JSON), and the look ahead of an expiring list.</summary>
    public string Query { get; set; } = "{}";
    public int? Within { get; set; }
    /// <summary>Whom the caller could report on when they asked (JSON of the report scope): the file holds no one else.</summary>
    public string Scope { get; set; } = "{}";
    public string Status { get; set; } = Queued;
    public long Rows { get; set; }
    public long? TotalRows { get; set; }
    public string? FileName { get; set; }
    public long? Size { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    /// <summary>While running, until when the replica writing it holds it; a replica that died lets it go, and another takes it again.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>
/// One part of a prepared export's file, apart from its job so that listing jobs never reads the files. The file is kept
/// in parts of <see cref="PartSize"/>, written and read one at a time, so neither holds the whole file in memory.
/// </summary>
public sealed class ExportFile
{
    public const int PartSize = 1 << 20;

    public Guid JobId { get; set; }
    public int Part { get; set; }
    public byte[] Content { get; set; } = [];
}
