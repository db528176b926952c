using System.Security.Cryptography;
using System.Text;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

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

public sealed record SearchResults(IReadOnlyList<SearchHit> Items, int PageNumber, int PageSize, long TotalCount, SearchFacets Facets);

/// <summary>
/// Full-text search over the published entries the caller may see, with facet counts, in one round trip to
/// PostgreSQL. Facets are disjunctive: each counts the results of every filter but its own, so picking one language
/// still shows how many items the other languages have.
/// </summary>
public static class CatalogueSearch
{
    private enum Filter { None, Category, Tags, Language, Delivery, Kind, Duration }

    public static async Task<SearchResults> RunAsync(SearchRequest request, CatalogueCaller caller, CatalogueDbContext db, CancellationToken ct)
    {
        Guid[]? audience = null;
        if (!caller.SeesEverything)
            audience = caller.OrgUnitId is { } unit ? (await Audience.SelfAndAncestorsAsync(db, unit, ct)).ToArray() : [];

        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var batch = new NpgsqlBatch(connection);
            var q = string.IsNullOrWhiteSpace(request.Q) ? null : request.Q.Trim();
            var order = request.SortOrder switch
            {
                "relevance" => "rank DESC, e.title, e.id",
                "newest" => "e.published_at DESC, e.id",
                "duration" => "e.duration_minutes, e.title, e.id",
                _ => "e.title, e.id",
            };
            var rank = q is null ? "NULL::real" : "ts_rank_cd(e.search_vector, websearch_to_tsquery('english', @q))";
            Add(batch, $"""
                SELECT e.id, e.kind, e.code, e.version, e.title, e.summary, e.category_id, e.tags, e.language, e.delivery_type,
                       e.duration_minutes, e.published_at, {rank} AS rank
                FROM catalogue_entries e WHERE {Where(Filter.None)}
                ORDER BY {order} LIMIT @limit OFFSET @offset
                """);
            Add(batch, $"SELECT count(*) FROM catalogue_entries e WHERE {Where(Filter.None)}");
            Add(batch, $"""
                SELECT e.category_id::text, c.name, count(*) FROM catalogue_entries e LEFT JOIN categories c ON c.id = e.category_id
                WHERE {Where(Filter.Category)} GROUP BY e.category_id, c.name ORDER BY count(*) DESC, c.name LIMIT 50
                """);
            Add(batch, $"SELECT t, NULL, count(*) FROM catalogue_entries e, unnest(e.tags) t WHERE {Where(Filter.Tags)} GROUP BY t ORDER BY count(*) DESC, t LIMIT 30");
            Add(batch, $"SELECT e.language, NULL, count(*) FROM catalogue_entries e WHERE {Where(Filter.Language)} GROUP BY e.language ORDER BY count(*) DESC, e.language");
            Add(batch, $"SELECT e.delivery_type, NULL, count(*) FROM catalogue_entries e WHERE {Where(Filter.Delivery)} GROUP BY e.delivery_type ORDER BY count(*) DESC");
            Add(batch, $"SELECT e.kind, NULL, count(*) FROM catalogue_entries e WHERE {Where(Filter.Kind)} GROUP BY e.kind ORDER BY count(*) DESC");
            Add(batch, $"""
                SELECT b, NULL, count(*) FROM (SELECT CASE WHEN e.duration_minutes < 30 THEN 'under-30' WHEN e.duration_minutes < 60 THEN '30-60'
                    WHEN e.duration_minutes < 120 THEN '60-120' ELSE '120-plus' END AS b FROM catalogue_entries e WHERE {Where(Filter.Duration)}) d
                GROUP BY b ORDER BY min(b)
                """);

            await using var reader = await batch.ExecuteReaderAsync(ct);
            var hits = new List<SearchHit>();
            while (await reader.ReadAsync(ct))
                hits.Add(new SearchHit(reader.GetGuid(0), Enum.Parse<ItemKind>(reader.GetString(1)).Name(), reader.GetString(2), reader.GetInt32(3),
                    reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetGuid(6),
                    reader.GetFieldValue<string[]>(7), reader.GetString(8), Enum.Parse<DeliveryType>(reader.GetString(9)).Name(), reader.GetInt32(10),
                    reader.GetFieldValue<DateTimeOffset>(11), reader.IsDBNull(12) ? null : reader.GetFloat(12)));
            await reader.NextResultAsync(ct);
            await reader.ReadAsync(ct);
            var total = reader.GetInt64(0);
            var facets = new List<List<FacetValue>>();
            while (await reader.NextResultAsync(ct))
            {
                var values = new List<FacetValue>();
                while (await reader.ReadAsync(ct))
                    values.Add(new FacetValue(reader.IsDBNull(0) ? "none" : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
                facets.Add(values);
            }
            return new SearchResults(hits, request.Paging.PageNumber, request.Paging.Size, total, new SearchFacets(
                facets[0], facets[1], facets[2],
                facets[3].Select(f => f with { Value = Enum.Parse<DeliveryType>(f.Value).Name() }).ToList(),
                facets[4].Select(f => f with { Value = Enum.Parse<ItemKind>(f.Value).Name() }).ToList(),
                facets[5]));
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }

        // The WHERE clause with every filter but the one a facet counts.
        string Where(Filter except)
        {
            var parts = new List<string>();
            if (audience is not null) parts.Add("(e.visible_to_everyone OR e.audience_org_unit_ids && @audience)");
            if (!string.IsNullOrWhiteSpace(request.Q)) parts.Add("e.search_vector @@ websearch_to_tsquery('english', @q)");
            if (request.Category is not null && except != Filter.Category)
                parts.Add("e.category_id IN (SELECT s.id FROM categories s WHERE starts_with(s.path, (SELECT p.path FROM categories p WHERE p.id = @category)))");
            if (request.Tags.Count > 0 && except != Filter.Tags) parts.Add("e.tags @> @tags");
            if (request.Language is not null && except != Filter.Language) parts.Add("e.language = @language");
            if (request.DeliveryType is not null && except != Filter.Delivery) parts.Add("e.delivery_type = @delivery");
            if (request.Kind is not null && except != Filter.Kind) parts.Add("e.kind = @kind");
            if (request.MinDuration is not null && except != Filter.Duration) parts.Add("e.duration_minutes >= @minDuration");
            if (request.MaxDuration is not null && except != Filter.Duration) parts.Add("e.duration_minutes <= @maxDuration");
            return parts.Count == 0 ? "TRUE" : string.Join(" AND ", parts);
        }

        void Add(NpgsqlBatch batch, string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            if (audience is not null) command.Parameters.Add(new NpgsqlParameter("audience", NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = audience });
            if (request.Q is not null) command.Parameters.AddWithValue("q", request.Q.Trim());
            if (request.Category is { } category) command.Parameters.AddWithValue("category", category);
            command.Parameters.Add(new NpgsqlParameter("tags", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = request.Tags.ToArray() });
            command.Parameters.AddWithValue("language", Languages.Normalise(request.Language) ?? "");
            command.Parameters.AddWithValue("delivery", Wire.ParseDeliveryType(request.DeliveryType)?.ToString() ?? "");
            command.Parameters.AddWithValue("kind", request.Kind?.Trim().ToLowerInvariant() == "learning-path" ? nameof(ItemKind.LearningPath) : nameof(ItemKind.Course));
            command.Parameters.AddWithValue("minDuration", request.MinDuration ?? 0);
            command.Parameters.AddWithValue("maxDuration", request.MaxDuration ?? 0);
            command.Parameters.AddWithValue("limit", request.Paging.Size);
            command.Parameters.AddWithValue("offset", (request.Paging.PageNumber - 1) * request.Paging.Size);
            batch.BatchCommands.Add(command);
        }
    }
}
