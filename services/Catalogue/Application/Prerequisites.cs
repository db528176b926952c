using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Messaging;
using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Application;

/// <summary>Replaces an item's prerequisites, refusing a change that would make the graph cyclic.</summary>
public static class Prerequisites
{
    /// <summary>Every change to the graph takes this lock, so two concurrent changes cannot together make a cycle.</summary>
    private const long GraphLock = 0x4C4D535052455251; // "LMSPREQ"

    public static async Task<Outcome<List<ItemRef>>> SetAsync(
        CatalogueDbContext db, CatalogueCache cache, CatalogueItem item, ItemKind kind, IReadOnlyCollection<Guid> required, CancellationToken ct)
    {
        if (required.Count > 50)
            return new Outcome<List<ItemRef>>.Invalid(new Dictionary<string, string[]> { ["items"] = ["at most 50 prerequisites"] });
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({GraphLock})", ct);

            var codes = await CodesAsync(db, required.Append(item.Id).ToList(), ct);
            var unknown = required.Where(id => !codes.ContainsKey(id)).ToList();
            if (unknown.Count > 0)
                return new Outcome<List<ItemRef>>.Invalid(
                    new Dictionary<string, string[]> { ["items"] = [$"are not known courses or learning paths: {string.Join(", ", unknown)}"] });

            var reachable = await db.Database.SqlQuery<Edge>(
                $"""
                 WITH RECURSIVE reach AS (
                     SELECT item_id, required_item_id FROM prerequisites WHERE item_id = ANY({required.ToArray()}) AND item_id <> {item.Id}
                     UNION
                     SELECT p.item_id, p.required_item_id FROM prerequisites p JOIN reach r ON p.item_id = r.required_item_id
                     WHERE p.item_id <> {item.Id})
                 SELECT item_id, required_item_id FROM reach
                 """).ToListAsync(ct);
            if (PrerequisiteGraph.FindCycle(item.Id, required, reachable.ToLookup(e => e.ItemId, e => e.RequiredItemId)) is { } cycle)
            {
                var names = await CodesAsync(db, cycle.Distinct().ToList(), ct);
                var walk = string.Join(" → ", cycle.Select(id => names.GetValueOrDefault(id).Code ?? id.ToString()));
                return new Outcome<List<ItemRef>>.Conflict($"This would make a prerequisite cycle: {walk}.", "items");
            }

            await db.Prerequisites.Where(p => p.ItemId == item.Id).ExecuteDeleteAsync(ct);
            db.Prerequisites.AddRange(required.Distinct().Select(r => new Prerequisite
            {
                ItemId = item.Id, ItemKind = kind, RequiredItemId = r, RequiredItemKind = codes[r].Kind,
            }));
            // Enrolment enforces them: it hears of every change, published or not (a draft's prerequisites arrive with its publication).
            if (item.PublishedVersion is not null)
                db.AddIntegrationEvent(new PrerequisitesChanged(item.Id, kind.Name(), required.Distinct().Order().ToList(), DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            await cache.InvalidateAsync();
            return (Outcome<List<ItemRef>>)await ItemRules.PrerequisitesOfAsync(db, item.Id, ct);
        });
    }

    public sealed class Edge
    {
        public Guid ItemId { get; set; }
        public Guid RequiredItemId { get; set; }
    }

    private static async Task<Dictionary<Guid, (string Code, ItemKind Kind)>> CodesAsync(CatalogueDbContext db, List<Guid> ids, CancellationToken ct)
    {
        var courses = await db.Courses.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Code }).ToListAsync(ct);
        var paths = await db.LearningPaths.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Code }).ToListAsync(ct);
        return courses.Select(c => (c.Id, (c.Code, ItemKind.Course)))
            .Concat(paths.Select(p => (p.Id, (p.Code, ItemKind.LearningPath))))
            .ToDictionary(x => x.Id, x => x.Item2);
    }
}
