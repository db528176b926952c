using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Xapi;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Xapi;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>An opened cmi5 session: the registration, the AU, and the URL that launches it with cmi5's parameters.</summary>
public sealed record OpenedCmi5(Cmi5Registration Registration, Cmi5Session Session, ContentPackage Package, PackageActivity Au, string LaunchUrl);

/// <summary>
/// Launches a cmi5 AU the way cmi5 says an LMS does:
/// <list type="number">
/// <item>the registration (the learner's enrolment in the course: resumed, or new once satisfied and asked for);</item>
/// <item>an earlier session of it that never terminated is abandoned, with the "abandoned" statement;</item>
/// <item>a new session with a one-time fetch token;</item>
/// <item><c>LMS.LaunchData</c> in the State resource;</item>
/// <item>the "launched" statement;</item>
/// <item>the launch URL with <c>endpoint</c>, <c>fetch</c>, <c>actor</c>, <c>registration</c> and <c>activityId</c>.</item>
/// </list>
/// The AU's activity id is the LMS's own IRI for it (never its publisher id, which goes in the grouping activity).
/// </summary>
public sealed class Cmi5Launches(ContentDbContext db, StatementIntake intake, Documents documents, XapiAuthentication people, Cmi5Statements cmi5,
    RuntimeTokens tokens, TimeProvider time)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(4);

    public async Task<OpenedCmi5> OpenAsync(EnrolmentCopy enrolment, Guid activityId, ContentPackage package, string? auId, bool newRegistration,
        string learnerName, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var registration = await db.Cmi5Registrations.Where(r => r.EnrolmentId == enrolment.EnrolmentId && r.ActivityId == activityId)
            .OrderByDescending(r => r.Number).FirstOrDefaultAsync(ct);
        Cmi5Satisfied? satisfiedAtStart = null;
        if (registration is null || (newRegistration && registration.Satisfied) || enrolment.StartedBeforeReset(registration.StartedAt))
        {
            registration = Cmi5Registration.Start(enrolment.EnrolmentId, enrolment.UserId, enrolment.CourseId, activityId, package, (registration?.Number ?? 0) + 1, now);
            db.Cmi5Registrations.Add(registration);
            satisfiedAtStart = new Cmi5Satisfied(registration.SatisfiedBlocks(), registration.Satisfied); // blocks (or all) of NotApplicable AUs
        }
        return await LaunchAsync(registration, package, auId, people.PersonAgent(enrolment.UserId, learnerName), "Normal", satisfiedAtStart, ct);
    }

    /// <summary>
    /// A training manager's preview: the AU launched in cmi5's Browse mode, in a registration of its own that belongs
    /// to no enrolment (it reports to nobody and lists with no attempts), so the AU runs as it would for a learner but
    /// cannot complete, pass or fail anything.
    /// </summary>
    public async Task<OpenedCmi5> PreviewAsync(Guid userId, string name, ContentPackage package, string? auId, CancellationToken ct)
    {
        var registration = Cmi5Registration.Preview(userId, package, time.GetUtcNow());
        db.Cmi5Registrations.Add(registration);
        return await LaunchAsync(registration, package, auId, people.PersonAgent(userId, name), "Browse", null, ct);
    }

    private async Task<OpenedCmi5> LaunchAsync(Cmi5Registration registration, ContentPackage package, string? auId, JsonObject actor, string mode,
        Cmi5Satisfied? satisfiedAtStart, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var au = auId is null
            ? package.Activities.FirstOrDefault(a => !registration.Au(a.ItemId).Satisfied) ?? package.Activities[0]
            : package.Activities.FirstOrDefault(a => a.ItemId == auId) ?? throw ServiceDefaults.Domain.DomainRuleException.Invalid("itemId", $"The course has no AU '{auId}'.");

        var abandoned = await db.Cmi5Sessions.Where(s => s.RegistrationId == registration.Id && s.TerminatedAt == null && s.AbandonedAt == null).ToListAsync(ct);
        foreach (var old in abandoned) old.Abandon(now);
        var auActivityId = cmi5.AuActivityId(package, au.ItemId);
        var (session, fetchToken) = Cmi5Session.Start(registration.Id, registration.UserId, au.ItemId, auActivityId, mode, now, SessionLifetime);
        db.Cmi5Sessions.Add(session);
        registration.Launched(au.ItemId, now);
        await db.SaveChangesAsync(ct);

        var launchData = new JsonObject
        {
            ["contextTemplate"] = Cmi5Statements.Context(au.ItemId, session.Id),
            ["launchMode"] = session.Mode,
            ["moveOn"] = au.MoveOn ?? Cmi5MoveOn.NotApplicable,
        };
        if (au.MasteryScore is { } mastery) launchData["masteryScore"] = mastery;
        if (au.LaunchParameters is { } parameters) launchData["launchParameters"] = parameters;
        var actorKey = AgentKey.Of(actor)!;
        await documents.WriteAsync(new DocumentKey(XapiDocumentKind.State, auActivityId, actorKey, registration.Id, "LMS.LaunchData"),
            JsonSerializer.SerializeToUtf8Bytes(launchData), "application/json", merge: false, new Preconditions(null, null), ct);

        var url = au.Path.Contains("://", StringComparison.Ordinal)
            ? au.Path
            : $"{people.HomePage}/api/content/runtime/{tokens.Issue(registration.Id, package.Id, review: false, now)}/files/{string.Join('/', au.Path.Split('/').Select(Uri.EscapeDataString))}";
        var statements = new List<JsonObject>();
        foreach (var old in abandoned)
            statements.Add(Cmi5Statements.Statement(actor, Cmi5Verbs.Abandoned, old.AuActivityId, registration.Id, old.AuId, old.Id, now,
                result: new JsonObject { ["duration"] = System.Xml.XmlConvert.ToString(now - old.LaunchedAt) }));
        var launched = Cmi5Statements.Statement(actor, Cmi5Verbs.Launched, auActivityId, registration.Id, au.ItemId, session.Id, now);
        var extensions = launched["context"]!["extensions"]!.AsObject();
        extensions[Cmi5Verbs.Extensions + "launchmode"] = session.Mode;
        extensions[Cmi5Verbs.Extensions + "launchurl"] = url;
        extensions[Cmi5Verbs.Extensions + "moveon"] = au.MoveOn ?? Cmi5MoveOn.NotApplicable;
        if (au.MasteryScore is { } score) extensions[Cmi5Verbs.Extensions + "masteryscore"] = score;
        if (au.LaunchParameters is { } launchParameters) extensions[Cmi5Verbs.Extensions + "launchparameters"] = launchParameters;
        statements.Add(launched);
        // Satisfied outside an AU's session: in a session of its own (cmi5 §9.6.3.1).
        if (satisfiedAtStart is { Any: true })
            statements.AddRange(cmi5.SatisfiedStatements(actor, satisfiedAtStart, registration.Id, package, Guid.CreateVersion7(now), now));
        var stored = await intake.StoreAsync(JsonSerializer.SerializeToElement(new JsonArray([.. statements])), null, people.Platform, XapiVersion.V103, [], ct);
        if (stored.Reason is { } reason) throw new InvalidOperationException($"The LMS's own cmi5 statements were refused: {reason}");

        var query = au.Query is { Length: > 0 } q ? q + "&" : "";
        query += $"endpoint={Uri.EscapeDataString(people.HomePage + "/xapi/")}&fetch={Uri.EscapeDataString($"{people.HomePage}/api/content/cmi5/fetch/{fetchToken}")}"
                 + $"&actor={Uri.EscapeDataString(actor.ToJsonString())}&registration={registration.Id}&activityId={Uri.EscapeDataString(auActivityId)}";
        return new OpenedCmi5(registration, session, package, au, $"{url}?{query}");
    }
}

