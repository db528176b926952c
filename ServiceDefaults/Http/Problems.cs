using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LmsPlatform.ServiceDefaults.Http;

public static class Problems
{
    /// <summary>A 409 ProblemDetails naming the field in conflict, in the same <c>errors</c> shape as a 400.</summary>
    public static Conflict<ProblemDetails> Conflict(string detail, string field) => TypedResults.Conflict(new ProblemDetails
    {
        Status = StatusCodes.Status409Conflict,
        Title = "Conflict",
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        Detail = detail,
        Extensions = { ["errors"] = new Dictionary<string, string[]> { [field] = [detail] } },
    });
}
