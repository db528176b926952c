using System.Text.Json;
using System.Text.Json.Serialization;

namespace LmsPlatform.Enrolment.Model;

/// <summary>
/// What a rule asks about a person beyond their own record: the org tree, the management chain, roles, other
/// audiences' members and learning facts. The evaluation loads these once for the people it evaluates
/// (<see cref="Application.AudienceFactsLoader"/>); unit tests hand in their own.
/// </summary>
public interface IAudienceFacts
{
    DateOnly Today { get; }
    /// <summary>Whether <paramref name="orgUnitId"/> is <paramref name="root"/> or below it.</summary>
    bool IsWithin(Guid? orgUnitId, Guid root);
    /// <summary>The person's managers, nearest first (direct manager, their manager, ...).</summary>
    IReadOnlyList<Guid> ManagersOf(Guid userId);
    bool HasRole(Guid userId, string role);
    bool IsMember(Guid audienceId, Guid userId);
    /// <summary>When the person completed (or was exempted from) the course, if they have.</summary>
    DateTimeOffset? CompletedAt(Guid userId, Guid courseId);
    /// <summary>When the person's certification in the course expires (or expired), if they hold one.</summary>
    DateTimeOffset? CertificationExpiresAt(Guid userId, Guid courseId);
    /// <summary>A readable name for an org unit, person, audience or course the rule names, for the why-trace.</summary>
    string NameOf(Guid id);
}

/// <summary>One line of "why in / why not": a node of the rule, what it asked, and its answer for the person.</summary>
public sealed record RuleTrace(int Depth, string Question, bool Result, string Detail);

/// <summary>
/// An audience rule: a tree of AND / OR / NOT over typed conditions about a person. Stored as JSON (a <c>type</c>
/// discriminator on each node). <see cref="Matches"/> is the one evaluation: the same walk answers "is this person in"
/// for a whole organisation and, with a trace, "why in / why not" for one person.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(AllOf), "all")]
[JsonDerivedType(typeof(AnyOf), "any")]
[JsonDerivedType(typeof(NotRule), "not")]
[JsonDerivedType(typeof(OrgUnitCondition), "orgUnit")]
[JsonDerivedType(typeof(ManagerCondition), "manager")]
[JsonDerivedType(typeof(JobTitleCondition), "jobTitle")]
[JsonDerivedType(typeof(LocationCondition), "location")]
[JsonDerivedType(typeof(HireDateCondition), "hireDate")]
[JsonDerivedType(typeof(StatusCondition), "status")]
[JsonDerivedType(typeof(RoleCondition), "role")]
[JsonDerivedType(typeof(AudienceCondition), "audience")]
[JsonDerivedType(typeof(CompletedCondition), "completed")]
[JsonDerivedType(typeof(CertificationExpiringCondition), "certificationExpiring")]
public abstract record RuleNode
{
    public const int MostNodes = 200, MostDepth = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // PostgreSQL's jsonb keeps keys in its own order, and people write "type" anywhere in a node.
        AllowOutOfOrderMetadataProperties = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Whether the person is in, and (with a trace) why, node by node.</summary>
    public bool Matches(Learner person, IAudienceFacts facts, List<RuleTrace>? trace = null) => Evaluate(person, facts, trace, 0);

