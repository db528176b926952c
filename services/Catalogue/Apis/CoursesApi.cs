using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.Contracts.Security;
using System.Text.Json;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Data;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Distributed;

namespace LmsPlatform.Catalogue.Apis;

public sealed record CreateCourseRequest(string? Code, string? Title, string? Summary)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors()
            .Required("code", Code, 32)
            .Required("title", Title, 200)
            .MaxLength("summary", Summary, 2000);
        if (!string.IsNullOrWhiteSpace(Code))
            errors.Check(Code.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), "code",
                "may contain only letters, digits, '-', '_' and '.'");
        return errors.ToDictionary();
    }
}

public sealed record CourseDto(Guid Id, string Code, string Title, string? Summary, string Status, DateTimeOffset CreatedAt)
{
    public static CourseDto From(Course c) => new(c.Id, c.Code, c.Title, c.Summary, c.Status.ToString(), c.CreatedAt);
}

public static class CoursesApi
{
    private static readonly DistributedCacheEntryOptions CacheEntry = new() { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(10) };

    public static IEndpointRouteBuilder MapCoursesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/catalogue/courses").WithTags("Courses");
        api.MapPost("/", CreateCourse).WithName("CreateCourse").WithSummary("Create a draft course; publishes CourseCreated").RequireAuthorization(Permissions.CatalogueManage);
        api.MapGet("/{id:guid}", GetCourse).WithName("GetCourse").WithSummary("Get a course by id (cached in Redis)").RequireAuthorization(Permissions.CatalogueRead);
        api.MapGet("/", ListCourses).WithName("ListCourses").WithSummary("List courses, newest first, paged").RequireAuthorization(Permissions.CatalogueRead);
        return app;
    }

    public static string CacheKey(Guid id) => $"course:{id}";

    public static async Task<Results<Created<CourseDto>, ValidationProblem, Conflict<ProblemDetails>>> CreateCourse(
        CreateCourseRequest request, CatalogueDbContext db, IDistributedCache cache, TimeProvider time, CancellationToken ct)
    {
        if (request.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var code = request.Code!.Trim().ToUpperInvariant();
        if (await db.Courses.AnyAsync(c => c.Code == code, ct))
            return Problems.Conflict($"A course with the code '{code}' exists already.", "code");

        var course = new Course
        {
            Id = Guid.CreateVersion7(),
            Code = code,
            Title = request.Title!.Trim(),
            Summary = string.IsNullOrWhiteSpace(request.Summary) ? null : request.Summary.Trim(),
            Status = CourseStatus.Draft,
            CreatedAt = time.GetUtcNow(),
        };
        db.Courses.Add(course);
        db.AddIntegrationEvent(new CourseCreated(course.Id, course.Code, course.Title, course.CreatedAt));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict($"A course with the code '{code}' exists already.", "code");
        }
        await cache.RemoveAsync(CacheKey(course.Id), ct);
        return TypedResults.Created($"/api/catalogue/courses/{course.Id}", CourseDto.From(course));
    }

    public static async Task<Results<Ok<CourseDto>, NotFound>> GetCourse(Guid id, CatalogueDbContext db, IDistributedCache cache, CancellationToken ct)
    {
        if (await cache.GetAsync(CacheKey(id), ct) is { } cached)
            return TypedResults.Ok(JsonSerializer.Deserialize<CourseDto>(cached, JsonSerializerOptions.Web)!);
        if (await db.Courses.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) is not { } course)
            return TypedResults.NotFound();
        var dto = CourseDto.From(course);
        await cache.SetAsync(CacheKey(id), JsonSerializer.SerializeToUtf8Bytes(dto, JsonSerializerOptions.Web), CacheEntry, ct);
        return TypedResults.Ok(dto);
    }

    public static async Task<Results<Ok<Page<CourseDto>>, ValidationProblem>> ListCourses(
        [AsParameters] PageRequest paging, CatalogueDbContext db, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var page = await db.Courses.AsNoTracking().OrderByDescending(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => CourseDto.From(c)).ToPageAsync(paging, ct);
        return TypedResults.Ok(page);
    }
}
