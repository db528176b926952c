using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace LmsPlatform.ContentDelivery.Model.Packages;

/// <summary>
/// SCORM 2004's sequencing information (IMS Simple Sequencing and ADL's extensions) as the manifest gives it, checked
/// against the binding's vocabularies and ranges before a package is taken: the control modes' flags, the rule
/// conditions and actions (each kind of rule has its own actions), the rollup rules, limit conditions, objectives
/// (their ids unique per activity, measures from -1 to 1, maps that name their global objective), randomisation and
/// delivery controls, and the <c>IDRef</c>s into the manifest's <c>sequencingCollection</c>. Every fault names the
/// element, its line and what it should be. Elements and attributes are matched by local name.
/// </summary>
public static class ScormSequencing
{
    private static readonly string[] Booleans = ["true", "false"];
    private static readonly string[] Timings = ["never", "once", "onEachNewAttempt"];
    private static readonly string[] Considerations = ["always", "ifAttempted", "ifNotSkipped", "ifNotSuspended"];
    private static readonly string[] RuleConditions =
    [
        "satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "objectiveMeasureGreaterThan", "objectiveMeasureLessThan", "completed",
        "activityProgressKnown", "attempted", "attemptLimitExceeded", "timeLimitExceeded", "outsideAvailableTimeRange", "always",
    ];
    private static readonly string[] RollupConditions =
    [
        "satisfied", "objectiveStatusKnown", "objectiveMeasureKnown", "completed", "activityProgressKnown", "attempted", "attemptLimitExceeded",
        "timeLimitExceeded", "outsideAvailableTimeRange",
    ];
    private static readonly Dictionary<string, string[]> ActionsByRule = new()
    {
        ["preConditionRule"] = ["skip", "disabled", "hiddenFromChoice", "stopForwardTraversal"],
        ["exitConditionRule"] = ["exit"],
        ["postConditionRule"] = ["exitParent", "exitAll", "retry", "retryAll", "continue", "previous"],
    };

    /// <summary>What each attribute may hold, by element and attribute name.</summary>
    private static readonly Dictionary<(string Element, string Attribute), Func<string, string?>> Attributes = new()
    {
        [("controlMode", "choice")] = OneOf(Booleans), [("controlMode", "choiceExit")] = OneOf(Booleans), [("controlMode", "flow")] = OneOf(Booleans),
        [("controlMode", "forwardOnly")] = OneOf(Booleans), [("controlMode", "useCurrentAttemptObjectiveInfo")] = OneOf(Booleans),
        [("controlMode", "useCurrentAttemptProgressInfo")] = OneOf(Booleans),
        [("ruleConditions", "conditionCombination")] = OneOf("all", "any"), [("rollupConditions", "conditionCombination")] = OneOf("all", "any"),
        [("ruleCondition", "operator")] = OneOf("not", "noOp"), [("rollupCondition", "operator")] = OneOf("not", "noOp"),
        [("ruleCondition", "condition")] = OneOf(RuleConditions), [("rollupCondition", "condition")] = OneOf(RollupConditions),
        [("ruleCondition", "measureThreshold")] = Decimal(-1, 1),
        [("rollupAction", "action")] = OneOf("satisfied", "notSatisfied", "completed", "incomplete"),
        [("limitConditions", "attemptLimit")] = Count, [("limitConditions", "attemptAbsoluteDurationLimit")] = Duration,
        [("rollupRules", "rollupObjectiveSatisfied")] = OneOf(Booleans), [("rollupRules", "rollupProgressCompletion")] = OneOf(Booleans),
        [("rollupRules", "objectiveMeasureWeight")] = Decimal(0, 1),
        [("rollupRule", "childActivitySet")] = OneOf("all", "any", "none", "atLeastCount", "atLeastPercent"),
        [("rollupRule", "minimumCount")] = Count, [("rollupRule", "minimumPercent")] = Decimal(0, 1),
        [("primaryObjective", "satisfiedByMeasure")] = OneOf(Booleans), [("objective", "satisfiedByMeasure")] = OneOf(Booleans),
        [("mapInfo", "readSatisfiedStatus")] = OneOf(Booleans), [("mapInfo", "readNormalizedMeasure")] = OneOf(Booleans),
        [("mapInfo", "writeSatisfiedStatus")] = OneOf(Booleans), [("mapInfo", "writeNormalizedMeasure")] = OneOf(Booleans),
        [("randomizationControls", "randomizationTiming")] = OneOf(Timings), [("randomizationControls", "selectionTiming")] = OneOf(Timings),
        [("randomizationControls", "selectCount")] = Count, [("randomizationControls", "reorderChildren")] = OneOf(Booleans),
        [("deliveryControls", "tracked")] = OneOf(Booleans), [("deliveryControls", "completionSetByContent")] = OneOf(Booleans),
        [("deliveryControls", "objectiveSetByContent")] = OneOf(Booleans),
        [("constrainedChoiceConsiderations", "preventActivation")] = OneOf(Booleans),
        [("constrainedChoiceConsiderations", "constrainChoice")] = OneOf(Booleans),
        [("rollupConsiderations", "requiredForSatisfied")] = OneOf(Considerations), [("rollupConsiderations", "requiredForNotSatisfied")] = OneOf(Considerations),
        [("rollupConsiderations", "requiredForCompleted")] = OneOf(Considerations), [("rollupConsiderations", "requiredForIncomplete")] = OneOf(Considerations),
        [("rollupConsiderations", "measureSatisfactionIfActive")] = OneOf(Booleans),
    };

