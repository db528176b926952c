using System.Text.Json;
using LmsPlatform.ContentDelivery.Infrastructure.Xapi;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>The outcome of storing statements: their ids in the order sent, or the status and reason of the refusal.</summary>
public sealed record IntakeResult(IReadOnlyList<Guid> Ids, int Status = StatusCodes.Status200OK, string? Reason = null, IReadOnlyList<string>? Faults = null)
{
    public static IntakeResult Refused(int status, string reason, IReadOnlyList<string>? faults = null) => new([], status, reason, faults);
}

/// <summary>
/// The one door statements come into the LRS by, whoever sends them (an outside tool, a cmi5 AU, the platform's own
/// players): validate every statement (a fault in one refuses the batch), check the caller may write (and void),
/// match attachments to their parts by SHA-2, set the LRS's own properties, and store the batch whole. Then hand the
/// stored statements to whoever follows them (<see cref="IStatementObserver"/>).
/// </summary>
public sealed class StatementIntake(StatementStore store, TimeProvider time, IEnumerable<IStatementObserver> observers)
{
    /// <summary>A valid statement as the store takes it: completed with the LRS's properties, with the keys it is found by.</summary>
    public static IncomingStatement Prepare(JsonElement sent, Guid id, DateTimeOffset stored, JsonElement authority, XapiVersion version, string[]? attachments = null) =>
        new(id, StatementDocument.CompleteJson(sent, id, stored, authority, version), stored, StatementFacts.Of(sent, authority) with { Id = id }, sent, attachments ?? []);

    /// <param name="alongside">
    /// A change of the LMS's own that the statements record (a waiver), made in the store's transaction, so both are
    /// written or neither is. It runs again if the store retries.
    /// </param>
    public async Task<IntakeResult> StoreAsync(JsonElement body, Guid? statementId, XapiCaller caller, XapiVersion version,
        IReadOnlyList<AttachmentContent> parts, CancellationToken cancellationToken, Func<Task>? alongside = null)
    {
        if (!XapiScopes.CanWriteStatements(caller.Scopes))
            return IntakeResult.Refused(StatusCodes.Status403Forbidden, "This credential may not write statements.");
        var single = body.ValueKind == JsonValueKind.Object;
        if (statementId is not null && !single)
            return IntakeResult.Refused(StatusCodes.Status400BadRequest, "PUT takes one statement (a JSON object).");
        if (!single && body.ValueKind != JsonValueKind.Array)
            return IntakeResult.Refused(StatusCodes.Status400BadRequest, "The body must be a statement (a JSON object) or an array of statements.");
        var sent = single ? [body] : body.EnumerateArray().ToList();

        var faults = new List<string>();
        for (var i = 0; i < sent.Count; i++) faults.AddRange(StatementValidator.Validate(sent[i], version, single ? "" : $"[{i}]"));
        if (faults.Count > 0) return IntakeResult.Refused(StatusCodes.Status400BadRequest, "A statement is not valid xAPI: " + faults[0], faults);

        var ids = new List<Guid>(sent.Count);
        foreach (var statement in sent)
        {
            Guid id;
            if (statement.TryGetProperty("id", out var given))
            {
                id = Guid.Parse(given.GetString()!);
                if (statementId is { } put && put != id)
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"The statement's id {id} is not the statementId {put} it is PUT at.");
            }
            else id = statementId ?? Guid.CreateVersion7();
            ids.Add(id);
        }
        if (ids.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1) is { } twice)
            return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"The batch holds the id {twice.Key} twice.");

        // Attachments: every one without a fileUrl has its bytes in a part, and every part belongs to an attachment.
        var hashes = new List<string[]>(sent.Count);
        var declared = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var statement in sent)
        {
            var own = new List<string>();
            if (statement.TryGetProperty("attachments", out var attachments))
                foreach (var attachment in attachments.EnumerateArray())
                {
                    var sha2 = attachment.GetProperty("sha2").GetString()!.ToLowerInvariant();
                    declared.Add(sha2);
                    var part = parts.FirstOrDefault(p => string.Equals(p.Sha2, sha2, StringComparison.OrdinalIgnoreCase));
                    if (part is not null) own.Add(sha2);
                    else if (!attachment.TryGetProperty("fileUrl", out _))
                        return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"The attachment with sha2 {sha2} has no fileUrl and no part with its bytes.");
                }
            hashes.Add([.. own]);
        }
        for (var i = 0; i < sent.Count; i++)
            if (SignedStatement.SignatureHash(sent[i]) is { } signed)
            {
                var jws = parts.FirstOrDefault(p => string.Equals(p.Sha2, signed, StringComparison.OrdinalIgnoreCase));
                if (jws is null) return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"{Where(i)}The signature attachment must come with its bytes, not a fileUrl.");
                if (SignedStatement.Check(sent[i], jws.Content, version) is { } malformed) return IntakeResult.Refused(StatusCodes.Status400BadRequest, Where(i) + malformed);
            }
        string Where(int i) => single ? "" : $"[{i}] ";
        if (parts.FirstOrDefault(p => !declared.Contains(p.Sha2)) is { } stray)
            return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"The part with X-Experience-API-Hash {stray.Sha2} belongs to no attachment of these statements.");

        if (caller.Cmi5 is { } launch && Cmi5Rules.Check(sent, launch) is { } broken) return broken;

        var stored = time.GetUtcNow();
        var authority = JsonSerializer.SerializeToElement(caller.Authority);
        var incoming = sent.Select((s, i) => Prepare(s, ids[i], stored, authority, version, hashes[i])).ToList();
        var conflict = await store.StoreAsync(incoming, parts, stored, async fresh =>
        {
            var followUps = new List<IncomingStatement>();
            if (alongside is not null) await alongside();
            foreach (var observer in observers) followUps.AddRange(await observer.StoredAsync(fresh, caller, cancellationToken));
            return followUps;
        }, cancellationToken);
        if (conflict is { } conflicting)
            return IntakeResult.Refused(StatusCodes.Status409Conflict, $"A different statement with the id {conflicting} is already stored; a stored statement never changes.");
        return new IntakeResult(ids);
    }
}

/// <summary>
/// Something that follows statements as they are stored (enrolment progress from statements, cmi5's satisfaction). It
/// runs inside the store's transaction with the statements that were new, writes through the same DbContext, and may
/// return statements of the LMS's own that follow from them (cmi5's "satisfied"), stored in the same transaction.
/// </summary>
public interface IStatementObserver
{
    Task<IReadOnlyList<IncomingStatement>> StoredAsync(IReadOnlyList<IncomingStatement> statements, XapiCaller caller, CancellationToken cancellationToken);
}
