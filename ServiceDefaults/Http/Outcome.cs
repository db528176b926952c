namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>What a command did: succeeded with a value, refused the input (field errors), conflicted, or found nothing.</summary>
public abstract record Outcome<T>
{
    public sealed record Ok(T Value) : Outcome<T>;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : Outcome<T>;
    public sealed record Conflict(string Detail, string Field) : Outcome<T>;
    public sealed record NotFound : Outcome<T>;

    public static implicit operator Outcome<T>(T value) => new Ok(value);
}
