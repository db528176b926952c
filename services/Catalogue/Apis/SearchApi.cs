using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Contracts.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LmsPlatform.Catalogue.Apis;

public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/catalogue/search", Search).WithTags("Search").WithName("SearchCatalogue")
            .WithSummary("Full-text search of the published courses and paths the caller may see, with filters, sorting, paging and facet counts (cached in Redis and in process)")
            .Produces<SearchResults>().RequireAuthorization(Permissions.CatalogueRead);
        return app;
    }

    /// <summary>Answers with the cached JSON bytes as they are: search is the catalogue's hottest path.</summary>
    public static async Task<Results<FileContentHttpResult, ValidationProblem>> Search(
        [AsParameters] SearchRequest request, HttpContext http, CatalogueDbContext db, CatalogueCache cache, CatalogueIndex index, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var caller = CatalogueCaller.From(http.User);
        var timings = new SearchTimings();
        var (json, hit) = await cache.GetOrCreateJsonAsync($"search:{caller.AudienceKey}:{request.CacheKey()}", async (generation, token) =>
        {
            var waited = System.Diagnostics.Stopwatch.GetTimestamp();
            var snapshot = await index.GetAsync(generation, token);
            timings.Snapshot = System.Diagnostics.Stopwatch.GetElapsedTime(waited);
            return await CatalogueSearch.RunAsync(request, caller, db, snapshot, timings, token);
        }, ct);
        http.Response.Headers["X-Cache"] = hit ? "hit" : "miss";
        if (!hit) http.Response.Headers["Server-Timing"] = timings.Header();
        return TypedResults.File(json, "application/json");
    }
}
