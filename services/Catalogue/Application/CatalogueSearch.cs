using System.Security.Cryptography;
using System.Text;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace LmsPlatform.Catalogue.Application;

/// <summary>
/// The catalogue search query: <c>?q=fire safety&amp;category=…&amp;tag=a&amp;tag=b&amp;language=en&amp;deliveryType=e-learning
/// &amp;minDuration=10&amp;maxDuration=60&amp;kind=course&amp;sort=relevance&amp;page=1&amp;pageSize=20</c>.
/// Several tags narrow the results to items carrying all of them.
/// </summary>
public sealed record SearchRequest(
    string? Q, Guid? Category, string[]? Tag, string? Language, string? DeliveryType, int? MinDuration, int? MaxDuration,
    string? Kind, string? Sort, int? Page, int? PageSize)
{
    public static readonly string[] Sorts = ["relevance", "title", "newest", "duration"];
    public PageRequest Paging => new(Page, PageSize);
    public string SortOrder => Sort?.Trim().ToLowerInvariant() ?? (string.IsNullOrWhiteSpace(Q) ? "title" : "relevance");
    public List<string> Tags => TagNames.NormaliseAll(Tag).Order(StringComparer.Ordinal).ToList();

    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors().MaxLength("q", Q, 200);
        foreach (var (field, messages) in Paging.Validate()) errors.Add(field, messages[0]);
        errors.Check((Tag?.Length ?? 0) <= 10, "tag", "at most 10 tags");
        errors.Check(Language is null || Languages.Normalise(Language) is not null, "language", "must be a language tag such as 'en'");
        errors.Check(DeliveryType is null || Wire.ParseDeliveryType(DeliveryType) is not null, "deliveryType", "must be 'e-learning', 'instructor-led' or 'blended'");
        errors.Check(MinDuration is null or >= 0, "minDuration", "must be 0 or more");
        errors.Check(MaxDuration is null or >= 0, "maxDuration", "must be 0 or more");
        errors.Check(MinDuration is null || MaxDuration is null || MinDuration <= MaxDuration, "maxDuration", "must not be below minDuration");
        errors.Check(Kind is null || Kind.Trim().ToLowerInvariant() is "course" or "learning-path", "kind", "must be 'course' or 'learning-path'");
        errors.Check(Sorts.Contains(SortOrder), "sort", $"must be one of {string.Join(", ", Sorts)}");
        errors.Check(SortOrder != "relevance" || !string.IsNullOrWhiteSpace(Q), "sort", "relevance needs a query (q)");
        return errors.ToDictionary();
    }

    /// <summary>A short, stable key for the normalised request, for the cache.</summary>
    public string CacheKey()
    {
        var text = string.Join('\u001f', Q?.Trim().ToLowerInvariant(), Category, string.Join(',', Tags), Languages.Normalise(Language),
            Wire.ParseDeliveryType(DeliveryType), MinDuration, MaxDuration, Kind?.Trim().ToLowerInvariant(), SortOrder, Paging.PageNumber, Paging.Size);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }
}

public sealed record SearchHit(
    Guid Id, string Kind, string Code, int Version, string Title, string? Summary, Guid? CategoryId, IReadOnlyList<string> Tags,
    string Language, string DeliveryType, int DurationMinutes, DateTimeOffset PublishedAt, float? Rank);

public sealed record FacetValue(string Value, string? Label, long Count);

public sealed record SearchFacets(
    IReadOnlyList<FacetValue> Categories, IReadOnlyList<FacetValue> Tags, IReadOnlyList<FacetValue> Languages,
    IReadOnlyList<FacetValue> DeliveryTypes, IReadOnlyList<FacetValue> Kinds, IReadOnlyList<FacetValue> Durations);

/// <summary>Where a search's time went, for the <c>Server-Timing</c> response header.</summary>
public sealed class SearchTimings
{
    /// <summary>Waiting for the index snapshot (a reload after a change).</summary>
    public TimeSpan Snapshot { get; set; }
    /// <summary>The full-text match in PostgreSQL.</summary>
    public TimeSpan Text { get; set; }
    /// <summary>Filters, facets, sorting and paging in memory.</summary>
    public TimeSpan Index { get; set; }

    public string Header() => FormattableString.Invariant(
        $"snapshot;dur={Snapshot.TotalMilliseconds:0.0}, text;dur={Text.TotalMilliseconds:0.0}, index;dur={Index.TotalMilliseconds:0.0}");
}

