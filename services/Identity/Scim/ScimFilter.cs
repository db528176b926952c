using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;

namespace LmsPlatform.Identity.Scim;

public sealed class ScimFilterException(string message) : Exception(message);

/// <summary>
/// SCIM filters (RFC 7644 §3.4.2.2) compiled to a LINQ predicate that EF Core translates to SQL: eq, ne, co, sw, ew,
/// pr, gt, ge, lt, le, combined with and, or, not and parentheses, and value paths (<c>emails[type eq "work" and
/// value co "@example.org"]</c>, whose inner attributes are sub-attributes of the outer one). Attribute names are case-insensitive and map to
/// properties through <paramref name="attributes"/>; string comparisons ignore case, as SCIM's caseExact=false
/// attributes require.
/// </summary>
public static class ScimFilter
{
    private static readonly MethodInfo ToUpper = typeof(string).GetMethod(nameof(string.ToUpper), Type.EmptyTypes)!;
    private static readonly MethodInfo Contains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StartsWith = typeof(string).GetMethod(nameof(string.StartsWith), [typeof(string)])!;
    private static readonly MethodInfo EndsWith = typeof(string).GetMethod(nameof(string.EndsWith), [typeof(string)])!;
    private static readonly MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    public static Expression<Func<T, bool>> Parse<T>(string filter, IReadOnlyDictionary<string, Expression<Func<T, object?>>> attributes)
    {
        var parameter = Expression.Parameter(typeof(T), "x");
        var parser = new Parser<T>(Tokenize(filter), attributes, parameter);
        var body = parser.ParseOr();
        if (!parser.AtEnd) throw new ScimFilterException($"Unexpected '{parser.Current}' in the filter.");
        return Expression.Lambda<Func<T, bool>>(body, parameter);
    }

