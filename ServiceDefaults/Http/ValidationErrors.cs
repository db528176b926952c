using System.Net.Mail;

namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>
/// Collects field errors for a 400 ValidationProblem (field name → messages). Request records use it in their
/// <c>Validate()</c> method, which unit tests call directly.
/// </summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
        return this;
    }

    public ValidationErrors Check(bool condition, string field, string message) => condition ? this : Add(field, message);

    public ValidationErrors Required(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "is required");
        return MaxLength(field, value, maxLength);
    }

    public ValidationErrors MaxLength(string field, string? value, int maxLength) =>
        value is not null && value.Length > maxLength ? Add(field, $"must be at most {maxLength} characters") : this;

    public ValidationErrors Email(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Add(field, "is required");
        if (value.Length > 254) return Add(field, "must be at most 254 characters");
        var ok = MailAddress.TryCreate(value.Trim(), out var address)
                 && address.Address == value.Trim()
                 && address.Host.Contains('.')
                 && !value.Any(char.IsWhiteSpace);
        return ok ? this : Add(field, "is not a valid email address");
    }

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