public sealed record SearchResults(IReadOnlyList<SearchHit> Items, int PageNumber, int PageSize, long TotalCount, SearchFacets Facets);

/// <summary>
/// Search over the published entries the caller may see, with facet counts, on the replica's in-memory index
/// (<see cref="CatalogueIndex"/>). The text part of a query is PostgreSQL's: its GIN index finds the matching entries
/// and ranks them (title above summary above description, English stemming); everything else runs in one pass over
/// the snapshot in the requested order. Facets are disjunctive: each counts the results of every filter but its own, so
/// picking one language still shows how many items the other languages have.
/// </summary>
public static class CatalogueSearch
{
    [Flags]
    private enum Filter { None = 0, Category = 1, Tags = 2, Language = 4, Delivery = 8, Kind = 16, Duration = 32 }

    private static readonly string[] DurationBuckets = ["under-30", "30-60", "60-120", "120-plus"];

    public static async Task<SearchResults> RunAsync(SearchRequest request, CatalogueCaller caller, CatalogueDbContext db, IndexSnapshot index,
        SearchTimings? timings, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var q = string.IsNullOrWhiteSpace(request.Q) ? null : request.Q.Trim();
        var ranks = q is null ? null : await TextMatchesAsync(db, q, ct);
        var matched = System.Diagnostics.Stopwatch.GetTimestamp();
        var results = Run(request, caller, index, ranks);
        if (timings is not null)
        {
            timings.Text = System.Diagnostics.Stopwatch.GetElapsedTime(started, matched);
            timings.Index = System.Diagnostics.Stopwatch.GetElapsedTime(matched);
        }
        return results;
    }