/// <summary>
/// An administrator's waiver of an AU in a person's registration: the registration counts the AU as satisfied, and
/// the LMS records "waived" (with its reason, in a session of its own) and "satisfied" for whatever that completes.
/// The progress reaches enrolment as any other does.
/// </summary>
public sealed class Cmi5Waivers(ContentDbContext db, StatementIntake intake, XapiAuthentication people, Cmi5Statements cmi5, TimeProvider time)
{
    /// <summary>
    /// Whether the waiver was made (false when there is no such registration). The registration and the statements are
    /// written in one transaction: a waiver that loses a race with another is refused whole (409), and nothing is half-written.
    /// </summary>
    public async Task<bool> WaiveAsync(Guid registrationId, string auId, string reason, CancellationToken ct)
    {
        // What the waiver will satisfy, judged on a copy, so its statements can be written; the change itself is made
        // again on the row, inside the statements' transaction.
        var copy = await db.Cmi5Registrations.AsNoTracking().FirstOrDefaultAsync(r => r.Id == registrationId, ct);
        if (copy is null) return false;
        var package = await db.Packages.AsNoTracking().FirstAsync(p => p.Id == copy.PackageId, ct);
        var now = time.GetUtcNow();
        var satisfied = copy.Waive(auId, reason, now);
        var session = Guid.CreateVersion7(now);
        var actor = people.PersonAgent(copy.UserId, null);
        var waived = Cmi5Statements.Statement(actor, Cmi5Verbs.Waived, cmi5.AuActivityId(package, auId), copy.Id, auId, session, now,
            result: new JsonObject { ["success"] = true, ["completion"] = true, ["extensions"] = new JsonObject { [Cmi5Verbs.ReasonExtension] = reason } });
        waived["context"]!["contextActivities"]!["category"]!.AsArray().Add(new JsonObject { ["id"] = Cmi5Verbs.MoveOnCategory });
        var statements = new JsonArray([waived, .. cmi5.SatisfiedStatements(actor, satisfied, copy.Id, package, session, now)]);
        try
        {
            var stored = await intake.StoreAsync(JsonSerializer.SerializeToElement(statements), null, people.Platform, XapiVersion.V103, [], ct, alongside: async () =>
            {
                var registration = await db.Cmi5Registrations.FirstAsync(r => r.Id == registrationId, ct);
                registration.Waive(auId, reason, now);
                await db.SaveChangesAsync(ct);
            });
            if (stored.Reason is { } refused) throw new InvalidOperationException($"The LMS's own cmi5 statements were refused: {refused}");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ServiceDefaults.Domain.DomainRuleException("auId", "The registration changed while the waiver was being made; look again and retry.");
        }
        return true;
    }
}

