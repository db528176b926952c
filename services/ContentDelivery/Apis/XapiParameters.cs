using System.Text.Json;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.ContentDelivery.Apis;

/// <summary>
/// An xAPI request's query parameters, read as strictly as statements are: only the names the resource has (exact
/// case), each once, each in its format (an IRI, Agent JSON, a UUID, a timestamp, <c>true</c>/<c>false</c>). The
/// first fault is kept in <see cref="Fault"/> and answered as 400.
/// </summary>
public sealed class XapiParameters
{
    private readonly IQueryCollection query;
    private readonly XapiVersion version;

    public XapiParameters(IQueryCollection query, XapiVersion version, params string[] allowed)
    {
        this.query = query;
        this.version = version;
        foreach (var (name, values) in query)
        {
            if (Array.IndexOf(allowed, name) < 0)
            {
                var differentCase = allowed.FirstOrDefault(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase));
                Fail(differentCase is null ? $"'{name}' is not a parameter of this resource ({string.Join(", ", allowed)})." : $"'{name}' is spelt '{differentCase}'.");
            }
            else if (values.Count > 1) Fail($"'{name}' is given more than once.");
        }
    }

    public string? Fault { get; private set; }

    public bool Has(string name) => query.ContainsKey(name);

    private void Fail(string message) => Fault ??= message;

    public string? Text(string name, bool required = false)
    {
        if (query.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 } value) return value;
        if (required) Fail($"'{name}' is required.");
        return null;
    }

    public string? Iri(string name, bool required = false)
    {
        var value = Text(name, required);
        if (value is not null && !XapiFormats.IsIri(value)) Fail($"'{name}' must be an absolute IRI.");
        return value;
    }

    public Guid? Uuid(string name)
    {
        var value = Text(name);
        if (value is null) return null;
        if (XapiFormats.IsUuid(value)) return Guid.Parse(value);
        Fail($"'{name}' must be a UUID.");
        return null;
    }

    public DateTimeOffset? Timestamp(string name)
    {
        var value = Text(name);
        if (value is null) return null;
        if (XapiFormats.TryParseTimestamp(value, out var timestamp)) return timestamp;
        Fail($"'{name}' must be an ISO 8601 timestamp.");
        return null;
    }

    public bool Boolean(string name)
    {
        var value = Text(name);
        switch (value)
        {
            case null or "false": return false;
            case "true": return true;
            default:
                Fail($"'{name}' must be true or false.");
                return false;
        }
    }

    public int? Integer(string name)
    {
        var value = Text(name);
        if (value is null) return null;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return number;
        Fail($"'{name}' must be a whole number, 0 or more.");
        return null;
    }

    /// <summary>Agent JSON (a Group too when <paramref name="groupAllowed"/>), validated as in a statement; its identifier key.</summary>
    public (JsonElement Agent, string Key)? Agent(string name, bool required, bool groupAllowed)
    {
        var value = Text(name, required);
        if (value is null) return null;
        JsonElement agent;
        try
        {
            agent = JsonDocument.Parse(value).RootElement;
        }
        catch (JsonException)
        {
            Fail($"'{name}' must be an Agent as JSON.");
            return null;
        }
        var faults = StatementValidator.ValidateAgent(agent, version, groupAllowed, name);
        if (faults.Count > 0)
        {
            Fail(faults[0]);
            return null;
        }
        if (AgentKey.Of(agent) is { } key) return (agent, key);
        Fail($"'{name}' must be identified (mbox, mbox_sha1sum, openid or account).");
        return null;
    }
}