    internal abstract bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth);

    /// <summary>The nodes of the tree, this one first.</summary>
    public virtual IEnumerable<RuleNode> Nodes() { yield return this; }

    /// <summary>What the node asks, in words (with the names the rule refers to).</summary>
    public abstract string Describe(IAudienceFacts facts);

    /// <summary>The node's own refusals, each with the path to the field (<c>rule.rules[1].orgUnitId</c>).</summary>
    protected abstract IEnumerable<(string Field, string Message)> Check(string path);

    /// <summary>Every refusal of the tree: its shape (size, depth) and each node's fields.</summary>
    public IEnumerable<(string Field, string Message)> Validate(string path = "rule")
    {
        if (Nodes().Count() > MostNodes) yield return (path, $"has more than {MostNodes} conditions");
        if (DepthOf(this) > MostDepth) yield return (path, $"nests deeper than {MostDepth} levels");
        foreach (var error in Errors(path)) yield return error;
    }

    internal IEnumerable<(string Field, string Message)> Errors(string path) => Check(path);

    private static int DepthOf(RuleNode node) => node switch
    {
        GroupRule g => 1 + (g.Rules ?? []).Where(r => r is not null).Select(DepthOf).DefaultIfEmpty(0).Max(),
        NotRule { Rule: { } inner } => 1 + DepthOf(inner),
        _ => 1,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The rule JSON as a tree, or the reason it is not one.</summary>
    public static RuleNode? Parse(string json, out string? error)
    {
        try
        {
            var node = JsonSerializer.Deserialize<RuleNode>(json, Json);
            error = node is null ? "is required" : null;
            return node;
        }
        catch (JsonException ex)
        {
            error = ex.Message.Contains("discriminator", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("$type", StringComparison.Ordinal)
                ? "has a node without a known 'type' (all, any, not, orgUnit, manager, jobTitle, location, hireDate, status, role, audience, completed)"
                : $"is not a rule: {ex.Message.Split(" Path:")[0]}";
            return null;
        }
        catch (NotSupportedException ex)
        {
            error = $"is not a rule: {ex.Message.Split(" Path:")[0]}";
            return null;
        }
    }

    /// <summary>The audiences this rule refers to (for refusing cycles).</summary>
    public IEnumerable<Guid> AudiencesReferred() => Nodes().OfType<AudienceCondition>().Select(a => a.AudienceId);

    /// <summary>The courses whose completion this rule asks about.</summary>
    public IEnumerable<Guid> CoursesReferred() => References().Where(r => r.Kind == "course").Select(r => r.Id);

    /// <summary>
    /// Whether the answer can change with the date alone (hired or completed within N days, a certification expiring
    /// within N days): such rules are evaluated for everyone when the day changes, as no event announces it.
    /// </summary>
    public bool DependsOnTheDate => Nodes().Any(n => n is HireDateCondition { Test: HireDateTest.WithinDays } or CompletedCondition { WithinDays: not null }
        or CertificationExpiringCondition);

    /// <summary>The org units, people, audiences and courses the rule names (they must exist).</summary>
    public IEnumerable<(string Kind, Guid Id)> References() => Nodes().SelectMany(n => n switch
    {
        OrgUnitCondition o => [("orgUnit", o.OrgUnitId)],
        ManagerCondition m => [("person", m.ManagerId)],
        AudienceCondition a => [("audience", a.AudienceId)],
        CompletedCondition c => [("course", c.CourseId)],
        CertificationExpiringCondition c => [("course", c.CourseId)],
        _ => Array.Empty<(string, Guid)>(),
    });

    protected bool Answer(List<RuleTrace>? trace, int depth, IAudienceFacts facts, bool result, string detail)
    {
        trace?.Add(new RuleTrace(depth, Describe(facts), result, detail));
        return result;
    }
}

/// <summary>AND / OR over child rules.</summary>
public abstract record GroupRule(IReadOnlyList<RuleNode> Rules) : RuleNode
{
    public override IEnumerable<RuleNode> Nodes() => (Rules ?? []).Where(r => r is not null).SelectMany(r => r.Nodes()).Prepend(this);

    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        Rules is not { Count: > 0 }
            ? [($"{path}.rules", "must hold at least one condition")]
            : Rules.SelectMany((r, i) => r is null ? [($"{path}.rules[{i}]", "is empty")] : r.Errors($"{path}.rules[{i}]"));

    /// <summary>Every child is evaluated (not short-circuited), so the trace shows each one's answer.</summary>
    protected List<bool> EvaluateChildren(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth, out int at)
    {
        at = trace?.Count ?? 0;
        trace?.Add(null!); // this node's line, filled in once the children have answered
        return [.. Rules.Select(r => r.Evaluate(person, facts, trace, depth + 1))];
    }

    protected static bool Fill(List<RuleTrace>? trace, int at, RuleTrace line)
    {
        if (trace is not null) trace[at] = line;
        return line.Result;
    }
}

public sealed record AllOf(IReadOnlyList<RuleNode> Rules) : GroupRule(Rules)
{
    public override string Describe(IAudienceFacts facts) => "All of these (AND)";

    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var results = EvaluateChildren(person, facts, trace, depth, out var at);
        var met = results.Count(r => r);
        return Fill(trace, at, new(depth, Describe(facts), met == results.Count, $"{met} of {results.Count} met"));
    }
}

public sealed record AnyOf(IReadOnlyList<RuleNode> Rules) : GroupRule(Rules)
{
    public override string Describe(IAudienceFacts facts) => "Any of these (OR)";

    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var results = EvaluateChildren(person, facts, trace, depth, out var at);
        var met = results.Count(r => r);
        return Fill(trace, at, new(depth, Describe(facts), met > 0, $"{met} of {results.Count} met"));
    }
}

