using LmsPlatform.Catalogue.Infrastructure;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Catalogue.Application;

/// <summary>
/// The courses sent again when a read model rebuilds itself (ReplayRequested), in id order: each published one as its
/// published version announced it, with when it was first published and whether it left the catalogue since. A course
/// never published is not sent (nothing outside the catalogue knows it).
/// </summary>
public sealed class CourseReplaySource : ReplaySource<CatalogueDbContext, ReplayedCourse>
{
    public override string Name => ReplaySources.Items;

    protected override async Task<IReadOnlyList<(ReplayPosition At, ReplayedCourse? Record)>> ReadRowsAsync(CatalogueDbContext db, ReplayPosition after,
        int size, CancellationToken ct)
    {
        var courses = await db.Courses.FromSql($"SELECT *, xmin FROM courses WHERE id > {after.Id} ORDER BY id LIMIT {size}").AsNoTracking().ToListAsync(ct);
        var ids = courses.Select(c => c.Id).ToList();
        var versions = await db.CourseVersions.AsNoTracking().Where(v => ids.Contains(v.CourseId) && v.Number != null)
            .Select(v => new { v.CourseId, v.Number, v.Title, v.CategoryId, v.Compliance, v.PublishedAt }).ToListAsync(ct);
        var byCourse = versions.ToLookup(v => v.CourseId);
        return [.. courses.Select(c =>
        {
            var published = byCourse[c.Id].FirstOrDefault(v => v.Number == c.PublishedVersion);
            var first = byCourse[c.Id].Min(v => v.PublishedAt);
            return (new ReplayPosition(c.Id, 0), published is null || first is null ? null
                : new ReplayedCourse(c.Id, c.Code, published.Number!.Value, published.Title, published.CategoryId, published.Compliance.ValidityMonths, first.Value,
                    c.ArchivedAt, c.ReplacedByCourseId));
        })];
    }

    protected override IReplayPage Page(ReplayPageHeader header, IReadOnlyList<ReplayedCourse> records, bool last, long total) =>
        new CoursesReplayed(header.ReplayId, header.Page, records, last, total, header.At);
}
