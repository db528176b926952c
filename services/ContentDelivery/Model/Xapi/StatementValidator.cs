using System.Text.Json;

namespace LmsPlatform.ContentDelivery.Model.Xapi;

/// <summary>
/// Every MUST of the xAPI data model for a statement (1.0.3 and 2.0): the properties each object may have and no
/// others, their JSON types, their formats, exactly one identifier per agent, the voiding statement's shape, a
/// SubStatement's limits, no <c>null</c> outside extensions, no key twice. It names each fault by its path
/// (<c>context.contextActivities.parent[0].id</c>), so a client is told what to mend. Pure: it reads the JSON and
/// returns the faults; the statement resource refuses the whole request when there is one.
/// </summary>
public sealed class StatementValidator
{
    public const string VoidedVerb = "http://adlnet.gov/expapi/verbs/voided";
    private const int MaxErrors = 20;

    private static readonly string[] StatementProperties = ["id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority", "version", "attachments"];
    private static readonly string[] SubStatementProperties = ["objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"];
    private static readonly string[] AgentProperties = ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"];
    private static readonly string[] GroupProperties = ["objectType", "name", "mbox", "mbox_sha1sum", "openid", "account", "member"];
    private static readonly string[] Identifiers = ["mbox", "mbox_sha1sum", "openid", "account"];
    private static readonly string[] InteractionTypes = ["true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing", "likert", "numeric", "other"];
    private static readonly string[] ComponentLists = ["choices", "scale", "source", "target", "steps"];
    private static readonly string[] ContextActivityKeys = ["parent", "grouping", "category", "other"];

    private readonly XapiVersion version;
    private readonly List<string> errors = [];

    private StatementValidator(XapiVersion version) => this.version = version;

    /// <summary>The faults of one statement (empty when it is valid).</summary>
    public static IReadOnlyList<string> Validate(JsonElement statement, XapiVersion version, string path = "")
    {
        var validator = new StatementValidator(version);
        validator.NoDuplicateKeys(statement, path);
        if (validator.errors.Count == 0) validator.Statement(statement, path, subStatement: false);
        return validator.errors;
    }

