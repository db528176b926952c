using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ServiceDefaults.Http;

/// <summary>A page of a list: the items, where the page is, and how many there are in all.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long TotalCount)
{
    public int TotalPages => PageSize == 0 ? 0 : (int)Math.Ceiling(TotalCount / (double)PageSize);

    public Page<TOut> Map<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), PageNumber, PageSize, TotalCount);
}

/// <summary>The paging query of every list endpoint: <c>?page=1&amp;pageSize=20</c> (at most 200 a page).</summary>
public readonly record struct PageRequest(int? Page, int? PageSize)
{
    public const int MaxPageSize = 200;
    public int PageNumber => Page ?? 1;
    public int Size => PageSize ?? 20;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors();
        errors.Check(PageNumber >= 1, "page", "must be 1 or more");
        errors.Check(Size is >= 1 and <= MaxPageSize, "pageSize", $"must be between 1 and {MaxPageSize}");
        return errors.ToDictionary();
    }
}

public static class PagingExtensions
{
    /// <summary>Runs the query for one page (the query must already be ordered).</summary>
    public static async Task<Page<T>> ToPageAsync<T>(this IQueryable<T> ordered, PageRequest request, CancellationToken cancellationToken)
    {
        var total = await ordered.LongCountAsync(cancellationToken);
        return await ordered.ToPageAsync(request, total, cancellationToken);
    }

    /// <summary>Runs the query for one page, when the number of items in all is already known (a count kept elsewhere).</summary>
    public static async Task<Page<T>> ToPageAsync<T>(this IQueryable<T> ordered, PageRequest request, long totalCount, CancellationToken cancellationToken)
    {
        var items = await ordered.Skip((request.PageNumber - 1) * request.Size).Take(request.Size).ToListAsync(cancellationToken);
        return new Page<T>(items, request.PageNumber, request.Size, totalCount);
    }
}
