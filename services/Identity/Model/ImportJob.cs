using LmsPlatform.ServiceDefaults.Csv;
namespace LmsPlatform.Identity.Model;

public enum ImportKind { Users, OrgUnits }

/// <summary>
/// Queued → Planning → Planned (the dry run: what would change) → Applying → Completed; Failed when the file itself is
/// unusable. Apply is asked for by an administrator after reading the dry run.
/// </summary>
public enum ImportStatus { Queued, Planning, Planned, ApplyRequested, Applying, Completed, Failed }

/// <summary>An HR CSV import: the uploaded file, its options, progress and outcome.</summary>
public sealed class ImportJob
{
    /// <summary>A job's figures and outcome without its file (which may be megabytes).</summary>
    public static readonly System.Linq.Expressions.Expression<Func<ImportJob, ImportJob>> WithoutFile = j => new ImportJob
    {
        Id = j.Id, Kind = j.Kind, Status = j.Status, FileName = j.FileName, Content = Array.Empty<byte>(), CreatedByName = j.CreatedByName, Message = j.Message,
        TotalRows = j.TotalRows, ErrorRows = j.ErrorRows, ToCreate = j.ToCreate, ToUpdate = j.ToUpdate, ToMove = j.ToMove,
        ToDeactivate = j.ToDeactivate, Unchanged = j.Unchanged, CompletedAt = j.CompletedAt, RefusedAt = j.RefusedAt,
    };

    public Guid Id { get; set; }
    public ImportKind Kind { get; set; }
    public ImportStatus Status { get; set; }
    public required string FileName { get; set; }
    public required byte[] Content { get; set; }
    /// <summary>A full HR extract: active HR-managed users (or units) missing from the file are deactivated.</summary>
    public bool DeactivateMissing { get; set; }
    /// <summary>The administrator confirmed deactivations above the safety threshold.</summary>
    public bool ConfirmDeactivations { get; set; }
    public int TotalRows { get; set; }
    public int ProcessedRows { get; set; }
    public int ErrorRows { get; set; }
    public int ToCreate { get; set; }
    public int ToUpdate { get; set; }
    public int ToMove { get; set; }
    public int ToDeactivate { get; set; }
    public int Unchanged { get; set; }
    /// <summary>Deactivations as a percentage of active HR-managed records, as planned.</summary>
    public double DeactivationPercent { get; set; }
    public string? Message { get; set; }
    /// <summary>Up to 200 planned changes (JSON), shown by the dry run.</summary>
    public string? Preview { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PlannedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>When applying it was last refused by the deactivation threshold (announced as <c>refused</c>).</summary>
    public DateTimeOffset? RefusedAt { get; set; }
    /// <summary>Renewed while a worker plans or applies the job; a stale heartbeat means the worker died and the job is taken up again.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
    public string? CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public string? CreatedFromIp { get; set; }
}

/// <summary>A row the import refused: row number (1 = first data row after the header), column and reason.</summary>
public sealed class ImportRowError
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public int Row { get; set; }
    public string? Column { get; set; }
    public required string Reason { get; set; }
}