/// <summary>The statements the LMS writes for cmi5 (launched, abandoned, satisfied) and the IRIs it names courses and AUs by.</summary>
public sealed class Cmi5Statements(XapiAuthentication people)
{
    public string CourseActivityId(Guid packageId) => $"{people.HomePage}/xapi/cmi5/{packageId:N}";

    public string AuActivityId(ContentPackage package, string auId) =>
        $"{CourseActivityId(package.Id)}/au/{package.Activities.FindIndex(a => a.ItemId == auId)}";

    /// <summary>The context every statement of a session carries: the session id and the AU's publisher id as a grouping activity.</summary>
    public static JsonObject Context(string publisherId, Guid sessionId) => new()
    {
        ["contextActivities"] = new JsonObject { ["grouping"] = new JsonArray(new JsonObject { ["id"] = publisherId }) },
        ["extensions"] = new JsonObject { [Cmi5Verbs.SessionIdExtension] = sessionId.ToString() },
    };

    /// <summary>A statement of the LMS's own about a session (launched, abandoned), in cmi5's shape.</summary>
    public static JsonObject Statement(JsonObject actor, string verb, string activityId, Guid registration, string publisherId, Guid sessionId,
        DateTimeOffset now, JsonObject? result = null)
    {
        var context = Context(publisherId, sessionId);
        context["registration"] = registration.ToString();
        context["contextActivities"]!["category"] = new JsonArray(new JsonObject { ["id"] = Cmi5Verbs.Category });
        var statement = new JsonObject
        {
            ["id"] = Guid.CreateVersion7(now).ToString(),
            ["actor"] = actor.DeepClone(),
            ["verb"] = new JsonObject { ["id"] = verb, ["display"] = new JsonObject { ["en-US"] = verb[(verb.LastIndexOf('/') + 1)..] } },
            ["object"] = new JsonObject { ["objectType"] = "Activity", ["id"] = activityId },
            ["context"] = context,
            ["timestamp"] = XapiFormats.Format(now),
        };
        if (result is not null) statement["result"] = result;
        return statement;
    }

