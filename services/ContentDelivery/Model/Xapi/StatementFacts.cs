using System.Text.Json;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// An agent's identity for matching and keying: its one inverse functional identifier, as
/// <c>mbox:mailto:…</c> (domain in lower case), <c>mbox_sha1sum:…</c>, <c>openid:…</c> or <c>account:homePage|name</c>.
/// Name and objectType do not count: two agents with the same identifier are the same agent.
/// </summary>
public static class AgentKey
{
    public static string? Of(System.Text.Json.Nodes.JsonObject agent) => Of(JsonSerializer.SerializeToElement(agent));

    public static string? Of(JsonElement agent)
    {
        if (agent.ValueKind != JsonValueKind.Object) return null;
        if (agent.TryGetProperty("mbox", out var mbox) && mbox.GetString() is { } address)
        {
            var at = address.LastIndexOf('@');
            return "mbox:" + (at < 0 ? address : address[..at] + address[at..].ToLowerInvariant());
        }
        if (agent.TryGetProperty("mbox_sha1sum", out var sha1) && sha1.GetString() is { } sum) return "mbox_sha1sum:" + sum.ToLowerInvariant();
        if (agent.TryGetProperty("openid", out var openid) && openid.GetString() is { } id) return "openid:" + id;
        if (agent.TryGetProperty("account", out var account) && account.ValueKind == JsonValueKind.Object
            && account.TryGetProperty("homePage", out var home) && account.TryGetProperty("name", out var name))
            return $"account:{home.GetString()}|{name.GetString()}";
        return null;
    }

    /// <summary>The agent's own key and, for a Group, its members' keys: a Group matches a query for any of its members.</summary>
    public static IEnumerable<string> WithMembers(JsonElement agent)
    {
        if (Of(agent) is { } key) yield return key;
        if (agent.ValueKind == JsonValueKind.Object && agent.TryGetProperty("member", out var members) && members.ValueKind == JsonValueKind.Array)
            foreach (var member in members.EnumerateArray())
                if (Of(member) is { } memberKey) yield return memberKey;
    }
}

/// <summary>
/// What a stored statement is found by, as one set of prefixed keys (one GIN index answers any combination of
/// filters): <c>a:</c> the actor or object agent (and a Group's members), <c>A:</c> any agent in it (authority,
/// instructor, team, context agents, inside a SubStatement), <c>v:</c> the verb, <c>o:</c> the object activity,
/// <c>O:</c> any activity in it (context activities, inside a SubStatement), <c>r:</c> the registration, <c>w:</c>
/// the authority (for "my statements"). A statement that refers to another (a StatementRef object) also carries its
/// target's keys, so it is found by every filter its target is found by.
/// </summary>
public sealed record StatementFacts(Guid Id, string[] Keys, Guid? RefersTo, Guid? Voids, string[] ActivityIds)
{
    public const string Agent = "a:", RelatedAgent = "A:", Verb = "v:", Activity = "o:", RelatedActivity = "O:", Registration = "r:", Authority = "w:";

    /// <summary>The facts of a statement; <paramref name="authority"/> stands for its own when the LRS sets it (as it does on every stored statement).</summary>
    public static StatementFacts Of(JsonElement statement, JsonElement? authority = null)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var activityIds = new HashSet<string>(StringComparer.Ordinal);
        Collect(statement, keys, activityIds, top: true);
        if (authority is { } given || statement.TryGetProperty("authority", out given))
            foreach (var key in AgentKey.WithMembers(given))
            {
                keys.Add(RelatedAgent + key);
                keys.Add(Authority + key);
            }
        Guid? refersTo = null;
        if (statement.TryGetProperty("object", out var target) && IsType(target, "StatementRef") && target.TryGetProperty("id", out var targetId))
            refersTo = Guid.Parse(targetId.GetString()!);
        var voids = statement.GetProperty("verb").GetProperty("id").GetString() == StatementValidator.VoidedVerb ? refersTo : null;
        var id = statement.TryGetProperty("id", out var ownId) ? Guid.Parse(ownId.GetString()!) : Guid.Empty;
        return new StatementFacts(id, [.. keys], refersTo, voids, [.. activityIds]);
    }

    /// <summary>This statement's keys with its target's filter keys (not its time or authority).</summary>
    public string[] WithTarget(IEnumerable<string> targetKeys) =>
        [.. Keys.Union(targetKeys.Where(k => !k.StartsWith(Authority, StringComparison.Ordinal)))];

    private static bool IsType(JsonElement element, string type) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("objectType", out var t) && t.GetString() == type;

    private static void Collect(JsonElement statement, HashSet<string> keys, HashSet<string> activityIds, bool top)
    {
        void AddAgent(JsonElement agent, bool direct)
        {
            foreach (var key in AgentKey.WithMembers(agent))
            {
                keys.Add(RelatedAgent + key);
                if (direct) keys.Add(Agent + key);
            }
        }
        void AddActivity(JsonElement activity, bool direct)
        {
            if (!activity.TryGetProperty("id", out var id) || id.GetString() is not { } iri) return;
            keys.Add(RelatedActivity + iri);
            if (direct) keys.Add(Activity + iri);
            activityIds.Add(iri);
        }

        AddAgent(statement.GetProperty("actor"), direct: top);
        if (top) keys.Add(Verb + statement.GetProperty("verb").GetProperty("id").GetString());
        var target = statement.GetProperty("object");
        if (IsType(target, "Agent") || IsType(target, "Group")) AddAgent(target, direct: top);
        else if (IsType(target, "SubStatement")) Collect(target, keys, activityIds, top: false);
        else if (!IsType(target, "StatementRef")) AddActivity(target, direct: top);

        if (!statement.TryGetProperty("context", out var context)) return;
        if (top && context.TryGetProperty("registration", out var registration)) keys.Add(Registration + registration.GetString()!.ToLowerInvariant());
        if (context.TryGetProperty("instructor", out var instructor)) AddAgent(instructor, direct: false);
        if (context.TryGetProperty("team", out var team)) AddAgent(team, direct: false);
        foreach (var (list, member) in new[] { ("contextAgents", "agent"), ("contextGroups", "group") })
            if (context.TryGetProperty(list, out var entries) && entries.ValueKind == JsonValueKind.Array)
                foreach (var entry in entries.EnumerateArray())
                    if (entry.TryGetProperty(member, out var who)) AddAgent(who, direct: false);
        if (context.TryGetProperty("contextActivities", out var contextActivities))
            foreach (var group in contextActivities.EnumerateObject())
            {
                if (group.Value.ValueKind == JsonValueKind.Array)
                    foreach (var activity in group.Value.EnumerateArray()) AddActivity(activity, direct: false);
                else AddActivity(group.Value, direct: false);
            }
    }
}