public sealed record NotRule(RuleNode Rule) : RuleNode
{
    public override IEnumerable<RuleNode> Nodes() => (Rule?.Nodes() ?? []).Prepend(this);
    public override string Describe(IAudienceFacts facts) => "Not (NOT)";

    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        Rule is null ? [($"{path}.rule", "is required")] : Rule.Errors($"{path}.rule");

    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var at = trace?.Count ?? 0;
        trace?.Add(null!);
        var inner = Rule.Evaluate(person, facts, trace, depth + 1);
        if (trace is not null) trace[at] = new(depth, Describe(facts), !inner, inner ? "the condition below is met" : "the condition below is not met");
        return !inner;
    }
}

/// <summary>In the org unit or anywhere below it.</summary>
public sealed record OrgUnitCondition(Guid OrgUnitId) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => $"In {facts.NameOf(OrgUnitId)} or below";
    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        OrgUnitId == Guid.Empty ? [($"{path}.orgUnitId", "is required")] : [];
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth) =>
        Answer(trace, depth, facts, facts.IsWithin(person.OrgUnitId, OrgUnitId),
            person.OrgUnitId is { } unit ? $"is in {facts.NameOf(unit)}" : "has no org unit");
}

/// <summary>Reports to the person: directly, or anywhere up the chain when <see cref="Indirect"/>.</summary>
public sealed record ManagerCondition(Guid ManagerId, bool Indirect = false) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => $"Reports to {facts.NameOf(ManagerId)}{(Indirect ? " (directly or indirectly)" : " (directly)")}";
    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        ManagerId == Guid.Empty ? [($"{path}.managerId", "is required")] : [];
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var chain = facts.ManagersOf(person.UserId);
        var result = Indirect ? chain.Contains(ManagerId) : chain.Count > 0 && chain[0] == ManagerId;
        return Answer(trace, depth, facts, result, chain.Count == 0 ? "has no manager" : $"reports to {facts.NameOf(chain[0])}");
    }
}

public enum TextMatch { Is, Contains }

/// <summary>Text conditions (job title, location): the value is one of these (or contains one), ignoring case.</summary>
public abstract record TextCondition(IReadOnlyList<string> Values, TextMatch Match) : RuleNode
{
    protected abstract string Field { get; }
    protected abstract string? ValueOf(Learner person);

    public override string Describe(IAudienceFacts facts) =>
        $"{char.ToUpperInvariant(Field[0])}{Field[1..]} {(Match == TextMatch.Is ? "is" : "contains")} {string.Join(" or ", Values.Select(v => $"“{v}”"))}";

    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        Values is not { Count: > 0 } || Values.Any(string.IsNullOrWhiteSpace) ? [($"{path}.values", "must hold at least one value, none empty")] : [];

    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var value = ValueOf(person);
        var result = value is not null && Values.Any(v => Match == TextMatch.Is
            ? string.Equals(value.Trim(), v.Trim(), StringComparison.OrdinalIgnoreCase)
            : value.Contains(v.Trim(), StringComparison.OrdinalIgnoreCase));
        return Answer(trace, depth, facts, result, value is null ? $"has no {Field}" : $"{Field} is “{value}”");
    }
}

public sealed record JobTitleCondition(IReadOnlyList<string> Values, TextMatch Match = TextMatch.Is) : TextCondition(Values, Match)
{
    protected override string Field => "job title";
    protected override string? ValueOf(Learner person) => person.JobTitle;
}

public sealed record LocationCondition(IReadOnlyList<string> Values, TextMatch Match = TextMatch.Is) : TextCondition(Values, Match)
{
    protected override string Field => "location";
    protected override string? ValueOf(Learner person) => person.Location;
}

public enum HireDateTest { Before, After, WithinDays }

/// <summary>Hired before or after a date, or within the last N days (a new starter).</summary>
public sealed record HireDateCondition(HireDateTest Test, DateOnly? Date = null, int? Days = null) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => Test switch
    {
        HireDateTest.Before => $"Hired before {Date:yyyy-MM-dd}",
        HireDateTest.After => $"Hired after {Date:yyyy-MM-dd}",
        _ => $"Hired within the last {Days} days",
    };

    protected override IEnumerable<(string Field, string Message)> Check(string path) => Test switch
    {
        HireDateTest.WithinDays when Days is not (> 0 and <= 3650) => [($"{path}.days", "must be between 1 and 3650")],
        HireDateTest.Before or HireDateTest.After when Date is null => [($"{path}.date", "is required")],
        _ => [],
    };

    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var hired = person.HireDate;
        var result = hired is { } h && Test switch
        {
            HireDateTest.Before => h < Date,
            HireDateTest.After => h > Date,
            _ => h <= facts.Today && h > facts.Today.AddDays(-Days!.Value),
        };
        return Answer(trace, depth, facts, result, hired is { } d ? $"was hired on {d:yyyy-MM-dd}" : "has no hire date");
    }
}

