using System.Text.Json;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>
/// What an AU may send with its session's credential (cmi5 §9, the LMS's side), statement by statement in the order sent.
/// A "cmi5 defined" statement is one with the cmi5 category activity (<see cref="IsDefined"/>); only those count.
/// Anything else is a "cmi5 allowed" statement, whatever its verb: stored, never counted.
/// <list type="bullet">
/// <item>its own learner (the launch's actor) in its own registration, never voiding;</item>
/// <item>the session's id in the context, as LMS.LaunchData's context template gave it;</item>
/// <item>"initialized" first, and once per session; "terminated" last (nothing after it, in the batch or later);</item>
/// <item>defined statements: only the AU's verbs (launched, abandoned, waived and satisfied are the LMS's), about the
/// AU's activity, with a duration on completed, passed, failed and terminated; score and success only on passed and
/// failed, completion only on completed; the moveOn category exactly when the result carries success or completion;</item>
/// <item>for the AU, in the registration: one Completed (with completion true), one Passed (success true), no Failed
/// after a pass (success false);</item>
/// <item>in Browse or Review mode no Completed, Passed or Failed;</item>
/// <item>Passed only at or above the mastery score, and Failed only below it.</item>
/// </list>
/// The first fault refuses the request.
/// </summary>
public static class Cmi5Rules
{
    private const string VoidedVerb = StatementValidator.VoidedVerb;

    private static readonly HashSet<string> AuVerbs = [Cmi5Verbs.Initialized, Cmi5Verbs.Completed, Cmi5Verbs.Passed, Cmi5Verbs.Failed, Cmi5Verbs.Terminated];
    private static readonly HashSet<string> LmsVerbs = [Cmi5Verbs.Launched, Cmi5Verbs.Abandoned, Cmi5Verbs.Waived, Cmi5Verbs.Satisfied];

    private static IntakeResult Refuse(string reason) => IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: " + reason);