    /// <summary>
    /// Everything but the text match, in memory and synchronous (a loop inside an async method keeps its locals on the
    /// heap and runs several times slower): one pass over the entries in the requested order, or over the text matches
    /// only, put in that order.
    /// </summary>
    public static SearchResults Run(SearchRequest request, CatalogueCaller caller, IndexSnapshot index, Dictionary<Guid, float>? ranks)
    {
        HashSet<Guid>? audience = caller.SeesEverything ? null : caller.OrgUnitId is { } unit ? index.SelfAndAncestors(unit) : [];
        var categories = request.Category is { } category ? index.CategorySubtree(category) : null;
        // A tag or language the index does not know matches nothing (-1).
        var tags = request.Tags.Select(t => index.TagIds.TryGetValue(t, out var id) ? id : -1).ToArray();
        var language = Languages.Normalise(request.Language) is { } l ? Array.IndexOf(index.LanguageNames, l) : (int?)null;
        var delivery = Wire.ParseDeliveryType(request.DeliveryType);
        ItemKind? kind = request.Kind is null ? null : request.Kind.Trim().ToLowerInvariant() == "learning-path" ? ItemKind.LearningPath : ItemKind.Course;

        var sort = request.SortOrder;
        var order = sort switch
        {
            "newest" => index.ByNewest,
            "duration" => index.ByDuration,
            _ => index.ByTitle,
        };
        if (ranks is not null)
        {
            // Only the entries the text matched, in the requested order (their place in it).
            var places = sort switch { "newest" => index.NewestPlace, "duration" => index.DurationPlace, _ => index.TitlePlace };
            var found = new List<IndexedEntry>(ranks.Count);
            foreach (var id in ranks.Keys)
                if (index.ById.TryGetValue(id, out var entry)) found.Add(entry);
            found.Sort((a, b) => places[a.Id].CompareTo(places[b.Id]));
            order = [.. found];
        }

        var (offset, limit) = ((request.Paging.PageNumber - 1) * request.Paging.Size, request.Paging.Size);
        var relevance = ranks is not null && sort == "relevance";
        var matches = new List<IndexedEntry>();
        var total = 0;
        var categoryCounts = new long[index.CategoryIds.Length];
        long uncategorised = 0;
        var tagCounts = new long[index.TagNames.Length];
        var languageCounts = new long[index.LanguageNames.Length];
        var deliveryCounts = new long[Enum.GetValues<DeliveryType>().Length];
        var kindCounts = new long[Enum.GetValues<ItemKind>().Length];
        var durationCounts = new long[DurationBuckets.Length];
        foreach (var e in order)
        {
            if (audience is not null && !e.VisibleToEveryone && !Overlaps(e.AudienceOrgUnitIds, audience)) continue;
            var failed = Filter.None;
            if (categories is not null && (e.CategoryIndex < 0 || !categories[e.CategoryIndex])) failed |= Filter.Category;
            foreach (var t in tags)
                if (Array.IndexOf(e.TagIds, t) < 0) { failed |= Filter.Tags; break; }
            if (language is not null && e.LanguageId != language) failed |= Filter.Language;
            if (delivery is not null && e.DeliveryType != delivery) failed |= Filter.Delivery;
            if (kind is not null && e.Kind != kind) failed |= Filter.Kind;
            if (request.MinDuration is { } min && e.DurationMinutes < min || request.MaxDuration is { } max && e.DurationMinutes > max) failed |= Filter.Duration;
            if (failed == Filter.None)
            {
                if (relevance || total >= offset && total < offset + limit) matches.Add(e);
                total++;
            }
            // Counted by a facet when it passes every filter but that facet's own: no failure, or that one alone.
            if ((failed & ~Filter.Category) == 0)
            {
                if (e.CategoryIndex >= 0) categoryCounts[e.CategoryIndex]++;
                else uncategorised++;
            }
            if ((failed & ~Filter.Tags) == 0) foreach (var t in e.TagIds) tagCounts[t]++;
            if ((failed & ~Filter.Language) == 0) languageCounts[e.LanguageId]++;
            if ((failed & ~Filter.Delivery) == 0) deliveryCounts[(int)e.DeliveryType]++;
            if ((failed & ~Filter.Kind) == 0) kindCounts[(int)e.Kind]++;
            if ((failed & ~Filter.Duration) == 0) durationCounts[Bucket(e.DurationMinutes)]++;
        }

        IEnumerable<SearchHit> hits = relevance
            ? matches.OrderByDescending(e => ranks![e.Id]).ThenBy(e => index.TitlePlace[e.Id]).Skip(offset).Take(limit).Select(e => e.Hit(ranks![e.Id]))
            : matches.Select(e => e.Hit(ranks?.GetValueOrDefault(e.Id)));

        var categoryFacet = index.CategoryIds.Select((id, i) => new FacetValue(id.ToString(), index.Categories[id].Name, categoryCounts[i]))
            .Concat([new FacetValue("none", null, uncategorised)])
            .Where(f => f.Count > 0)
            .OrderByDescending(f => f.Count).ThenBy(f => f.Label is null).ThenBy(f => f.Label, StringComparer.OrdinalIgnoreCase).ThenBy(f => f.Value, StringComparer.Ordinal)
            .Take(50).ToList();
        return new SearchResults(hits.ToList(), request.Paging.PageNumber, request.Paging.Size, total, new SearchFacets(
            categoryFacet,
            Counted(index.TagNames, tagCounts).Take(30).ToList(),
            Counted(index.LanguageNames, languageCounts).ToList(),
            Counted(Enum.GetValues<DeliveryType>().Select(d => d.Name()).ToArray(), deliveryCounts).ToList(),
            Counted(Enum.GetValues<ItemKind>().Select(k => k.Name()).ToArray(), kindCounts).ToList(),
            DurationBuckets.Select((b, i) => new FacetValue(b, null, durationCounts[i])).Where(f => f.Count > 0).ToList()));
    }

    private static IEnumerable<FacetValue> Counted(string[] names, long[] counts) =>
        names.Select((name, i) => new FacetValue(name, null, counts[i])).Where(f => f.Count > 0).OrderByDescending(f => f.Count).ThenBy(f => f.Value, StringComparer.Ordinal);

    private static bool Overlaps(Guid[] audience, HashSet<Guid> callerUnits)
    {
        foreach (var unit in audience)
            if (callerUnits.Contains(unit)) return true;
        return false;
    }

    private static int Bucket(int minutes) => minutes switch { < 30 => 0, < 60 => 1, < 120 => 2, _ => 3 };

    /// <summary>The entries matching the text and their rank: weighted (title A, summary B, description C), by cover density.</summary>
    private static async Task<Dictionary<Guid, float>> TextMatchesAsync(CatalogueDbContext db, string q, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("""
                SELECT e.id, ts_rank_cd(e.search_vector, query) FROM catalogue_entries e, websearch_to_tsquery('english', @q) query
                WHERE e.search_vector @@ query
                """, connection);
            command.Parameters.AddWithValue("q", q);
            var ranks = new Dictionary<Guid, float>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ranks[reader.GetGuid(0)] = reader.GetFloat(1);
            return ranks;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }
}