    /// <summary>
    /// The LMS's IRI for a block: its place among the package's blocks (in the order the AUs name them), never the
    /// publisher's id (cmi5 asks for one of the LMS's own).
    /// </summary>
    public string BlockActivityId(ContentPackage package, string blockId) =>
        $"{CourseActivityId(package.Id)}/block/{package.Activities.SelectMany(a => a.Blocks ?? []).Distinct().ToList().IndexOf(blockId)}";

    /// <summary>
    /// The "satisfied" statements for what became satisfied: each block (the LMS's IRI for it, typed as a block, its
    /// publisher id as the grouping activity), then the course (likewise).
    /// </summary>
    public IEnumerable<JsonObject> SatisfiedStatements(JsonObject actor, Cmi5Satisfied satisfied, Guid registrationId, ContentPackage package, Guid sessionId,
        DateTimeOffset now)
    {
        foreach (var block in satisfied.Blocks)
            yield return Satisfied(actor, BlockActivityId(package, block), Cmi5Verbs.BlockType, block, registrationId, block, sessionId, now);
        if (satisfied.Course)
            yield return Satisfied(actor, CourseActivityId(package.Id), Cmi5Verbs.CourseType, package.Title, registrationId, package.ManifestIdentifier, sessionId, now);
    }

    private static JsonObject Satisfied(JsonObject actor, string activityId, string type, string name, Guid registrationId, string publisherId, Guid sessionId,
        DateTimeOffset now)
    {
        var statement = Statement(actor, Cmi5Verbs.Satisfied, activityId, registrationId, publisherId, sessionId, now);
        statement["object"]!["definition"] = new JsonObject { ["type"] = type, ["name"] = new JsonObject { ["und"] = name } };
        return statement;
    }
}

/// <summary>
/// An AU's statements applied to its registration: Completed, Passed and Failed (in Normal mode) move the AU, and the
/// AU's moveOn decides; when the course becomes satisfied the LMS's "satisfied" statement is stored with them, and the
/// registration announces the progress. Terminated ends the session. In the statement store's transaction.
/// </summary>
public sealed class Cmi5Observer(ContentDbContext db, Cmi5Statements cmi5, XapiAuthentication people) : IStatementObserver
{
    public async Task<IReadOnlyList<IncomingStatement>> StoredAsync(IReadOnlyList<IncomingStatement> statements, XapiCaller caller, CancellationToken cancellationToken)
    {
        if (caller.Cmi5 is not { } launch) return [];
        var registration = await db.Cmi5Registrations.FirstAsync(r => r.Id == launch.RegistrationId, cancellationToken);
        var session = await db.Cmi5Sessions.FirstAsync(s => s.Id == launch.SessionId, cancellationToken);
        var followUps = new List<IncomingStatement>();
        foreach (var statement in statements)
        {
            var verb = statement.Sent.GetProperty("verb").GetProperty("id").GetString();
            if (!statement.Sent.GetProperty("object").TryGetProperty("id", out var target) || target.GetString() != launch.AuActivityId) continue;
            if (!Cmi5Rules.IsDefined(statement.Sent)) continue; // a cmi5 allowed statement: stored, never counted
            if (verb == Cmi5Verbs.Terminated) session.Terminate(statement.Stored);
            if (verb == Cmi5Verbs.Initialized) session.Initialize(statement.Stored);
            if (verb is not (Cmi5Verbs.Completed or Cmi5Verbs.Passed or Cmi5Verbs.Failed)) continue;
            double? score = statement.Sent.TryGetProperty("result", out var result) && result.TryGetProperty("score", out var s) && s.TryGetProperty("scaled", out var scaled)
                ? scaled.GetDouble() : null;
            var satisfied = registration.Received(launch.AuId, verb, score, statement.Stored);
            if (!satisfied.Any) continue;
            var package = await db.Packages.AsNoTracking().FirstAsync(p => p.Id == registration.PackageId, cancellationToken);
            var authority = JsonSerializer.SerializeToElement(people.Platform.Authority);
            foreach (var said in cmi5.SatisfiedStatements(people.PersonAgent(registration.UserId, null), satisfied, registration.Id, package, launch.SessionId, statement.Stored))
                followUps.Add(StatementIntake.Prepare(JsonSerializer.SerializeToElement(said), Guid.Parse(said["id"]!.GetValue<string>()), statement.Stored,
                    authority, XapiVersion.V103));
        }
        await db.SaveChangesAsync(cancellationToken);
        return followUps;
    }
}
