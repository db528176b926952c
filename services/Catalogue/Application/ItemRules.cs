using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Application;

/// <summary>The rules courses and paths share: references that must exist, and what a version needs to be published.</summary>
public static class ItemRules
{
    /// <summary>Field errors for references to things that do not exist: the category, audience org units, the refresher course.</summary>
    public static async Task<Dictionary<string, string[]>> CheckReferencesAsync(ItemVersion draft, Guid itemId, CatalogueDbContext db, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (draft.CategoryId is { } categoryId)
            errors.Check(await db.Categories.AnyAsync(c => c.Id == categoryId, ct), "categoryId", "is not a known category");
        if (draft.AudienceOrgUnitIds.Count > 0)
        {
            var known = await db.OrgUnits.Where(o => draft.AudienceOrgUnitIds.Contains(o.Id)).Select(o => o.Id).ToListAsync(ct);
            var unknown = draft.AudienceOrgUnitIds.Except(known).ToList();
            errors.Check(unknown.Count == 0, "visibility.orgUnitIds", $"are not known org units: {string.Join(", ", unknown)}");
        }
        if (draft.Compliance.RefresherCourseId is { } refresher)
        {
            errors.Check(refresher != itemId, "compliance.refresherCourseId", "must be another course");
            errors.Check(await db.Courses.AnyAsync(c => c.Id == refresher, ct), "compliance.refresherCourseId", "is not a known course");
        }
        return errors.ToDictionary();
    }

    /// <summary>What stops a version being published, besides its own kind's rules.</summary>
    public static async Task CheckPublishableAsync(ItemVersion draft, ValidationErrors errors, CatalogueDbContext db, CancellationToken ct)
    {
        errors.Check(draft.CategoryId is not null, "categoryId", "is required to publish");
        if (draft.Compliance.RefresherCourseId is { } refresher)
            errors.Check(await db.Courses.AnyAsync(c => c.Id == refresher && c.Status == LifecycleStatus.Published, ct),
                "compliance.refresherCourseId", "must be a published course");
    }

    /// <summary>Writes (or rewrites) the item's search entry from its newly published version.</summary>
    public static async Task UpsertEntryAsync(CatalogueDbContext db, CatalogueItem item, ItemKind kind, ItemVersion version,
        DeliveryType deliveryType, int durationMinutes, CancellationToken ct)
    {
        var entry = await db.Entries.FirstOrDefaultAsync(e => e.Id == item.Id, ct);
        if (entry is null)
        {
            entry = new CatalogueEntry { Id = item.Id, Code = item.Code, Title = version.Title, Language = version.Language };
            db.Entries.Add(entry);
        }
        entry.Kind = kind;
        entry.Code = item.Code;
        entry.Version = version.Number!.Value;
        entry.Title = version.Title;
        entry.Summary = version.Summary;
        entry.Description = version.Description;
        entry.CategoryId = version.CategoryId;
        entry.Tags = version.Tags;
        entry.Language = version.Language;
        entry.DeliveryType = deliveryType;
        entry.DurationMinutes = durationMinutes;
        entry.VisibleToEveryone = version.VisibleToEveryone;
        entry.AudienceOrgUnitIds = version.AudienceOrgUnitIds;
        entry.PublishedAt = version.PublishedAt!.Value;
    }

    /// <summary>Takes an archived item out of search, in the same SaveChanges as its archive.</summary>
    public static async Task RemoveEntryAsync(CatalogueDbContext db, CatalogueItem item, CancellationToken ct)
    {
        if (await db.Entries.FindAsync([item.Id], ct) is { } entry) db.Entries.Remove(entry);
    }

    /// <summary>True when a course or a path has the code already (codes are unique across both).</summary>
    public static async Task<bool> CodeTakenAsync(CatalogueDbContext db, string code, CancellationToken ct) =>
        await db.Courses.AnyAsync(c => c.Code == code, ct) || await db.LearningPaths.AnyAsync(p => p.Code == code, ct);

    /// <summary>The ids of the items to complete before <paramref name="itemId"/>, as a publication announces them.</summary>
    public static Task<List<Guid>> PrerequisiteIdsAsync(CatalogueDbContext db, Guid itemId, CancellationToken ct) =>
        db.Prerequisites.AsNoTracking().Where(p => p.ItemId == itemId).OrderBy(p => p.RequiredItemId).Select(p => p.RequiredItemId).ToListAsync(ct);

    public static async Task<List<ItemRef>> PrerequisitesOfAsync(CatalogueDbContext db, Guid itemId, CancellationToken ct)
    {
        var edges = await db.Prerequisites.AsNoTracking().Where(p => p.ItemId == itemId).ToListAsync(ct);
        var ids = edges.Select(e => e.RequiredItemId).ToList();
        var courses = await db.Courses.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Code }).ToDictionaryAsync(c => c.Id, c => c.Code, ct);
        var paths = await db.LearningPaths.AsNoTracking().Where(c => ids.Contains(c.Id)).Select(c => new { c.Id, c.Code }).ToDictionaryAsync(c => c.Id, c => c.Code, ct);
        var titles = await db.Entries.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, e => e.Title, ct);
        return edges.Select(e => new ItemRef(e.RequiredItemId, e.RequiredItemKind.Name(),
            courses.GetValueOrDefault(e.RequiredItemId) ?? paths.GetValueOrDefault(e.RequiredItemId) ?? "?", titles.GetValueOrDefault(e.RequiredItemId))).ToList();
    }

    /// <summary>A course's or path's versions, the open draft first, then the published ones newest first.</summary>
    public static Task<List<VersionSummary>> HistoryAsync<TVersion>(IQueryable<TVersion> versions, CancellationToken ct) where TVersion : ItemVersion =>
        versions.AsNoTracking().OrderBy(v => v.Number == null).ThenByDescending(v => v.Number)
            .Select(v => new VersionSummary(v.Number, v.Number == null, v.Title, v.PublishedAt, v.PublishedBy, v.UpdatedAt)).ToListAsync(ct);

    public static async Task<CategoryRef?> CategoryOfAsync(CatalogueDbContext db, Guid? categoryId, CancellationToken ct) =>
        categoryId is { } id ? await db.Categories.AsNoTracking().Where(c => c.Id == id).Select(c => new CategoryRef(c.Id, c.Name)).FirstOrDefaultAsync(ct) : null;

    /// <summary>An ILIKE pattern for "title or code contains": the text cleaned, its wildcards escaped; null for no filter.</summary>
    public static string? ContainsPattern(string? q) =>
        TextInput.Clean(q) is { } text ? $"%{text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%" : null;

    public static string StatusName(this LifecycleStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Reads an optional <c>?status=</c> filter; false for a value that is not a status.</summary>
    public static bool TryParseStatus(string? text, out LifecycleStatus? status)
    {
        status = null;
        if (text is null) return true;
        if (!Enum.TryParse<LifecycleStatus>(text, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)) return false;
        status = parsed;
        return true;
    }
}
