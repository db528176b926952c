using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// A statement as the LRS keeps and returns it: the properties the LRS sets (id, stored, timestamp, authority,
/// version), context activities always as arrays, the three output formats (exact, ids, canonical) and the comparison
/// a repeated id is judged by. Pure functions over JSON nodes, one walk for all of them.
/// </summary>
public static class StatementDocument
{
    /// <summary>The statement as stored: what was sent, with the LRS's own properties set.</summary>
    public static JsonObject Complete(JsonElement statement, Guid id, DateTimeOffset stored, JsonNode authority, XapiVersion version) =>
        JsonNode.Parse(CompleteJson(statement, id, stored, JsonSerializer.SerializeToElement(authority), version))!.AsObject();

    /// <summary>
    /// <see cref="Complete"/> as JSON text, written in one pass from what was sent (no document tree: this runs for every
    /// statement stored): the sent properties as they are, a context's single context activities as arrays (in a
    /// SubStatement too), then the LRS's id (when none was sent), stored, timestamp (when none), authority and version
    /// (when none).
    /// </summary>
    public static string CompleteJson(JsonElement statement, Guid id, DateTimeOffset stored, JsonElement authority, XapiVersion version)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!statement.TryGetProperty("id", out _)) writer.WriteString("id", id.ToString());
            WriteProperties(writer, statement, skip: ["stored", "authority"]);
            var at = XapiFormats.Format(stored);
            writer.WriteString("stored", at);
            if (!statement.TryGetProperty("timestamp", out _)) writer.WriteString("timestamp", at);
            writer.WritePropertyName("authority");
            authority.WriteTo(writer);
            if (!statement.TryGetProperty("version", out _)) writer.WriteString("version", version.StatementDefault());
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void WriteProperties(Utf8JsonWriter writer, JsonElement statement, string[] skip)
        {
            foreach (var property in statement.EnumerateObject())
            {
                if (skip.Contains(property.Name)) continue;
                if (property.Name == "context" && property.Value.TryGetProperty("contextActivities", out _))
                {
                    writer.WritePropertyName("context");
                    writer.WriteStartObject();
                    foreach (var part in property.Value.EnumerateObject())
                    {
                        if (part.Name != "contextActivities")
                        {
                            part.WriteTo(writer);
                            continue;
                        }
                        writer.WritePropertyName("contextActivities");
                        writer.WriteStartObject();
                        foreach (var group in part.Value.EnumerateObject())
                        {
                            writer.WritePropertyName(group.Name);
                            if (group.Value.ValueKind == JsonValueKind.Array) group.Value.WriteTo(writer);
                            else
                            {
                                writer.WriteStartArray();
                                group.Value.WriteTo(writer);
                                writer.WriteEndArray();
                            }
                        }
                        writer.WriteEndObject();
                    }
                    writer.WriteEndObject();
                }
                else if (property.Name == "object" && property.Value.ValueKind == JsonValueKind.Object
                         && property.Value.TryGetProperty("objectType", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "SubStatement")
                {
                    writer.WritePropertyName("object");
                    writer.WriteStartObject();
                    WriteProperties(writer, property.Value, skip: []);
                    writer.WriteEndObject();
                }
                else property.WriteTo(writer);
            }
        }
    }

    /// <summary>
    /// What two statements with the same id must agree on, both in their stored form (<see cref="CompleteJson"/>: context
    /// activities as arrays): everything but the LRS's own properties, activity definitions,
    /// verb displays, attachments, agents' names and the order of a Group's members; timestamps as instants, and only
    /// when the new statement has one.
    /// </summary>
    public static string Signature(JsonElement statement, bool withTimestamp)
    {
        var node = JsonObject.Create(statement)!.DeepClone().AsObject();
        foreach (var name in new[] { "id", "stored", "authority", "version", "attachments" }) node.Remove(name);
        Walk(node,
            onAgent: agent =>
            {
                var element = JsonSerializer.SerializeToElement(agent);
                var key = AgentKey.Of(element);
                var members = AgentKey.WithMembers(element).Where(k => k != key).Order(StringComparer.Ordinal).ToArray();
                agent.Clear();
                if (key is not null) agent["ifi"] = key;
                if (members.Length > 0) agent["member"] = new JsonArray([.. members.Select(m => JsonValue.Create(m))]);
            },
            onActivity: activity => activity.Remove("definition"),
            onVerb: verb => verb.Remove("display"),
            onStatement: s =>
            {
                s.Remove("attachments");
                if (!withTimestamp) s.Remove("timestamp");
                else if (s["timestamp"]?.GetValue<string>() is { } stamp && XapiFormats.TryParseTimestamp(stamp, out var instant))
                    s["timestamp"] = XapiFormats.Format(instant);
            });
        if (!withTimestamp) node.Remove("timestamp");
        var text = new StringBuilder();
        Canonical(node, text);
        return text.ToString();
    }

    /// <summary>Every activity definition the statement carries (its object, context activities, inside a SubStatement), as sent.</summary>
    public static IReadOnlyList<(string Id, JsonElement Definition)> Definitions(JsonElement statement)
    {
        var found = new List<(string, JsonElement)>();
        void Activity(JsonElement activity)
        {
            if (activity.ValueKind == JsonValueKind.Object && activity.TryGetProperty("id", out var id) && activity.TryGetProperty("definition", out var definition)
                && (!activity.TryGetProperty("objectType", out var type) || type.GetString() == "Activity"))
                found.Add((id.GetString()!, definition));
        }
        void Statement(JsonElement s)
        {
            if (s.TryGetProperty("object", out var target))
            {
                if (target.TryGetProperty("objectType", out var type) && type.GetString() == "SubStatement") Statement(target);
                else Activity(target);
            }
            if (s.TryGetProperty("context", out var context) && context.TryGetProperty("contextActivities", out var groups))
                foreach (var group in groups.EnumerateObject())
                {
                    if (group.Value.ValueKind == JsonValueKind.Array)
                        foreach (var activity in group.Value.EnumerateArray()) Activity(activity);
                    else Activity(group.Value);
                }
        }
        Statement(statement);
        return found;
    }

    /// <summary>The id of every activity in the statement.</summary>
    public static IReadOnlyList<string> ActivityIds(JsonObject statement)
    {
        var found = new List<string>();
        Walk(statement, onActivity: activity =>
        {
            if (activity["id"]?.GetValue<string>() is { } id) found.Add(id);
        });
        return found;
    }

    /// <summary>The <c>ids</c> format: agents, groups, activities and verbs reduced to their identifiers.</summary>
    public static void ToIds(JsonObject statement) => Walk(statement,
        onAgent: agent =>
        {
            foreach (var name in agent.Select(p => p.Key).ToList())
                if (name is not ("objectType" or "mbox" or "mbox_sha1sum" or "openid" or "account" or "member")) agent.Remove(name);
            // An identified Group is its identifier; an anonymous one keeps its members (reduced by the walk).
            if (agent.ContainsKey("member") && (agent.ContainsKey("mbox") || agent.ContainsKey("mbox_sha1sum") || agent.ContainsKey("openid") || agent.ContainsKey("account")))
                agent.Remove("member");
        },
        onActivity: activity => activity.Remove("definition"),
        onVerb: verb => verb.Remove("display"));

    /// <summary>
    /// The <c>canonical</c> format: each activity with the LRS's definition of it (<paramref name="definitionOf"/>), and
    /// every language map reduced to the one language the reader prefers (<paramref name="languages"/>, from Accept-Language).
    /// </summary>
    public static void ToCanonical(JsonObject statement, Func<string, JsonObject?> definitionOf, IReadOnlyList<string> languages)
    {
        Walk(statement,
            onActivity: activity =>
            {
                if (activity["id"]?.GetValue<string>() is { } id && definitionOf(id) is { } canonical) activity["definition"] = canonical.DeepClone();
                if (activity["definition"] is JsonObject definition)
                {
                    OneLanguage(definition, "name", languages);
                    OneLanguage(definition, "description", languages);
                    foreach (var list in new[] { "choices", "scale", "source", "target", "steps" })
                        if (definition[list] is JsonArray components)
                            foreach (var component in components.OfType<JsonObject>()) OneLanguage(component, "description", languages);
                }
            },
            onVerb: verb => OneLanguage(verb, "display", languages),
            onStatement: s =>
            {
                if (s["attachments"] is JsonArray attachments)
                    foreach (var attachment in attachments.OfType<JsonObject>())
                    {
                        OneLanguage(attachment, "display", languages);
                        OneLanguage(attachment, "description", languages);
                    }
            });
    }

    private static void OneLanguage(JsonObject owner, string property, IReadOnlyList<string> languages)
    {
        if (owner[property] is not JsonObject map || map.Count <= 1) return;
        var keys = map.Select(e => e.Key).ToList();
        var chosen = languages.Select(l => keys.FirstOrDefault(k => string.Equals(k, l, StringComparison.OrdinalIgnoreCase))
                                           ?? keys.FirstOrDefault(k => k.StartsWith(l.Split('-')[0] + "-", StringComparison.OrdinalIgnoreCase)
                                                                       || string.Equals(k, l.Split('-')[0], StringComparison.OrdinalIgnoreCase)))
            .FirstOrDefault(k => k is not null) ?? keys[0];
        var value = map[chosen]!.DeepClone();
        owner[property] = new JsonObject { [chosen] = value };
    }

    /// <summary>One walk over a statement's parts, for every transformation above.</summary>
    private static void Walk(JsonObject statement, Action<JsonObject>? onAgent = null, Action<JsonObject>? onActivity = null,
        Action<JsonObject>? onVerb = null, Action<JsonObject>? onStatement = null)
    {
        void Agent(JsonNode? node)
        {
            if (node is not JsonObject agent) return;
            if (agent["member"] is JsonArray members)
                foreach (var member in members) Agent(member);
            onAgent?.Invoke(agent);
        }
        void Activity(JsonNode? node)
        {
            if (node is JsonObject activity) onActivity?.Invoke(activity);
        }
        void Statement(JsonObject s)
        {
            onStatement?.Invoke(s);
            Agent(s["actor"]);
            Agent(s["authority"]);
            if (s["verb"] is JsonObject verb) onVerb?.Invoke(verb);
            if (s["object"] is JsonObject target)
            {
                switch (target["objectType"]?.GetValue<string>())
                {
                    case "Agent" or "Group": Agent(target); break;
                    case "SubStatement": Statement(target); break;
                    case "StatementRef": break;
                    default: Activity(target); break;
                }
            }
            if (s["context"] is not JsonObject context) return;
            Agent(context["instructor"]);
            Agent(context["team"]);
            if (context["contextAgents"] is JsonArray contextAgents)
                foreach (var entry in contextAgents.OfType<JsonObject>()) Agent(entry["agent"]);
            if (context["contextGroups"] is JsonArray contextGroups)
                foreach (var entry in contextGroups.OfType<JsonObject>()) Agent(entry["group"]);
            if (context["contextActivities"] is JsonObject groups)
                foreach (var (_, value) in groups)
                {
                    if (value is JsonArray list)
                        foreach (var activity in list) Activity(activity);
                    else Activity(value);
                }
        }
        Statement(statement);
    }

    /// <summary>JSON with object keys in ordinal order and no white space: equal values give equal text.</summary>
    private static void Canonical(JsonNode? node, StringBuilder text)
    {
        switch (node)
        {
            case JsonObject obj:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    text.Append(JsonSerializer.Serialize(key)).Append(':');
                    Canonical(value, text);
                }
                text.Append('}');
                break;
            case JsonArray array:
                text.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Canonical(array[i], text);
                }
                text.Append(']');
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                text.Append(double.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                break;
            case null:
                text.Append("null");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }
}
