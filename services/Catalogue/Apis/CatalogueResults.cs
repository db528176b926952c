using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Apis;

/// <summary>What the catalogue's doors (courses, paths, categories) answer alike: saves that may conflict, refusals, unpublishable drafts.</summary>
public static class CatalogueResults
{
    /// <summary>Saves; a concurrent change to the same item (xmin) or a second draft becomes a 409.</summary>
    public static async Task<Conflict<ProblemDetails>?> SaveAsync(CatalogueDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (Exception ex) when (ex is DbUpdateConcurrencyException || ex is DbUpdateException u && u.IsUniqueViolation())
        {
            return Problems.Conflict("Someone else changed this at the same time; read it again and retry.", "etag");
        }
    }

    public static ProblemHttpResult NotYours() => Forbidden("Only the owner or an administrator may change this.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static UnprocessableEntity<ProblemDetails> Unpublishable(CatalogueItem item, ValidationErrors errors) => TypedResults.UnprocessableEntity(new ProblemDetails
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Title = $"The {item.Noun} cannot be published yet.",
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        Extensions = { ["errors"] = errors.ToDictionary() },
    });

    public static Dictionary<string, string[]> Prefixed(Dictionary<string, string[]> errors) =>
        errors.ToDictionary(e => $"draft.{e.Key}", e => e.Value);

    public static Results<Ok<List<ItemRef>>, ValidationProblem, NotFound, Conflict<ProblemDetails>, ProblemHttpResult> ToResult(Outcome<List<ItemRef>> outcome) => outcome switch
    {
        Outcome<List<ItemRef>>.Ok ok => TypedResults.Ok(ok.Value),
        Outcome<List<ItemRef>>.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors),
        Outcome<List<ItemRef>>.Conflict conflict => Problems.Conflict(conflict.Detail, conflict.Field),
        _ => TypedResults.NotFound(),
    };
}
