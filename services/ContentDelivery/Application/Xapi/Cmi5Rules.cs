using System.Text.Json;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>
/// What an AU may send with its session's credential (cmi5 §9, the LMS's side), statement by statement in the order sent:
/// <list type="bullet">
/// <item>its own learner (the launch's actor) in its own registration, never voiding;</item>
/// <item>the session's id in the context, as LMS.LaunchData's context template gave it;</item>
/// <item>"initialized" first, and once per session;</item>
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

    public static IntakeResult? Check(IReadOnlyList<JsonElement> statements, Cmi5Launch launch)
    {
        var (initialized, completed, passed) = (launch.Initialized, launch.Completed, launch.Passed);
        foreach (var statement in statements)
        {
            var verb = statement.GetProperty("verb").GetProperty("id").GetString();
            if (verb == VoidedVerb)
                return IntakeResult.Refused(StatusCodes.Status403Forbidden, "An AU may not void statements.");
            if (AgentKey.Of(statement.GetProperty("actor")) != launch.ActorKey)
                return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: the actor must be the launch's actor.");
            var registration = statement.TryGetProperty("context", out var context) && context.TryGetProperty("registration", out var r) ? r.GetString() : null;
            if (!Guid.TryParse(registration, out var id) || id != launch.RegistrationId)
                return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: context.registration must be the launch's registration.");
            var session = context.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
                && extensions.TryGetProperty(Cmi5Verbs.SessionIdExtension, out var sessionId) && sessionId.ValueKind == JsonValueKind.String ? sessionId.GetString() : null;
            if (!Guid.TryParse(session, out var sessionGuid) || sessionGuid != launch.SessionId)
                return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: the context must carry the session id from LMS.LaunchData's contextTemplate.");
            if (verb == Cmi5Verbs.Initialized)
            {
                if (initialized) return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: a session is initialized once.");
                initialized = true;
                continue;
            }
            if (!initialized) return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: a session's first statement is \"initialized\".");
            if (verb is not (Cmi5Verbs.Completed or Cmi5Verbs.Passed or Cmi5Verbs.Failed)) continue;
            bool? Flag(string name) => statement.TryGetProperty("result", out var r) && r.TryGetProperty(name, out var f) ? f.GetBoolean() : null;
            switch (verb)
            {
                case Cmi5Verbs.Completed when completed:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: the AU was completed already in this registration.");
                case Cmi5Verbs.Completed when Flag("completion") != true:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: Completed carries result.completion true.");
                case Cmi5Verbs.Passed when passed:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: the AU was passed already in this registration.");
                case Cmi5Verbs.Passed when Flag("success") != true:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: Passed carries result.success true.");
                case Cmi5Verbs.Failed when passed:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: the AU was passed in this registration; it cannot be failed after.");
                case Cmi5Verbs.Failed when Flag("success") != false:
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, "cmi5: Failed carries result.success false.");
            }
            completed |= verb == Cmi5Verbs.Completed;
            passed |= verb == Cmi5Verbs.Passed;
            if (launch.Mode != "Normal")
                return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"cmi5: a session in {launch.Mode} mode cannot complete, pass or fail.");
            double? scaled = statement.TryGetProperty("result", out var result) && result.TryGetProperty("score", out var score)
                && score.TryGetProperty("scaled", out var s) ? s.GetDouble() : null;
            if (launch.MasteryScore is { } mastery && scaled is { } value)
            {
                if (verb == Cmi5Verbs.Passed && value < mastery)
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"cmi5: Passed with a scaled score of {value} is below the mastery score {mastery}.");
                if (verb == Cmi5Verbs.Failed && value >= mastery)
                    return IntakeResult.Refused(StatusCodes.Status400BadRequest, $"cmi5: Failed with a scaled score of {value} meets the mastery score {mastery}.");
            }
        }
        return null;
    }
}
