using System.Text.Json;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>
/// What an AU may send with its session's credential (cmi5 §9, the LMS's side): statements about its own learner
/// (the launch's actor) in its own registration, never voiding; in Browse or Review mode no Completed, Passed or
/// Failed; Passed only at or above the mastery score and Failed only below it. The first fault refuses the request.
/// </summary>
public static class Cmi5Rules
{
    private const string VoidedVerb = StatementValidator.VoidedVerb;

    public static IntakeResult? Check(IReadOnlyList<JsonElement> statements, Cmi5Launch launch)
    {
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
            if (verb is not (Cmi5Verbs.Completed or Cmi5Verbs.Passed or Cmi5Verbs.Failed)) continue;
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
