using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using LmsPlatform.ContentDelivery.Model.Packages;

namespace LmsPlatform.ContentDelivery.Model.Runtime;

/// <summary>Completion as both SCORM versions report it, in SCORM 2004's words.</summary>
public enum Completion { NotAttempted, Incomplete, Completed }

public enum Success { Unknown, Passed, Failed }

/// <summary>
/// What a SCO's run-time data says: completion, success, a scaled score (0–1), the bookmark, whether the learner
/// suspended (to resume), and this session's time. <see cref="Satisfied"/> is the one rule of "done": passed, or
/// completed without a failure.
/// </summary>
public sealed record ScoOutcome(Completion Completion, Success Success, double? Score, bool Suspended, double SessionSeconds)
{
    public static readonly ScoOutcome None = new(Completion.NotAttempted, Success.Unknown, null, false, 0);

    public bool Satisfied => Success == Success.Passed || (Completion == Completion.Completed && Success != Success.Failed);
}

/// <summary>
/// The SCORM run-time data model as the server reads it: the flattened <c>cmi.*</c> elements a player commits
/// (<c>{"cmi.core.lesson_status": "passed", ...}</c>), read for SCORM 1.2 or 2004 into a <see cref="ScoOutcome"/>, and
/// the elements the next launch starts from (<see cref="ResumeData"/>). The package's own rules apply here as well as in
/// the browser: SCORM 1.2's mastery score turns a raw score into passed or failed, SCORM 2004's completion threshold and
/// scaled passing score decide completion and success from the progress measure and scaled score.
/// </summary>
public static partial class ScormCmi
{
    /// <summary>The most run-time data one SCO may hold (SCORM 2004's suspend data alone may be 64,000 characters).</summary>
    public const int MaxCharacters = 1_000_000;

    public static ScoOutcome Read(ScormVersion version, IReadOnlyDictionary<string, string> cmi, PackageActivity sco) =>
        version == ScormVersion.Scorm12 ? Read12(cmi, sco) : Read2004(cmi, sco);

    private static ScoOutcome Read12(IReadOnlyDictionary<string, string> cmi, PackageActivity sco)
    {
        var status = Get(cmi, "cmi.core.lesson_status") ?? "not attempted";
        var (completion, success) = status switch
        {
            "passed" => (Completion.Completed, Success.Passed),
            "failed" => (Completion.Completed, Success.Failed),
            "completed" => (Completion.Completed, Success.Unknown),
            "incomplete" or "browsed" => (Completion.Incomplete, Success.Unknown),
            _ => (Completion.NotAttempted, Success.Unknown),
        };
        double? score = null;
        if (Number(Get(cmi, "cmi.core.score.raw")) is { } raw)
        {
            var min = Number(Get(cmi, "cmi.core.score.min")) ?? 0;
            var max = Number(Get(cmi, "cmi.core.score.max")) ?? 100;
            score = max > min ? Math.Clamp((raw - min) / (max - min), 0, 1) : null;
            // SCORM 1.2 RTE 3.4.4: with a mastery score, the LMS decides passed or failed from the raw score.
            if (sco.MasteryScore is { } mastery && completion != Completion.NotAttempted)
                (completion, success) = (Completion.Completed, raw >= mastery ? Success.Passed : Success.Failed);
        }
        var suspended = Get(cmi, "cmi.core.exit") == "suspend";
        return new ScoOutcome(completion, success, score, suspended, Seconds12(Get(cmi, "cmi.core.session_time")));
    }

    private static ScoOutcome Read2004(IReadOnlyDictionary<string, string> cmi, PackageActivity sco)
    {
        var completion = Get(cmi, "cmi.completion_status") switch
        {
            "completed" => Completion.Completed,
            "incomplete" => Completion.Incomplete,
            _ => Completion.NotAttempted,
        };
        // SCORM 2004 RTE 4.2.4.1: with a completion threshold and a progress measure, the threshold decides.
        if (sco.CompletionThreshold is { } threshold && Number(Get(cmi, "cmi.progress_measure")) is { } progress)
            completion = progress >= threshold ? Completion.Completed : Completion.Incomplete;
        var success = Get(cmi, "cmi.success_status") switch
        {
            "passed" => Success.Passed,
            "failed" => Success.Failed,
            _ => Success.Unknown,
        };
        var score = Number(Get(cmi, "cmi.score.scaled"));
        // SCORM 2004 RTE 4.2.22: with a scaled passing score and a scaled score, the passing score decides.
        if (sco.MasteryScore is { } mastery && score is { } scaled)
            success = scaled >= mastery / 100 ? Success.Passed : Success.Failed;
        var suspended = Get(cmi, "cmi.exit") == "suspend";
        return new ScoOutcome(completion, success, score is { } s ? Math.Clamp(s, 0, 1) : null, suspended, Seconds2004(Get(cmi, "cmi.session_time")));
    }

