using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Security;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using static LmsPlatform.Catalogue.Apis.CatalogueResults;

namespace LmsPlatform.Catalogue.Apis;

/// <summary>The category tree. Everyone reads it; holders of categories.manage (administrators) shape it.</summary>
public static class CategoriesApi
{
    public static IEndpointRouteBuilder MapCategoriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalogue/categories").WithTags("Categories");
        api.MapGet("/", ListCategories).WithName("ListCategories").WithSummary("The whole category tree, parents before children (cached in Redis)").RequireAuthorization(Permissions.CatalogueRead);
        api.MapPost("/", CreateCategory).WithName("CreateCategory").WithSummary("Add a category").RequireAuthorization(Permissions.CategoriesManage);
        api.MapPut("/{id:guid}", UpdateCategory).WithName("UpdateCategory").WithSummary("Rename or move a category; 409 on a cycle").RequireAuthorization(Permissions.CategoriesManage);
        api.MapDelete("/{id:guid}", DeleteCategory).WithName("DeleteCategory").WithSummary("Remove an unused category without children").RequireAuthorization(Permissions.CategoriesManage);
        return app;
    }

    public static async Task<Ok<List<CategoryView>>> ListCategories(HttpContext http, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var (tree, hit) = await cache.GetOrCreateAsync("categories", async token =>
            (await db.Categories.AsNoTracking().OrderBy(c => c.Path.Length).ThenBy(c => c.Name).ToListAsync(token)).Select(View).ToList(), ct);
        http.Response.Headers["X-Cache"] = hit ? "hit" : "miss";
        return TypedResults.Ok(tree!);
    }

    public static async Task<Results<Created<CategoryView>, ValidationProblem, Conflict<ProblemDetails>>> CreateCategory(
        CategoryRequest request, CatalogueDbContext db, CatalogueCache cache, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        Category? parent = null;
        if (request.ParentId is { } parentId && (parent = await db.Categories.FirstOrDefaultAsync(c => c.Id == parentId, ct)) is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["parentId"] = ["is not a known category"] });
        var id = Guid.CreateVersion7();
        var category = new Category { Id = id, Name = request.Name!.Trim(), ParentId = parent?.Id, Path = Category.PathOf(parent, id), CreatedAt = time.GetUtcNow() };
        db.Categories.Add(category);
        if (await SaveAsync(db, ct) is not null) return Problems.Conflict($"'{category.Name}' exists already there.", "name");
        await cache.InvalidateAsync();
        return TypedResults.Created($"/api/catalogue/categories/{id}", View(category));
    }

    public static async Task<Results<Ok<CategoryView>, ValidationProblem, NotFound, Conflict<ProblemDetails>>> UpdateCategory(
        Guid id, CategoryRequest request, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var category = await db.Categories.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (category is null) return TypedResults.NotFound();
        category.Name = request.Name!.Trim();
        if (category.ParentId != request.ParentId)
        {
            Category? parent = null;
            if (request.ParentId is { } parentId)
            {
                parent = await db.Categories.FirstOrDefaultAsync(c => c.Id == parentId, ct);
                if (parent is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["parentId"] = ["is not a known category"] });
                if (parent.Path.StartsWith(category.Path, StringComparison.Ordinal))
                    return Problems.Conflict($"'{parent.Name}' is inside '{category.Name}': moving it there would make a cycle.", "parentId");
            }
            var oldPath = category.Path;
            var newPath = Category.PathOf(parent, id);
            foreach (var descendant in await db.Categories.Where(c => c.Path.StartsWith(oldPath) && c.Id != id).ToListAsync(ct))
                descendant.Path = newPath + descendant.Path[oldPath.Length..];
            category.Path = newPath;
            category.ParentId = parent?.Id;
        }
        if (await SaveAsync(db, ct) is not null) return Problems.Conflict($"'{category.Name}' exists already there, or the category changed meanwhile.", "name");
        await cache.InvalidateAsync();
        return TypedResults.Ok(View(category));
    }

    public static async Task<Results<NoContent, NotFound, Conflict<ProblemDetails>>> DeleteCategory(
        Guid id, CatalogueDbContext db, CatalogueCache cache, CancellationToken ct)
    {
        var category = await db.Categories.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (category is null) return TypedResults.NotFound();
        if (await db.Categories.AnyAsync(c => c.ParentId == id, ct)) return Problems.Conflict("The category has subcategories; move or remove them first.", "id");
        if (await db.CourseVersions.AnyAsync(v => v.CategoryId == id, ct) || await db.LearningPathVersions.AnyAsync(v => v.CategoryId == id, ct))
            return Problems.Conflict("Courses or learning paths (or earlier versions of them) are in this category.", "id");
        db.Categories.Remove(category);
        await db.SaveChangesAsync(ct);
        await cache.InvalidateAsync();
        return TypedResults.NoContent();
    }

    private static CategoryView View(Category c) =>
        new(c.Id, c.Name, c.ParentId, c.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList());
}
