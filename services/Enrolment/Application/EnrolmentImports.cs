using System.Globalization;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.ServiceDefaults.Domain;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>One data row, resolved: the person and course it names, its dates and note; or why it cannot be used.</summary>
public sealed record ImportLine(int Row, Guid UserId, Guid CourseId, DateTimeOffset? DueAt, DateTimeOffset? CompletedAt, string? Note);

/// <summary>What a row did (or, in a dry run, would do).</summary>
public enum LineOutcome { Enrol, Complete, Unchanged, Refused }

public sealed class EnrolmentImportOptions
{
    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;
    /// <summary>Rows applied per transaction (and per progress step).</summary>
    public int Chunk { get; set; } = 500;
}

/// <summary>
/// CSV imports of enrolments and of historical completions. A row names a person (<c>email</c>, <c>employeeNumber</c>
/// or <c>userId</c>) and a course (<c>course</c> code or <c>courseId</c>); an enrolment row may give a <c>dueDate</c>,
/// a completion row must give <c>completedOn</c> (not in the future). The dry run and the application run the same
/// code (<see cref="ProcessAsync"/>): the dry run discards what it did, the application commits it chunk by chunk, and
/// a row applied twice (a resumed job) is unchanged the second time. Enrolments go through <see cref="Assignments"/>,
/// prerequisites and all; a completion of the past is a record, so it is taken for anyone enrolment knows (leavers
/// too) on any course that was ever published, and its enrolment takes effect on the day of the completion.
/// </summary>
public sealed class EnrolmentImports(EnrolmentDbContext db, Assignments assignments, TimeProvider time, Microsoft.Extensions.Options.IOptions<EnrolmentImportOptions> options)
{
    /// <summary>The dry run: every row processed as one (so a person twice in the file counts once), nothing kept but the counts and the refusals.</summary>
    public async Task PlanAsync(Guid jobId, CancellationToken ct)
    {
        var job = await db.EnrolmentImports.AsNoTracking().FirstAsync(j => j.Id == jobId, ct);
        var (lines, errors, fileError) = await ReadAsync(job, ct);
        var results = fileError is null ? await ProcessAsync(job, lines, ct) : [];
        db.ChangeTracker.Clear();
        job = await db.EnrolmentImports.FirstAsync(j => j.Id == jobId, ct);
        await db.EnrolmentImportErrors.Where(e => e.JobId == jobId).ExecuteDeleteAsync(ct);
        var now = time.GetUtcNow();
        if (fileError is not null)
            (job.Status, job.Message, job.CompletedAt) = (EnrolmentImportStatus.Failed, fileError, now);
        else
        {
            var refused = errors.Concat(results.Where(r => r.Error is not null).Select(r => r.Error!)).ToList();
            Count(job, results, refused.Count);
            job.TotalRows = lines.Count + errors.Select(e => e.Row).Distinct().Count();
            (job.Status, job.PlannedAt, job.ProcessedRows) = (EnrolmentImportStatus.Planned, now, 0);
            Record(job, refused);
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Applies the rows after the last one applied, a chunk per transaction (its enrolments, ledger entries, refusals
    /// and the progress together), and completes the job.
    /// </summary>
    public async Task ApplyAsync(Guid jobId, CancellationToken ct)
    {
        var job = await db.EnrolmentImports.FirstAsync(j => j.Id == jobId, ct);
        var (lines, errors, fileError) = await ReadAsync(job, ct);
        if (fileError is not null) throw new InvalidOperationException(fileError);
        if (job.ProcessedRows == 0)
        {
            // A fresh application: the report is this run's (the unreadable rows again, then each chunk's refusals).
            await db.EnrolmentImportErrors.Where(e => e.JobId == jobId).ExecuteDeleteAsync(ct);
            (job.ToEnrol, job.ToComplete, job.Unchanged, job.ErrorRows) = (0, 0, 0, errors.Count);
            Record(job, errors);
            await db.SaveChangesAsync(ct);
        }
        foreach (var chunk in lines.Where(l => l.Row > job.ProcessedRows).OrderBy(l => l.Row).Chunk(Math.Max(1, options.Value.Chunk)))
        {
            var results = await ProcessAsync(job, chunk, ct);
            var refused = results.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
            job.ErrorRows += refused.Count;
            Count(job, results, job.ErrorRows, add: true);
            Record(job, refused);
            (job.ProcessedRows, job.HeartbeatAt) = (chunk[^1].Row, time.GetUtcNow());
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            job = await db.EnrolmentImports.FirstAsync(j => j.Id == jobId, ct);
        }
        (job.Status, job.ProcessedRows, job.CompletedAt) = (EnrolmentImportStatus.Completed, job.TotalRows, time.GetUtcNow());
        job.Message = $"{job.ToEnrol} enrolled, {job.ToComplete} completions recorded, {job.Unchanged} unchanged, {job.ErrorRows} rows refused.";
        await db.SaveChangesAsync(ct);
    }

    private static void Count(EnrolmentImport job, IEnumerable<(ImportLine Line, LineOutcome Outcome, RowError? Error)> results, int errorRows, bool add = false)
    {
        var list = results.ToList();
        var (enrol, complete, unchanged) = (list.Count(r => r.Outcome == LineOutcome.Enrol), list.Count(r => r.Outcome == LineOutcome.Complete),
            list.Count(r => r.Outcome == LineOutcome.Unchanged));
        if (add) (job.ToEnrol, job.ToComplete, job.Unchanged) = (job.ToEnrol + enrol, job.ToComplete + complete, job.Unchanged + unchanged);
        else (job.ToEnrol, job.ToComplete, job.Unchanged) = (enrol, complete, unchanged);
        job.ErrorRows = errorRows;
    }

    private void Record(EnrolmentImport job, IEnumerable<RowError> errors) =>
        db.EnrolmentImportErrors.AddRange(errors.Select(e => new EnrolmentImportError { JobId = job.Id, Row = e.Row, Column = e.Column, Reason = e.Reason.Length > 500 ? e.Reason[..500] : e.Reason }));

    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["email"] = "email", ["emailaddress"] = "email", ["mail"] = "email",
        ["employeenumber"] = "externalId", ["employeeid"] = "externalId", ["externalid"] = "externalId",
        ["userid"] = "userId",
        ["course"] = "course", ["coursecode"] = "course", ["code"] = "course",
        ["courseid"] = "courseId",
        ["duedate"] = "dueDate", ["due"] = "dueDate", ["dueon"] = "dueDate",
        ["completedon"] = "completedOn", ["completed"] = "completedOn", ["completiondate"] = "completedOn", ["completedat"] = "completedOn",
        ["note"] = "note", ["reason"] = "note", ["comment"] = "note",
    };

    /// <summary>Reads the file and resolves each row, or says why the file as a whole cannot be used.</summary>
    public async Task<(List<ImportLine> Lines, List<RowError> Errors, string? FileError)> ReadAsync(EnrolmentImport job, CancellationToken ct)
    {
        var required = job.Kind == EnrolmentImportKind.Completions ? new[] { "completedOn" } : [];
        var content = CsvFile.Read(job.Content, Aliases, required);
        if (content.FileError is { } fileError) return ([], [], fileError);
        var rows = content.Rows;
        var columns = rows.SelectMany(r => r.Cells.Keys).ToHashSet();
        if (!columns.Overlaps(["email", "externalId", "userId"]))
            return ([], [], "The file needs a column naming the person: email, employeeNumber or userId.");
        if (!columns.Overlaps(["course", "courseId"]))
            return ([], [], "The file needs a column naming the course: course (its code) or courseId.");

        var emails = rows.Select(r => r["email"]?.ToLowerInvariant()).OfType<string>().Distinct().ToList();
        var externalIds = rows.Select(r => r["externalId"]).OfType<string>().Distinct().ToList();
        var people = await db.Learners.AsNoTracking().Where(l => emails.Contains(l.Email.ToLower()) || (l.ExternalId != null && externalIds.Contains(l.ExternalId)))
            .Select(l => new { l.UserId, l.Email, l.ExternalId }).ToListAsync(ct);
        var byEmail = people.GroupBy(p => p.Email.ToLowerInvariant()).ToDictionary(g => g.Key, g => g.First().UserId);
        var byExternalId = people.Where(p => p.ExternalId != null).GroupBy(p => p.ExternalId!).ToDictionary(g => g.Key, g => g.First().UserId);
        var codes = rows.Select(r => r["course"]?.ToUpperInvariant()).OfType<string>().Distinct().ToList();
        var courses = await db.Courses.AsNoTracking().Where(c => codes.Contains(c.Code)).ToDictionaryAsync(c => c.Code, c => c.CourseId, ct);

        var now = time.GetUtcNow();
        var lines = new List<ImportLine>(rows.Count);
        var errors = new List<RowError>(content.Errors);
        foreach (var row in rows)
        {
            Guid? user = row["userId"] is { } id ? (Guid.TryParse(id, out var g) ? g : null)
                : row["email"] is { } email ? byEmail.GetValueOrDefault(email.ToLowerInvariant()) is { } e && e != Guid.Empty ? e : null
                : row["externalId"] is { } external && byExternalId.TryGetValue(external, out var x) ? x : null;
            Guid? course = row["courseId"] is { } cid ? (Guid.TryParse(cid, out var c) ? c : null)
                : row["course"] is { } code && courses.TryGetValue(code.ToUpperInvariant(), out var k) ? k : null;
            var error = user is null ? new RowError(row.Row, PersonColumn(row), $"no such person: {row["userId"] ?? row["email"] ?? row["externalId"] ?? "(empty)"}")
                : course is null ? new RowError(row.Row, row["courseId"] is null ? "course" : "courseId", $"no such course: {row["course"] ?? row["courseId"] ?? "(empty)"}")
                : null;
            DateTimeOffset? due = null, completed = null;
            if (error is null && row["dueDate"] is { } dueText)
            {
                if (ParseDate(dueText) is { } d && d.AddDays(1) > now) due = d.AddDays(1).AddSeconds(-1); // the end of the day: the person has all of it
                else error = new RowError(row.Row, "dueDate", $"must be a date (yyyy-mm-dd) that has not passed: {dueText}");
            }
            if (error is null && job.Kind == EnrolmentImportKind.Completions)
            {
                if (row["completedOn"] is { } doneText && ParseDate(doneText) is { } d && d <= now) completed = d.AddHours(12) > now ? now : d.AddHours(12);
                else error = new RowError(row.Row, "completedOn", $"must be a date (yyyy-mm-dd), not in the future: {row["completedOn"] ?? "(empty)"}");
            }
            if (error is null && row["note"] is { Length: > 300 }) error = new RowError(row.Row, "note", "must be at most 300 characters");
            if (error is not null) errors.Add(error);
            else lines.Add(new ImportLine(row.Row, user!.Value, course!.Value, due, completed, row["note"]));
        }
        return (lines, errors, null);
    }

    /// <summary>
    /// What each line does: enrols, completes, changes nothing, or is refused (and why). Changes are made in the
    /// context (tracked); the caller saves them (apply) or throws them away (the dry run).
    /// </summary>
    public async Task<List<(ImportLine Line, LineOutcome Outcome, RowError? Error)>> ProcessAsync(EnrolmentImport job, IReadOnlyList<ImportLine> lines, CancellationToken ct)
    {
        var results = new List<(ImportLine, LineOutcome, RowError?)>(lines.Count);
        if (job.Kind == EnrolmentImportKind.Enrolments)
        {
            foreach (var group in lines.GroupBy(l => (l.CourseId, l.DueAt, l.Note)))
            {
                IReadOnlyList<AssignmentOutcome> outcomes;
                try
                {
                    outcomes = await assignments.AddAsync([.. group.Select(l => l.UserId)], group.Key.CourseId, group.Key.DueAt,
                        new EnrolmentSource(EnrolmentSourceKind.Import, job.Id.ToString(), group.Key.Note ?? $"Imported from {job.FileName}"), job.Actor, ct);
                }
                catch (DomainRuleException ex)
                {
                    results.AddRange(group.Select(l => (l, LineOutcome.Refused, (RowError?)new RowError(l.Row, "course", ex.Message))));
                    continue;
                }
                var byUser = outcomes.ToDictionary(o => o.UserId);
                var seen = new HashSet<Guid>();
                foreach (var line in group)
                {
                    var outcome = byUser[line.UserId];
                    // The same person twice in the file: the first row enrols, the second changes nothing.
                    if (!seen.Add(line.UserId) && outcome.Result != AssignmentResult.Refused) outcome = outcome with { Result = AssignmentResult.AlreadyEnrolled };
                    results.Add(outcome.Result switch
                    {
                        AssignmentResult.Enrolled => (line, LineOutcome.Enrol, null),
                        AssignmentResult.AlreadyEnrolled => (line, LineOutcome.Unchanged, null),
                        _ => (line, LineOutcome.Refused, new RowError(line.Row, PersonColumn(null), $"the person {outcome.Reason}")),
                    });
                }
            }
            return results;
        }

        var userIds = lines.Select(l => l.UserId).Distinct().ToList();
        var courseIds = lines.Select(l => l.CourseId).Distinct().ToList();
        var learners = await db.Learners.AsNoTracking().Where(l => userIds.Contains(l.UserId)).ToDictionaryAsync(l => l.UserId, ct);
        var courses = await db.Courses.AsNoTracking().Where(c => courseIds.Contains(c.CourseId)).ToDictionaryAsync(c => c.CourseId, ct);
        var enrolments = (await db.Enrolments.Where(e => userIds.Contains(e.UserId) && courseIds.Contains(e.CourseId)).ToListAsync(ct))
            .ToDictionary(e => (e.UserId, e.CourseId));
        var now = time.GetUtcNow();
        foreach (var line in lines)
        {
            var at = line.CompletedAt!.Value;
            if (!learners.TryGetValue(line.UserId, out var learner) || learner.Erased)
                results.Add((line, LineOutcome.Refused, new RowError(line.Row, PersonColumn(null), "the person is not a known user")));
            else if (!courses.TryGetValue(line.CourseId, out var course) || course.Version == 0)
                results.Add((line, LineOutcome.Refused, new RowError(line.Row, "course", "the course was never published")));
            else
            {
                var reason = line.Note ?? $"Imported from {job.FileName}";
                try
                {
                    if (!enrolments.TryGetValue((line.UserId, line.CourseId), out var enrolment))
                    {
                        enrolment = CourseEnrolment.Enrol(line.UserId, line.CourseId, course.Version,
                            new EnrolmentSource(EnrolmentSourceKind.Import, job.Id.ToString(), reason), null, job.Actor, now, at);
                        db.Enrolments.Add(enrolment);
                        enrolments[(line.UserId, line.CourseId)] = enrolment;
                        enrolment.RecordCompletion(at, job.Actor, reason, now);
                        results.Add((line, LineOutcome.Enrol, null));
                    }
                    else if (enrolment.Status == EnrolmentStatus.Completed && enrolment.CompletedAt is { } done && Math.Abs((done - at).TotalDays) < 1)
                        results.Add((line, LineOutcome.Unchanged, null));
                    else
                    {
                        enrolment.RecordCompletion(at, job.Actor, reason, now);
                        results.Add((line, LineOutcome.Complete, null));
                    }
                }
                catch (DomainRuleException ex)
                {
                    results.Add((line, LineOutcome.Refused, new RowError(line.Row, "completedOn", ex.Message)));
                }
            }
        }
        return results;
    }

    private static string PersonColumn(CsvRow? row) => row?["userId"] is not null ? "userId" : row?["email"] is not null || row is null ? "email" : "employeeNumber";

    private static DateTimeOffset? ParseDate(string text) =>
        DateOnly.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyy/MM/dd", "dd.MM.yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : null;
}
