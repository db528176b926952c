using Microsoft.AspNetCore.WebUtilities;

namespace LmsPlatform.Portal.Components.Pages.Learning;

/// <summary>
/// The catalogue page's state, all of it in the address: every filter, the sort and the page are links a person can
/// bookmark, share and go back to. <see cref="With"/> builds the link for one change; a change of filter goes back to
/// the first page.
/// </summary>
public sealed record CatalogueQuery(string? Q, Guid? Category, string[] Tags, string? Language, string? DeliveryType, string? Kind,
    string? Duration, string? Sort, int Page)
{
    public const int PageSize = 20;
    public static readonly string[] DurationBuckets = ["under-30", "30-60", "60-120", "120-plus"];

    public bool HasFilters => Category is not null || Tags.Length > 0 || Language is not null || DeliveryType is not null || Kind is not null || Duration is not null;

    /// <summary>The search API's query for this page.</summary>
    public string ApiPath()
    {
        var (min, max) = Duration switch
        {
            "under-30" => ((int?)null, (int?)29),
            "30-60" => (30, 59),
            "60-120" => (60, 119),
            "120-plus" => (120, null),
            _ => (null, null),
        };
        var query = Filters();
        Add(query, "minDuration", min?.ToString());
        Add(query, "maxDuration", max?.ToString());
        Add(query, "sort", Sort);
        Add(query, "page", Page.ToString());
        Add(query, "pageSize", PageSize.ToString());
        return QueryHelpers.AddQueryString("api/catalogue/search", query);
    }

    /// <summary>The portal's own link for this state.</summary>
    public string Href()
    {
        var query = Filters();
        Add(query, "duration", Duration);
        Add(query, "sort", Sort);
        if (Page > 1) Add(query, "page", Page.ToString());
        return QueryHelpers.AddQueryString("catalogue", query);
    }

    /// <summary>The filters the page and the API name alike.</summary>
    private List<KeyValuePair<string, string?>> Filters()
    {
        var query = new List<KeyValuePair<string, string?>>();
        Add(query, "q", Q);
        Add(query, "category", Category?.ToString());
        foreach (var tag in Tags) Add(query, "tag", tag);
        Add(query, "language", Language);
        Add(query, "deliveryType", DeliveryType);
        Add(query, "kind", Kind);
        return query;
    }

    public string With(Func<CatalogueQuery, CatalogueQuery> change) => (change(this) with { Page = 1 }).Href();

    public string ToggleTag(string tag) => With(q => q with { Tags = q.Tags.Contains(tag) ? [.. q.Tags.Where(t => t != tag)] : [.. q.Tags, tag] });

    public string ToPage(int page) => (this with { Page = page }).Href();

    private static void Add(List<KeyValuePair<string, string?>> query, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) query.Add(new(name, value));
    }
}
