using LmsPlatform.ContentDelivery.Application.Xapi;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ContentDelivery.Model.Xapi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Apis;

/// <summary>
/// cmi5's fetch URL: an AU posts to it once to get its session's credential (<c>{"auth-token": …}</c>), which it then
/// sends as Basic on every xAPI request. A second post, an unknown token, or a session that is over answers 200 with
/// cmi5's error codes (1: used or expired, 2: not a fetch URL of this LMS), as cmi5 says, never the token again.
/// </summary>
public static class Cmi5Api
{
    public static IEndpointRouteBuilder MapCmi5Api(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/content/cmi5/fetch/{token}", Fetch).WithTags("cmi5").WithName("Cmi5Fetch").AllowAnonymous().DisableAntiforgery()
            .WithSummary("The one-time fetch URL of a cmi5 launch: the AU's auth-token, the first time only");
        app.MapPost("/api/content/cmi5/registrations/{id:guid}/waivers", Waive).WithTags("cmi5").WithName("WaiveCmi5Au")
            .WithSummary("Waive an AU of a person's cmi5 registration (cmi5's reasons); it counts as satisfied")
            .RequireAuthorization(Permissions.EnrolmentsManage);
        return app;
    }

    /// <summary>An AU to waive and why (one of cmi5's reasons: Tested Out, Equivalent AU, Equivalent Outside Activity, Administrative).</summary>
    public sealed record WaiverRequest(string AuId, string Reason);

    private static async Task<Results<NoContent, NotFound>> Waive(Guid id, WaiverRequest request, Cmi5Waivers waivers, CancellationToken ct) =>
        await waivers.WaiveAsync(id, request.AuId ?? "", request.Reason ?? "", ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<JsonHttpResult<Dictionary<string, string>>> Fetch(string token, ContentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var hash = Secret.Hash(token);
        var session = await db.Cmi5Sessions.FirstOrDefaultAsync(s => s.FetchTokenHash == hash, ct);
        if (session is null) return Error("2", "This is not a fetch URL of this LMS.");
        var authToken = session.Fetch(time.GetUtcNow());
        if (authToken is null) return Error("1", "This fetch URL has been used, or its session is over: launch the AU again.");
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Error("1", "This fetch URL has been used: launch the AU again."); // two posts at once: the other one won
        }
        return TypedResults.Json(new Dictionary<string, string> { ["auth-token"] = authToken });
    }

    private static JsonHttpResult<Dictionary<string, string>> Error(string code, string text) =>
        TypedResults.Json(new Dictionary<string, string> { ["error-code"] = code, ["error-text"] = text });
}
