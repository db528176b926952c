using System.Security.Claims;

namespace LmsPlatform.ServiceDefaults.Security;

/// <summary>Who is calling, as every service reads it from the access token: the subject's id and a name to record.</summary>
public static class Caller
{
    /// <summary>The token's subject (<c>sub</c>, or the name identifier a mapped principal carries), when it is a user id.</summary>
    public static Guid? UserIdOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value, out var id) ? id : null;

    /// <summary>The name to record beside what the caller did: the token's name, else its identity's, else the subject.</summary>
    public static string NameOf(ClaimsPrincipal user) =>
        user.FindFirst("name")?.Value ?? user.Identity?.Name ?? user.FindFirst("sub")?.Value ?? "unknown";
}