    /// <summary>The faults of an Agent given as a query parameter or document key (<c>agent=</c>); a Group when <paramref name="groupAllowed"/>.</summary>
    public static IReadOnlyList<string> ValidateAgent(JsonElement agent, XapiVersion version, bool groupAllowed, string path = "agent")
    {
        var validator = new StatementValidator(version);
        validator.NoDuplicateKeys(agent, path);
        if (validator.errors.Count > 0) return validator.errors;
        if (!groupAllowed && agent.ValueKind == JsonValueKind.Object && agent.TryGetProperty("objectType", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "Group")
            validator.Fault(path, "must be an Agent, not a Group");
        else validator.Actor(agent, path);
        return validator.errors;
    }

    private void Fault(string path, string message)
    {
        if (errors.Count < MaxErrors) errors.Add(path.Length == 0 ? message : $"{path}: {message}");
    }

    private static string At(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private void NoDuplicateKeys(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!seen.Add(property.Name)) Fault(At(path, property.Name), "appears twice in one object");
                    NoDuplicateKeys(property.Value, At(path, property.Name));
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) NoDuplicateKeys(item, $"{path}[{i++}]");
                break;
        }
    }

    /// <summary>An object with only the <paramref name="allowed"/> properties (by exact case), none of them null.</summary>
    private bool Object(JsonElement element, string path, string[] allowed, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Fault(path, $"must be {what} (a JSON object)");
            return false;
        }
        var ok = true;
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                var differentCase = allowed.FirstOrDefault(a => string.Equals(a, property.Name, StringComparison.OrdinalIgnoreCase));
                Fault(At(path, property.Name), differentCase is null ? $"is not a property of {what}" : $"is not a property of {what} (the name is '{differentCase}')");
                ok = false;
            }
            else if (property.Value.ValueKind == JsonValueKind.Null)
            {
                Fault(At(path, property.Name), "must not be null");
                ok = false;
            }
        }
        return ok;
    }

    private void Required(JsonElement element, string path, params string[] names)
    {
        foreach (var name in names)
            if (!element.TryGetProperty(name, out _)) Fault(At(path, name), "is required");
    }

    private string? String(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.String) return element.GetString();
        Fault(path, "must be a string");
        return null;
    }

    private void Format(JsonElement element, string path, Func<string, bool> valid, string what)
    {
        if (String(element, path) is { } value && !valid(value)) Fault(path, $"must be {what} ('{Shorten(value)}' is not)");
    }

    private static string Shorten(string value) => value.Length > 80 ? value[..80] + "…" : value;

    private void Iri(JsonElement element, string path) => Format(element, path, XapiFormats.IsIri, "an absolute IRI");

    private void Uuid(JsonElement element, string path) => Format(element, path, XapiFormats.IsUuid, "a UUID");

    private void Boolean(JsonElement element, string path)
    {
        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) Fault(path, "must be true or false (a JSON boolean)");
    }

    private double? Number(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number) return element.GetDouble();
        Fault(path, "must be a JSON number");
        return null;
    }

    private void Timestamp(JsonElement element, string path) =>
        Format(element, path, value => XapiFormats.TryParseTimestamp(value, out _), "an ISO 8601 timestamp");

    private void LanguageMap(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Fault(path, "must be a language map (a JSON object)");
            return;
        }
        foreach (var entry in element.EnumerateObject())
        {
            if (!XapiFormats.IsLanguageTag(entry.Name)) Fault(At(path, entry.Name), "is not an RFC 5646 language tag");
            if (entry.Value.ValueKind != JsonValueKind.String) Fault(At(path, entry.Name), "must be a string");
        }
    }

    private void Extensions(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Fault(path, "must be a JSON object");
            return;
        }
        // Extension values are the sender's own: anything, null included. Only the keys are IRIs.
        foreach (var entry in element.EnumerateObject())
            if (!XapiFormats.IsIri(entry.Name)) Fault(At(path, entry.Name), "an extension's key must be an absolute IRI");
    }

    private void Statement(JsonElement element, string path, bool subStatement)
    {
        var what = subStatement ? "a SubStatement" : "a Statement";
        if (!Object(element, path, subStatement ? SubStatementProperties : StatementProperties, what)) return;
        Required(element, path, "actor", "verb", "object");
        foreach (var property in element.EnumerateObject())
        {
            var at = At(path, property.Name);
            var value = property.Value;
            switch (property.Name)
            {
                case "id": Uuid(value, at); break;
                case "objectType":
                    if (value.ValueKind != JsonValueKind.String || value.GetString() != "SubStatement") Fault(at, "must be \"SubStatement\"");
                    break;
                case "actor": Actor(value, at); break;
                case "verb": Verb(value, at); break;
                case "object": StatementObject(value, at, subStatement); break;
                case "result": Result(value, at); break;
                case "context": Context(value, at, element); break;
                case "timestamp" or "stored": Timestamp(value, at); break;
                case "authority": Authority(value, at); break;
                case "version":
                    Format(value, at, v => version == XapiVersion.V200 ? v.StartsWith("1.0.") || v.StartsWith("2.0.") : v.StartsWith("1.0."),
                        version == XapiVersion.V200 ? "a 1.0.x or 2.0.x version" : "a 1.0.x version");
                    break;
                case "attachments": Attachments(value, at); break;
            }
        }
        if (element.TryGetProperty("verb", out var verb) && verb.ValueKind == JsonValueKind.Object && verb.TryGetProperty("id", out var verbId)
            && verbId.ValueKind == JsonValueKind.String && verbId.GetString() == VoidedVerb)
        {
            if (!element.TryGetProperty("object", out var target) || target.ValueKind != JsonValueKind.Object
                || !target.TryGetProperty("objectType", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "StatementRef")
                Fault(At(path, "object"), "a voiding statement's object must be a StatementRef to the statement it voids");
        }
    }

    /// <summary>An Agent, or a Group when its objectType says so.</summary>
    private void Actor(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("objectType", out var type))
        {
            if (type.ValueKind == JsonValueKind.String && type.GetString() == "Group")
            {
                Group(element, path);
                return;
            }
            if (type.ValueKind != JsonValueKind.String || type.GetString() != "Agent")
            {
                Fault(At(path, "objectType"), "must be \"Agent\" or \"Group\"");
                return;
            }
        }
        Agent(element, path);
    }

    private void Agent(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("member", out _))
        {
            Fault(At(path, "member"), "only a Group has members");
            return;
        }
        if (!Object(element, path, AgentProperties, "an Agent")) return;
        if (element.TryGetProperty("objectType", out var type) && (type.ValueKind != JsonValueKind.String || type.GetString() != "Agent"))
            Fault(At(path, "objectType"), "must be \"Agent\"");
        var count = IdentifierCount(element, path);
        if (count != 1) Fault(path, $"an Agent must have exactly one of mbox, mbox_sha1sum, openid and account ({count} given)");
    }

    private void Group(JsonElement element, string path)
    {
        if (!Object(element, path, GroupProperties, "a Group")) return;
        var count = IdentifierCount(element, path);
        if (count > 1) Fault(path, $"a Group may have one of mbox, mbox_sha1sum, openid and account, not {count}");
        if (element.TryGetProperty("member", out var members))
        {
            if (members.ValueKind != JsonValueKind.Array) Fault(At(path, "member"), "must be an array of Agents");
            else
            {
                var i = 0;
                foreach (var member in members.EnumerateArray())
                {
                    var at = $"{At(path, "member")}[{i++}]";
                    if (member.ValueKind == JsonValueKind.Object && member.TryGetProperty("objectType", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "Group")
                        Fault(at, "a Group's members are Agents, not Groups");
                    else Agent(member, at);
                }
                if (count == 0 && i == 0) Fault(At(path, "member"), "an anonymous Group must have members");
            }
        }
        else if (count == 0) Fault(path, "a Group needs an identifier (mbox, mbox_sha1sum, openid or account) or members");
    }

    private int IdentifierCount(JsonElement element, string path)
    {
        var count = 0;
        foreach (var name in Identifiers)
        {
            if (!element.TryGetProperty(name, out var value)) continue;
            count++;
            var at = At(path, name);
            switch (name)
            {
                case "mbox": Format(value, at, XapiFormats.IsMailto, "a mailto: IRI with an email address"); break;
                case "mbox_sha1sum": Format(value, at, XapiFormats.IsSha1, "a SHA-1 as 40 hexadecimal digits"); break;
                case "openid": Iri(value, at); break;
                case "account":
                    if (!Object(value, at, ["homePage", "name"], "an Account")) break;
                    Required(value, at, "homePage", "name");
                    if (value.TryGetProperty("homePage", out var home)) Iri(home, At(at, "homePage"));
                    if (value.TryGetProperty("name", out var accountName)) String(accountName, At(at, "name"));
                    break;
            }
        }
        if (element.TryGetProperty("name", out var displayName)) String(displayName, At(path, "name"));
        return count;
    }

    private void Verb(JsonElement element, string path)
    {
        if (!Object(element, path, ["id", "display"], "a Verb")) return;
        Required(element, path, "id");
        if (element.TryGetProperty("id", out var id)) Iri(id, At(path, "id"));
        if (element.TryGetProperty("display", out var display)) LanguageMap(display, At(path, "display"));
    }

    private void StatementObject(JsonElement element, string path, bool insideSubStatement)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Fault(path, "must be an Activity, Agent, Group, SubStatement or StatementRef (a JSON object)");
            return;
        }
        var type = element.TryGetProperty("objectType", out var t) ? t.ValueKind == JsonValueKind.String ? t.GetString() : "" : null;
        switch (type)
        {
            case null or "Activity": Activity(element, path); break;
            case "Agent": Agent(element, path); break;
            case "Group": Group(element, path); break;
            case "StatementRef": StatementRef(element, path); break;
            case "SubStatement" when insideSubStatement: Fault(path, "a SubStatement must not hold another SubStatement"); break;
            case "SubStatement": Statement(element, path, subStatement: true); break;
            default: Fault(At(path, "objectType"), "must be Activity, Agent, Group, SubStatement or StatementRef"); break;
        }
    }

    private void StatementRef(JsonElement element, string path)
    {
        if (!Object(element, path, ["objectType", "id"], "a StatementRef")) return;
        Required(element, path, "objectType", "id");
        if (element.TryGetProperty("objectType", out var type) && (type.ValueKind != JsonValueKind.String || type.GetString() != "StatementRef"))
            Fault(At(path, "objectType"), "must be \"StatementRef\"");
        if (element.TryGetProperty("id", out var id)) Uuid(id, At(path, "id"));
    }

    private void Activity(JsonElement element, string path)
    {
        if (!Object(element, path, ["objectType", "id", "definition"], "an Activity")) return;
        Required(element, path, "id");
        if (element.TryGetProperty("id", out var id)) Iri(id, At(path, "id"));
        if (!element.TryGetProperty("definition", out var definition)) return;
        var at = At(path, "definition");
        if (!Object(definition, at, ["name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern",
                "choices", "scale", "source", "target", "steps"], "an Activity Definition")) return;
        foreach (var property in definition.EnumerateObject())
        {
            var p = At(at, property.Name);
            switch (property.Name)
            {
                case "name" or "description": LanguageMap(property.Value, p); break;
                case "type" or "moreInfo": Iri(property.Value, p); break;
                case "extensions": Extensions(property.Value, p); break;
                case "interactionType":
                    Format(property.Value, p, v => InteractionTypes.Contains(v), "one of " + string.Join(", ", InteractionTypes));
                    break;
                case "correctResponsesPattern":
                    if (property.Value.ValueKind != JsonValueKind.Array) Fault(p, "must be an array of strings");
                    else
                    {
                        var i = 0;
                        foreach (var pattern in property.Value.EnumerateArray()) String(pattern, $"{p}[{i++}]");
                    }
                    break;
                default: Components(property.Value, p); break;
            }
        }
        var interaction = definition.TryGetProperty("interactionType", out _);
        if (!interaction && (definition.TryGetProperty("correctResponsesPattern", out _) || ComponentLists.Any(c => definition.TryGetProperty(c, out _))))
            Fault(at, "correctResponsesPattern and interaction components need an interactionType");
    }

    private void Components(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Fault(path, "must be an array of interaction components");
            return;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var component in element.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (!Object(component, at, ["id", "description"], "an interaction component")) continue;
            Required(component, at, "id");
            if (component.TryGetProperty("id", out var id) && String(id, At(at, "id")) is { } value && !ids.Add(value))
                Fault(At(at, "id"), $"'{Shorten(value)}' is used twice in one list");
            if (component.TryGetProperty("description", out var description)) LanguageMap(description, At(at, "description"));
        }
    }

    private void Result(JsonElement element, string path)
    {
        if (!Object(element, path, ["score", "success", "completion", "response", "duration", "extensions"], "a Result")) return;
        foreach (var property in element.EnumerateObject())
        {
            var at = At(path, property.Name);
            switch (property.Name)
            {
                case "score": Score(property.Value, at); break;
                case "success" or "completion": Boolean(property.Value, at); break;
                case "response": String(property.Value, at); break;
                case "duration": Format(property.Value, at, XapiFormats.IsDuration, "an ISO 8601 duration (e.g. PT1H30M)"); break;
                case "extensions": Extensions(property.Value, at); break;
            }
        }
    }

    private void Score(JsonElement element, string path)
    {
        if (!Object(element, path, ["scaled", "raw", "min", "max"], "a Score")) return;
        double? Read(string name) => element.TryGetProperty(name, out var v) ? Number(v, At(path, name)) : null;
        var scaled = Read("scaled");
        var raw = Read("raw");
        var min = Read("min");
        var max = Read("max");
        if (scaled is < -1 or > 1) Fault(At(path, "scaled"), "must be between -1 and 1");
        if (min is { } lo && max is { } hi && lo >= hi) Fault(At(path, "max"), "must be greater than min");
        if (raw is { } r && (r < min || r > max)) Fault(At(path, "raw"), "must lie between min and max");
    }

    private void Context(JsonElement element, string path, JsonElement statement)
    {
        string[] allowed = version == XapiVersion.V200
            ? ["registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions", "contextAgents", "contextGroups"]
            : ["registration", "instructor", "team", "contextActivities", "revision", "platform", "language", "statement", "extensions"];
        if (!Object(element, path, allowed, version == XapiVersion.V200 ? "a Context" : "a Context (xAPI 1.0.3)")) return;
        foreach (var property in element.EnumerateObject())
        {
            var at = At(path, property.Name);
            var value = property.Value;
            switch (property.Name)
            {
                case "registration": Uuid(value, at); break;
                case "instructor": Actor(value, at); break;
                case "team":
                    if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("objectType", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Group")
                        Fault(at, "must be a Group (objectType \"Group\")");
                    else Group(value, at);
                    break;
                case "contextActivities": ContextActivities(value, at); break;
                case "revision" or "platform":
                    String(value, at);
                    if (statement.TryGetProperty("object", out var target) && target.ValueKind == JsonValueKind.Object && target.TryGetProperty("objectType", out var type)
                        && type.ValueKind == JsonValueKind.String && type.GetString() != "Activity")
                        Fault(at, "is allowed only when the statement's object is an Activity");
                    break;
                case "language": Format(value, at, XapiFormats.IsLanguageTag, "an RFC 5646 language tag"); break;
                case "statement": StatementRef(value, at); break;
                case "extensions": Extensions(value, at); break;
                case "contextAgents": ContextAgents(value, at, "contextAgent", "agent"); break;
                case "contextGroups": ContextAgents(value, at, "contextGroup", "group"); break;
            }
        }
    }

    private void ContextActivities(JsonElement element, string path)
    {
        if (!Object(element, path, ContextActivityKeys, "contextActivities")) return;
        if (!element.EnumerateObject().Any()) Fault(path, "must not be empty");
        foreach (var property in element.EnumerateObject())
        {
            var at = At(path, property.Name);
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var activity in property.Value.EnumerateArray()) ContextActivity(activity, $"{at}[{i++}]");
            }
            else ContextActivity(property.Value, at);
        }
    }

    private void ContextActivity(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("objectType", out var type)
            && (type.ValueKind != JsonValueKind.String || type.GetString() != "Activity"))
            Fault(At(path, "objectType"), "a context activity must be an Activity");
        else Activity(element, path);
    }

    private void ContextAgents(JsonElement element, string path, string objectType, string member)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Fault(path, $"must be an array of {objectType} objects");
            return;
        }
        var i = 0;
        foreach (var entry in element.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (!Object(entry, at, ["objectType", member, "relevantTypes"], $"a {objectType}")) continue;
            Required(entry, at, "objectType", member);
            if (entry.TryGetProperty("objectType", out var type) && (type.ValueKind != JsonValueKind.String || type.GetString() != objectType))
                Fault(At(at, "objectType"), $"must be \"{objectType}\"");
            if (entry.TryGetProperty(member, out var who))
            {
                if (member == "group")
                {
                    if (who.ValueKind != JsonValueKind.Object || !who.TryGetProperty("objectType", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "Group")
                        Fault(At(at, member), "must be a Group (objectType \"Group\")");
                    else Group(who, At(at, member));
                }
                else Agent(who, At(at, member));
            }
            if (entry.TryGetProperty("relevantTypes", out var types))
            {
                if (types.ValueKind != JsonValueKind.Array || types.GetArrayLength() == 0) Fault(At(at, "relevantTypes"), "must be a non-empty array of IRIs");
                else
                {
                    var j = 0;
                    foreach (var relevant in types.EnumerateArray()) Iri(relevant, $"{At(at, "relevantTypes")}[{j++}]");
                }
            }
        }
    }

    private void Authority(JsonElement element, string path)
    {
        Actor(element, path);
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("objectType", out var type) && type.ValueKind == JsonValueKind.String
            && type.GetString() == "Group" && (!element.TryGetProperty("member", out var members) || members.ValueKind != JsonValueKind.Array || members.GetArrayLength() != 2))
            Fault(path, "a Group authority must have exactly two members (an application and a person)");
    }

    private void Attachments(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            Fault(path, "must be an array of Attachments");
            return;
        }
        var i = 0;
        foreach (var attachment in element.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (!Object(attachment, at, ["usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"], "an Attachment")) continue;
            Required(attachment, at, "usageType", "display", "contentType", "length", "sha2");
            foreach (var property in attachment.EnumerateObject())
            {
                var p = At(at, property.Name);
                switch (property.Name)
                {
                    case "usageType" or "fileUrl": Iri(property.Value, p); break;
                    case "display" or "description": LanguageMap(property.Value, p); break;
                    case "contentType": Format(property.Value, p, XapiFormats.IsMimeType, "a MIME type"); break;
                    case "sha2": Format(property.Value, p, XapiFormats.IsSha2, "a SHA-2 hash in hexadecimal"); break;
                    case "length":
                        if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt64(out var length) || length < 0)
                            Fault(p, "must be a whole number of octets");
                        break;
                }
            }
            if (attachment.TryGetProperty("usageType", out var usage) && usage.ValueKind == JsonValueKind.String && usage.GetString() == SignedStatement.UsageType
                && attachment.TryGetProperty("contentType", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != SignedStatement.ContentType)
                Fault(At(at, "contentType"), $"a signature's contentType must be {SignedStatement.ContentType}");
        }
    }
}