    public static IntakeResult? Check(IReadOnlyList<JsonElement> statements, Cmi5Launch launch)
    {
        var (initialized, completed, passed, terminated) = (launch.Initialized, launch.Completed, launch.Passed, launch.Terminated);
        foreach (var statement in statements)
        {
            var verb = statement.GetProperty("verb").GetProperty("id").GetString()!;
            if (verb == VoidedVerb)
                return IntakeResult.Refused(StatusCodes.Status403Forbidden, "An AU may not void statements.");
            if (terminated)
                return IntakeResult.Refused(StatusCodes.Status403Forbidden, "cmi5: the session was terminated; \"terminated\" is its last statement.");
            if (AgentKey.Of(statement.GetProperty("actor")) != launch.ActorKey) return Refuse("the actor must be the launch's actor.");
            var registration = statement.TryGetProperty("context", out var context) && context.TryGetProperty("registration", out var r) ? r.GetString() : null;
            if (!Guid.TryParse(registration, out var id) || id != launch.RegistrationId) return Refuse("context.registration must be the launch's registration.");
            var session = context.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                && extensions.TryGetProperty(Cmi5Verbs.SessionIdExtension, out var sessionId) && sessionId.ValueKind == JsonValueKind.String ? sessionId.GetString() : null;
            if (!Guid.TryParse(session, out var sessionGuid) || sessionGuid != launch.SessionId)
                return Refuse("the context must carry the session id from LMS.LaunchData's contextTemplate.");

            var categories = Categories(context);
            var defined = categories.Contains(Cmi5Verbs.Category);
            var target = statement.GetProperty("object").TryGetProperty("id", out var objectId) ? objectId.GetString() : null;
            statement.TryGetProperty("result", out var result);
            bool Has(string name) => result.ValueKind == JsonValueKind.Object && result.TryGetProperty(name, out _);
            if (defined)
            {
                if (LmsVerbs.Contains(verb)) return IntakeResult.Refused(StatusCodes.Status403Forbidden, $"cmi5: only the LMS says \"{Short(verb)}\".");
                if (!AuVerbs.Contains(verb)) return Refuse($"a cmi5 defined statement uses a cmi5 verb; {verb} is not one.");
                if (target != launch.AuActivityId) return Refuse("a cmi5 defined statement's object is the AU's activityId from the launch.");
                if (verb != Cmi5Verbs.Initialized && !Has("duration")) return Refuse($"\"{Short(verb)}\" carries result.duration.");
                if (verb is not (Cmi5Verbs.Passed or Cmi5Verbs.Failed) && (Has("score") || Has("success")))
                    return Refuse($"\"{Short(verb)}\" carries no score and no success; only passed and failed do.");
                if (verb != Cmi5Verbs.Completed && Has("completion")) return Refuse($"\"{Short(verb)}\" carries no completion; only completed does.");
            }
            var moveOn = categories.Contains(Cmi5Verbs.MoveOnCategory);
            var decisive = defined && (Has("success") || Has("completion"));
            if (moveOn != decisive)
                return Refuse(decisive
                    ? $"a defined statement with success or completion holds the moveOn category ({Cmi5Verbs.MoveOnCategory})."
                    : "only a defined statement with success or completion holds the moveOn category.");

            if (verb == Cmi5Verbs.Initialized && defined)
            {
                if (initialized) return Refuse("a session is initialized once.");
                initialized = true;
                continue;
            }
            if (!initialized) return Refuse("a session's first statement is \"initialized\".");
            terminated |= defined && verb == Cmi5Verbs.Terminated;
            if (!defined || verb is not (Cmi5Verbs.Completed or Cmi5Verbs.Passed or Cmi5Verbs.Failed)) continue;
            bool? Flag(string name) => result.ValueKind == JsonValueKind.Object && result.TryGetProperty(name, out var f) ? f.GetBoolean() : null;
            switch (verb)
            {
                case Cmi5Verbs.Completed when completed: return Refuse("the AU was completed already in this registration.");
                case Cmi5Verbs.Completed when Flag("completion") != true: return Refuse("Completed carries result.completion true.");
                case Cmi5Verbs.Passed when passed: return Refuse("the AU was passed already in this registration.");
                case Cmi5Verbs.Passed when Flag("success") != true: return Refuse("Passed carries result.success true.");
                case Cmi5Verbs.Failed when passed: return Refuse("the AU was passed in this registration; it cannot be failed after.");
                case Cmi5Verbs.Failed when Flag("success") != false: return Refuse("Failed carries result.success false.");
            }
            completed |= verb == Cmi5Verbs.Completed;
            passed |= verb == Cmi5Verbs.Passed;
            if (launch.Mode != "Normal") return Refuse($"a session in {launch.Mode} mode cannot complete, pass or fail.");
            double? scaled = Has("score") && result.GetProperty("score").TryGetProperty("scaled", out var s) ? s.GetDouble() : null;
            if (launch.MasteryScore is { } mastery && scaled is { } value)
            {
                if (verb == Cmi5Verbs.Passed && value < mastery) return Refuse($"Passed with a scaled score of {value} is below the mastery score {mastery}.");
                if (verb == Cmi5Verbs.Failed && value >= mastery) return Refuse($"Failed with a scaled score of {value} meets the mastery score {mastery}.");
            }
        }
        return null;
    }

    /// <summary>Whether a statement is "cmi5 defined" (its category context activities hold cmi5's): the only ones that count.</summary>
    public static bool IsDefined(JsonElement statement) =>
        statement.TryGetProperty("context", out var context) && Categories(context).Contains(Cmi5Verbs.Category);

    /// <summary>The ids of the statement's category context activities (one or an array).</summary>
    private static HashSet<string> Categories(JsonElement context)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (context.ValueKind != JsonValueKind.Object || !context.TryGetProperty("contextActivities", out var groups) || !groups.TryGetProperty("category", out var category))
            return ids;
        foreach (var activity in category.ValueKind == JsonValueKind.Array ? category.EnumerateArray().ToList() : [category])
            if (activity.TryGetProperty("id", out var id) && id.GetString() is { } value) ids.Add(value);
        return ids;
    }

    private static string Short(string verb) => verb[(verb.LastIndexOf('/') + 1)..];
}
