namespace LmsPlatform.Enrolment.Model;

/// <summary>What a file brings: assignments (people on courses, with due dates), or completions of the past (a migration).</summary>
public enum EnrolmentImportKind { Enrolments, Completions }

/// <summary>
/// Queued → Planning → Planned (the dry run: what each row would do) → ApplyRequested → Applying → Completed; Failed
/// when the file itself is unusable. An administrator applies it after reading the dry run.
/// </summary>
public enum EnrolmentImportStatus { Queued, Planning, Planned, ApplyRequested, Applying, Completed, Failed }

/// <summary>
/// A CSV import of enrolments or historical completions: the file, its dry run, the progress of its application
/// (<see cref="ProcessedRows"/>, committed with each chunk, so a restarted worker carries on after the last one), and
/// the rows it refused (<see cref="EnrolmentImportError"/>).
/// </summary>
public sealed class EnrolmentImport
{
    public Guid Id { get; set; }
    public EnrolmentImportKind Kind { get; set; }
    public EnrolmentImportStatus Status { get; set; }
    public required string FileName { get; set; }
    public required byte[] Content { get; set; }
    public int TotalRows { get; set; }
    public int ProcessedRows { get; set; }
    /// <summary>Rows that enrol someone (and, for completions, record the completion).</summary>
    public int ToEnrol { get; set; }
    /// <summary>Completions recorded on existing enrolments.</summary>
    public int ToComplete { get; set; }
    /// <summary>Rows that change nothing: enrolled (or completed on that day) already.</summary>
    public int Unchanged { get; set; }
    public int ErrorRows { get; set; }
    public string? Message { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? PlannedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>Written with each chunk; a job whose heartbeat is stale is taken up again by any replica.</summary>
    public DateTimeOffset? HeartbeatAt { get; set; }
    public Guid? CreatedById { get; set; }
    public required string CreatedByName { get; set; }

    public EnrolmentActor Actor => new(CreatedById, CreatedByName);
}

/// <summary>A row the import refused: row 1 is the first data row after the header.</summary>
public sealed class EnrolmentImportError
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public int Row { get; set; }
    public string? Column { get; set; }
    public required string Reason { get; set; }
}