    /// <summary>
    /// The elements a launch starts from, to load into the player before the SCO initialises: the learner, the
    /// bookmark, the suspend data, status and score, the accumulated time, and <c>entry</c> ("ab-initio" the first
    /// time, "resume" after a suspend). Write-only elements (session time, exit) are never sent back.
    /// </summary>
    public static Dictionary<string, string> ResumeData(ScormVersion version, IReadOnlyDictionary<string, string> cmi, PackageActivity sco,
        string learnerId, string learnerName, double totalSeconds, bool review)
    {
        var first = cmi.Count == 0;
        var data = new Dictionary<string, string>();
        if (version == ScormVersion.Scorm12)
        {
            data["cmi.core.student_id"] = learnerId;
            data["cmi.core.student_name"] = learnerName;
            data["cmi.core.credit"] = review ? "no-credit" : "credit";
            data["cmi.core.lesson_mode"] = review ? "review" : "normal";
            data["cmi.core.entry"] = first ? "ab-initio" : Get(cmi, "cmi.core.exit") == "suspend" ? "resume" : "";
            data["cmi.core.total_time"] = Time12(totalSeconds);
            if (sco.MasteryScore is { } mastery) data["cmi.student_data.mastery_score"] = mastery.ToString(CultureInfo.InvariantCulture);
            Copy(cmi, data, "cmi.core.lesson_location", "cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.min", "cmi.core.score.max",
                "cmi.suspend_data");
        }
        else
        {
            data["cmi.learner_id"] = learnerId;
            data["cmi.learner_name"] = learnerName;
            data["cmi.credit"] = review ? "no-credit" : "credit";
            data["cmi.mode"] = review ? "review" : "normal";
            data["cmi.entry"] = first ? "ab-initio" : Get(cmi, "cmi.exit") == "suspend" ? "resume" : "";
            data["cmi.total_time"] = XmlConvert.ToString(TimeSpan.FromSeconds(Math.Round(totalSeconds, 2)));
            if (sco.CompletionThreshold is { } threshold) data["cmi.completion_threshold"] = threshold.ToString(CultureInfo.InvariantCulture);
            if (sco.MasteryScore is { } mastery) data["cmi.scaled_passing_score"] = (mastery / 100).ToString(CultureInfo.InvariantCulture);
            Copy(cmi, data, "cmi.location", "cmi.completion_status", "cmi.success_status", "cmi.progress_measure", "cmi.score.scaled",
                "cmi.score.raw", "cmi.score.min", "cmi.score.max", "cmi.suspend_data");
        }
        return data;
    }

    /// <summary>Why the committed elements cannot be kept (an element name too long, more than <see cref="MaxCharacters"/> in all), or null.</summary>
    public static string? Check(IReadOnlyDictionary<string, string> cmi)
    {
        if (cmi.Keys.FirstOrDefault(k => k.Length > 255) is { } bad)
            return $"'{bad[..80]}...' is not a run-time data element.";
        if (cmi.Sum(e => (long)e.Key.Length + e.Value.Length) > MaxCharacters)
            return $"The run-time data is larger than {MaxCharacters:N0} characters.";
        return null;
    }

    private static void Copy(IReadOnlyDictionary<string, string> from, Dictionary<string, string> to, params string[] keys)
    {
        foreach (var key in keys)
            if (Get(from, key) is { } value) to[key] = value;
    }

    private static string? Get(IReadOnlyDictionary<string, string> cmi, string key) =>
        cmi.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : null;

    /// <summary>SCORM 1.2's CMITimespan: HHHH:MM:SS.SS.</summary>
    public static double Seconds12(string? time)
    {
        if (time is null || Timespan12().Match(time) is not { Success: true } m) return 0;
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 3600 + int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) * 60
            + double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>SCORM 2004's timeinterval: an ISO 8601 duration (PT1H2M3.5S).</summary>
    public static double Seconds2004(string? time)
    {
        if (time is null) return 0;
        try { return XmlConvert.ToTimeSpan(time).TotalSeconds; }
        catch (FormatException) { return 0; }
        catch (OverflowException) { return 0; }
    }

    public static string Time12(double seconds)
    {
        var whole = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds, 2)));
        var hours = Math.Min(9999, (int)whole.TotalHours);
        return FormattableString.Invariant($"{hours:0000}:{whole.Minutes:00}:{whole.Seconds:00}.{whole.Milliseconds / 10:00}");
    }

    [GeneratedRegex(@"^(\d{2,4}):(\d{2}):(\d{2}(?:\.\d{1,2})?)$")]
    private static partial Regex Timespan12();
}
