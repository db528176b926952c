namespace LmsPlatform.Identity.Model;

public enum UserStatus { Active, Suspended, Deactivated }

/// <summary>A person the platform knows. Never hard-deleted.</summary>
public sealed class User
{
    public Guid Id { get; set; }
    public required string Email { get; set; }
    /// <summary>Upper-case invariant email: the unique, case-insensitive key.</summary>
    public required string NormalizedEmail { get; set; }
    public required string GivenName { get; set; }
    public required string FamilyName { get; set; }
    /// <summary>The HR system's employee number.</summary>
    public string? ExternalId { get; set; }
    public UserStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}