    private static List<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or '[' or ']') { tokens.Add(c.ToString()); i++; continue; }
            if (c == '"')
            {
                var value = new System.Text.StringBuilder("\"");
                i++;
                while (true)
                {
                    if (i >= text.Length) throw new ScimFilterException("A quoted value is not closed.");
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    if (text[i] == '"') { i++; break; }
                    value.Append(text[i++]);
                }
                tokens.Add(value.ToString());
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')' and not '[' and not ']') i++;
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    private sealed class Parser<T>(List<string> tokens, IReadOnlyDictionary<string, Expression<Func<T, object?>>> attributes, ParameterExpression x)
    {
        private int _at;
        /// <summary>Inside a value path ("emails[...]"): the outer attribute, which the inner names are sub-attributes of.</summary>
        private string _prefix = "";
        public bool AtEnd => _at >= tokens.Count;
        public string Current => AtEnd ? "end of filter" : tokens[_at];

        private bool Accept(string keyword)
        {
            if (AtEnd || !string.Equals(tokens[_at], keyword, StringComparison.OrdinalIgnoreCase)) return false;
            _at++;
            return true;
        }

        private string Next(string what) => AtEnd ? throw new ScimFilterException($"The filter ends where {what} was expected.") : tokens[_at++];

        public Expression ParseOr()
        {
            var left = ParseAnd();
            while (Accept("or")) left = Expression.OrElse(left, ParseAnd());
            return left;
        }

        private Expression ParseAnd()
        {
            var left = ParseUnary();
            while (Accept("and")) left = Expression.AndAlso(left, ParseUnary());
            return left;
        }

        private Expression ParseUnary()
        {
            if (Accept("not"))
            {
                if (!Accept("(")) throw new ScimFilterException("'not' must be followed by '('.");
                var inner = ParseOr();
                if (!Accept(")")) throw new ScimFilterException("A ')' is missing.");
                return Expression.Not(inner);
            }
            if (Accept("("))
            {
                var inner = ParseOr();
                if (!Accept(")")) throw new ScimFilterException("A ')' is missing.");
                return inner;
            }
            if (_at + 1 < tokens.Count && tokens[_at + 1] == "[")
            {
                if (_prefix.Length > 0) throw new ScimFilterException("Value paths cannot be nested.");
                _prefix = tokens[_at] + ".";
                _at += 2;
                var inner = ParseOr();
                _prefix = "";
                if (!Accept("]")) throw new ScimFilterException("A ']' is missing.");
                return inner;
            }
            return ParseComparison();
        }

        private Expression ParseComparison()
        {
            var path = _prefix + Next("an attribute");
            var selector = attributes.FirstOrDefault(a => string.Equals(a.Key, path, StringComparison.OrdinalIgnoreCase)).Value
                           ?? throw new ScimFilterException($"'{path}' is not an attribute that can be filtered on.");
            var member = new ParameterReplacer(selector.Parameters[0], x).Visit(selector.Body);
            if (member is UnaryExpression { NodeType: ExpressionType.Convert } convert) member = convert.Operand;
            var op = Next("an operator").ToLowerInvariant();
            if (op == "pr")
                return member.Type == typeof(string)
                    ? Expression.AndAlso(Expression.NotEqual(member, Expression.Constant(null, typeof(string))), Expression.NotEqual(member, Expression.Constant("")))
                    : Nullable.GetUnderlyingType(member.Type) is not null ? Expression.NotEqual(member, Expression.Constant(null, member.Type)) : Expression.Constant(true);
            var raw = Next("a value");
            return Build(member, op, raw, path);
        }

        private static Expression Build(Expression member, string op, string raw, string path)
        {
            var type = Nullable.GetUnderlyingType(member.Type) ?? member.Type;
            if (raw == "null")
                return op switch
                {
                    "eq" when !member.Type.IsValueType || Nullable.GetUnderlyingType(member.Type) is not null => Expression.Equal(member, Expression.Constant(null, member.Type)),
                    "ne" when !member.Type.IsValueType || Nullable.GetUnderlyingType(member.Type) is not null => Expression.NotEqual(member, Expression.Constant(null, member.Type)),
                    "eq" => Expression.Constant(false),
                    "ne" => Expression.Constant(true),
                    _ => throw new ScimFilterException($"'{op}' cannot compare with null."),
                };
            if (type == typeof(string))
            {
                if (!raw.StartsWith('"')) throw new ScimFilterException($"The value for '{path}' must be a quoted string.");
                var value = Expression.Constant(raw[1..].ToUpperInvariant());
                var notNull = Expression.NotEqual(member, Expression.Constant(null, typeof(string)));
                var upper = Expression.Call(member, ToUpper);
                Expression test = op switch
                {
                    "eq" => Expression.Equal(upper, value),
                    "ne" => Expression.NotEqual(upper, value),
                    "co" => Expression.Call(upper, Contains, value),
                    "sw" => Expression.Call(upper, StartsWith, value),
                    "ew" => Expression.Call(upper, EndsWith, value),
                    "gt" => Expression.GreaterThan(Expression.Call(Compare, upper, value), Expression.Constant(0)),
                    "ge" => Expression.GreaterThanOrEqual(Expression.Call(Compare, upper, value), Expression.Constant(0)),
                    "lt" => Expression.LessThan(Expression.Call(Compare, upper, value), Expression.Constant(0)),
                    "le" => Expression.LessThanOrEqual(Expression.Call(Compare, upper, value), Expression.Constant(0)),
                    _ => throw new ScimFilterException($"'{op}' is not a SCIM operator."),
                };
                return op == "ne" ? Expression.OrElse(Expression.Not(notNull), test) : Expression.AndAlso(notNull, test);
            }
            object parsed;
            if (type == typeof(bool))
            {
                if (raw is not ("true" or "false")) throw new ScimFilterException($"The value for '{path}' must be true or false.");
                if (op is not ("eq" or "ne")) throw new ScimFilterException($"'{op}' cannot compare booleans.");
                parsed = raw == "true";
            }
            else if (type == typeof(Guid))
            {
                if (!Guid.TryParse(raw.Trim('"'), out var g)) throw new ScimFilterException($"'{raw}' is not an id.");
                if (op is not ("eq" or "ne")) throw new ScimFilterException($"'{op}' cannot compare ids.");
                parsed = g;
            }
            else if (type == typeof(DateTimeOffset))
            {
                if (!DateTimeOffset.TryParse(raw.Trim('"'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
                    throw new ScimFilterException($"'{raw}' is not a date-time.");
                parsed = d.ToUniversalTime();
            }
            else throw new ScimFilterException($"'{path}' cannot be filtered with '{op}'.");

            var constant = Expression.Constant(parsed, member.Type);
            return op switch
            {
                "eq" => Expression.Equal(member, constant),
                "ne" => Expression.NotEqual(member, constant),
                "gt" => Expression.GreaterThan(member, constant),
                "ge" => Expression.GreaterThanOrEqual(member, constant),
                "lt" => Expression.LessThan(member, constant),
                "le" => Expression.LessThanOrEqual(member, constant),
                _ => throw new ScimFilterException($"'{op}' cannot be used on '{path}'."),
            };
        }
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