/// <summary>Identity's status is one of these (Active, Suspended). Deactivated people are in no audience at all.</summary>
public sealed record StatusCondition(IReadOnlyList<string> Values) : RuleNode
{
    private static readonly string[] Known = ["Active", "Suspended"];
    public override string Describe(IAudienceFacts facts) => $"Status is {string.Join(" or ", Values)}";
    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        Values is not { Count: > 0 } || Values.Any(v => !Known.Contains(v, StringComparer.OrdinalIgnoreCase))
            ? [($"{path}.values", $"must hold one or more of {string.Join(", ", Known)}")] : [];
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth) =>
        Answer(trace, depth, facts, Values.Contains(person.Status, StringComparer.OrdinalIgnoreCase), $"is {person.Status.ToLowerInvariant()}");
}

/// <summary>Holds the role (for the organisation or any department).</summary>
public sealed record RoleCondition(string Role) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => $"Holds the role {Role}";
    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        Contracts.Security.Roles.Canonical(Role) is null ? [($"{path}.role", $"must be one of {string.Join(", ", Contracts.Security.Roles.All)}")] : [];
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var result = facts.HasRole(person.UserId, Contracts.Security.Roles.Canonical(Role) ?? Role);
        return Answer(trace, depth, facts, result, result ? "holds it" : "does not hold it");
    }
}

/// <summary>Is a member of another audience (its current members). Cycles are refused when a rule is saved.</summary>
public sealed record AudienceCondition(Guid AudienceId) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => $"Is a member of the audience {facts.NameOf(AudienceId)}";
    protected override IEnumerable<(string Field, string Message)> Check(string path) =>
        AudienceId == Guid.Empty ? [($"{path}.audienceId", "is required")] : [];
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var result = facts.IsMember(AudienceId, person.UserId);
        return Answer(trace, depth, facts, result, result ? "is a member" : "is not a member");
    }
}

/// <summary>Completed (or was exempted from) the course; within the last N days when <see cref="WithinDays"/> is set.</summary>
public sealed record CompletedCondition(Guid CourseId, int? WithinDays = null) : RuleNode
{
    public override string Describe(IAudienceFacts facts) =>
        $"Completed {facts.NameOf(CourseId)}{(WithinDays is { } d ? $" within the last {d} days" : "")}";
    protected override IEnumerable<(string Field, string Message)> Check(string path)
    {
        if (CourseId == Guid.Empty) yield return ($"{path}.courseId", "is required");
        if (WithinDays is not null and not (> 0 and <= 3650)) yield return ($"{path}.withinDays", "must be between 1 and 3650");
    }
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var completed = facts.CompletedAt(person.UserId, CourseId);
        var result = completed is { } c && (WithinDays is not { } d || DateOnly.FromDateTime(c.UtcDateTime) > facts.Today.AddDays(-d));
        return Answer(trace, depth, facts, result, completed is { } at ? $"completed it on {at:yyyy-MM-dd}" : "has not completed it");
    }
}

/// <summary>
/// Holds a certification in the course that expires within the next N days, or has expired unrenewed: the people a
/// recertification campaign is for.
/// </summary>
public sealed record CertificationExpiringCondition(Guid CourseId, int WithinDays) : RuleNode
{
    public override string Describe(IAudienceFacts facts) => $"Certification in {facts.NameOf(CourseId)} expires within {WithinDays} days (or has expired)";
    protected override IEnumerable<(string Field, string Message)> Check(string path)
    {
        if (CourseId == Guid.Empty) yield return ($"{path}.courseId", "is required");
        if (WithinDays is not (> 0 and <= 3650)) yield return ($"{path}.withinDays", "must be between 1 and 3650");
    }
    internal override bool Evaluate(Learner person, IAudienceFacts facts, List<RuleTrace>? trace, int depth)
    {
        var expires = facts.CertificationExpiresAt(person.UserId, CourseId);
        var result = expires is { } e && DateOnly.FromDateTime(e.UtcDateTime) <= facts.Today.AddDays(WithinDays);
        var detail = expires switch
        {
            null => "holds no certification in it",
            { } x when DateOnly.FromDateTime(x.UtcDateTime) <= facts.Today => $"it expired on {x:yyyy-MM-dd}",
            { } x => $"certified until {x:yyyy-MM-dd}",
        };
        return Answer(trace, depth, facts, result, detail);
    }
}