    /// <summary>Attributes an element cannot do without.</summary>
    private static readonly Dictionary<string, string[]> Required = new()
    {
        ["ruleCondition"] = ["condition"], ["ruleAction"] = ["action"], ["rollupCondition"] = ["condition"], ["rollupAction"] = ["action"],
        ["objective"] = ["objectiveID"], ["mapInfo"] = ["targetObjectiveID"],
    };

    /// <summary>Adds a problem for every fault in the manifest's sequencing information.</summary>
    public static void Check(XElement manifest, List<PackageProblem> problems)
    {
        void Fault(XElement element, string message) =>
            problems.Add(new("manifest.sequencing", $"<{element.Name.LocalName}> (line {((IXmlLineInfo)element).LineNumber}): {message}", ScormPackage.ManifestPath));

        var collection = manifest.Elements().FirstOrDefault(e => e.Name.LocalName == "sequencingCollection");
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in collection?.Elements().Where(e => e.Name.LocalName == "sequencing") ?? [])
            if (Attribute(entry, "ID") is not { } id) Fault(entry, "a sequencing in the sequencingCollection needs an ID.");
            else if (!shared.Add(id)) Fault(entry, $"the ID '{id}' is used twice in the sequencingCollection.");

        foreach (var sequencing in manifest.Descendants().Where(e => e.Name.LocalName == "sequencing"))
        {
            if (Attribute(sequencing, "IDRef") is { } reference && !shared.Contains(reference))
                Fault(sequencing, $"IDRef '{reference}' names no sequencing of the sequencingCollection.");
            // Unique within one binding's objectives: ADL's extension objectives name IMS's again on purpose.
            var objectiveIds = new HashSet<(string, string)>();
            foreach (var objective in sequencing.Descendants().Where(e => e.Name.LocalName is "primaryObjective" or "objective"))
                if (Attribute(objective, "objectiveID") is { } objectiveId && !objectiveIds.Add((objective.Name.NamespaceName, objectiveId)))
                    Fault(objective, $"the objective id '{objectiveId}' is used twice in one activity's objectives.");

            foreach (var element in sequencing.Descendants())
            {
                var name = element.Name.LocalName;
                foreach (var required in Required.GetValueOrDefault(name, []))
                    if (Attribute(element, required) is null) Fault(element, $"the attribute {required} is required.");
                foreach (var attribute in element.Attributes().Where(a => !a.IsNamespaceDeclaration))
                    if (Attributes.TryGetValue((name, attribute.Name.LocalName), out var check) && check(attribute.Value.Trim()) is { } expected)
                        Fault(element, $"{attribute.Name.LocalName}=\"{attribute.Value}\" must be {expected}.");
                if (name == "ruleAction" && element.Parent?.Name.LocalName is { } rule && ActionsByRule.TryGetValue(rule, out var actions)
                    && Attribute(element, "action") is { } action && !actions.Contains(action))
                    Fault(element, $"a {rule}'s action is one of {string.Join(", ", actions)}, not '{action}'.");
                if (name == "minNormalizedMeasure" && Decimal(-1, 1)(element.Value.Trim()) is { } range)
                    Fault(element, $"'{element.Value.Trim()}' must be {range}.");
            }
        }
    }

    private static Func<string, string?> OneOf(params string[] values) =>
        value => values.Contains(value, StringComparer.Ordinal) ? null : "one of " + string.Join(", ", values);

    private static Func<string, string?> Decimal(double min, double max) =>
        value => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? null : $"a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}";

    private static string? Count(string value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : "a whole number, 0 or more";

    private static string? Duration(string value)
    {
        try
        {
            XmlConvert.ToTimeSpan(value);
            return null;
        }
        catch (FormatException)
        {
            return "an ISO 8601 duration such as PT1H30M";
        }
    }

    private static string? Attribute(XElement element, string name) => element.Attributes().FirstOrDefault(a => a.Name.LocalName == name)?.Value.Trim();
}
