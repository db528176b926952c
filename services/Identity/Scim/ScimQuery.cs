using System.Linq.Expressions;
using System.Text.Json.Nodes;

namespace LmsPlatform.Identity.Scim;

/// <summary>
/// The list and read options of RFC 7644 §3.4.2: <c>sortBy</c>/<c>sortOrder</c> (on the attributes that can be filtered)
/// and <c>attributes</c>/<c>excludedAttributes</c> (which shape each returned resource).
/// </summary>
public static class ScimQuery
{
    /// <summary>Orders by <paramref name="sortBy"/> (ascending unless <paramref name="sortOrder"/> is "descending"), then by <paramref name="tieBreak"/>.</summary>
    public static IQueryable<T> Sort<T>(IQueryable<T> query, string? sortBy, string? sortOrder,
        IReadOnlyDictionary<string, Expression<Func<T, object?>>> attributes, Expression<Func<T, Guid>> tieBreak,
        Expression<Func<T, DateTimeOffset>> byDefault)
    {
        var descending = sortOrder?.ToLowerInvariant() switch
        {
            null or "" or "ascending" => false,
            "descending" => true,
            _ => throw new ScimException(400, "invalidValue", $"sortOrder must be ascending or descending, not '{sortOrder}'."),
        };
        if (string.IsNullOrWhiteSpace(sortBy)) return query.OrderBy(byDefault).ThenBy(tieBreak);
        var selector = attributes.FirstOrDefault(a => string.Equals(a.Key, sortBy.Trim(), StringComparison.OrdinalIgnoreCase)).Value
                       ?? throw new ScimException(400, "invalidValue", $"'{sortBy}' is not an attribute the results can be sorted by.");
        var body = selector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : selector.Body;
        var key = Expression.Lambda(body, selector.Parameters);
        var method = (descending ? OrderByDescending : OrderBy).MakeGenericMethod(typeof(T), body.Type);
        var ordered = (IOrderedQueryable<T>)method.Invoke(null, [query, key])!;
        return ordered.ThenBy(tieBreak);
    }

    private static readonly System.Reflection.MethodInfo OrderBy = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.OrderBy) && m.GetParameters().Length == 2);
    private static readonly System.Reflection.MethodInfo OrderByDescending = typeof(Queryable).GetMethods()
        .Single(m => m.Name == nameof(Queryable.OrderByDescending) && m.GetParameters().Length == 2);

    /// <summary>
    /// Keeps only the <paramref name="attributes"/> asked for, or drops the <paramref name="excludedAttributes"/>; "id"
    /// and "schemas" are always returned. Paths may name a sub-attribute ("name.givenName") or an extension's attribute
    /// by its schema ("urn:…:enterprise:2.0:User:employeeNumber").
    /// </summary>
    public static JsonObject Shape(JsonObject resource, string? attributes, string? excludedAttributes)
    {
        static IEnumerable<(string Top, string? Sub)> Paths(string list, JsonObject resource) =>
            list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(path =>
            {
                var extension = resource.Select(p => p.Key).FirstOrDefault(k => k.StartsWith("urn:", StringComparison.Ordinal)
                    && path.StartsWith(k, StringComparison.OrdinalIgnoreCase));
                if (extension is not null) return (extension, path.Length > extension.Length ? path[(extension.Length + 1)..] : null);
                var dot = path.IndexOf('.');
                return dot < 0 ? (path, (string?)null) : (path[..dot], path[(dot + 1)..]);
            });
        static string? Key(JsonObject o, string name) => o.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));

        if (!string.IsNullOrWhiteSpace(attributes))
        {
            var wanted = Paths(attributes, resource).ToList();
            var shaped = new JsonObject();
            foreach (var (name, value) in resource)
            {
                if (name is "id" or "schemas") { shaped[name] = value?.DeepClone(); continue; }
                var asked = wanted.Where(w => string.Equals(w.Top, name, StringComparison.OrdinalIgnoreCase)).ToList();
                if (asked.Count == 0) continue;
                if (asked.Any(a => a.Sub is null) || value is not JsonObject inner) { shaped[name] = value?.DeepClone(); continue; }
                var part = new JsonObject();
                foreach (var (_, sub) in asked)
                    if (Key(inner, sub!) is { } k) part[k] = inner[k]?.DeepClone();
                shaped[name] = part;
            }
            return shaped;
        }
        if (!string.IsNullOrWhiteSpace(excludedAttributes))
        {
            var shaped = (JsonObject)resource.DeepClone();
            foreach (var (top, sub) in Paths(excludedAttributes, resource))
            {
                if (Key(shaped, top) is not { } k || k is "id" or "schemas") continue;
                if (sub is null) shaped.Remove(k);
                else if (shaped[k] is JsonObject inner && Key(inner, sub) is { } s) inner.Remove(s);
            }
            return shaped;
        }
        return resource;
    }
}
