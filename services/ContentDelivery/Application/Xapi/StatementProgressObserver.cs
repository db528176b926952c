using System.Text.Json;
using LmsPlatform.ContentDelivery.Infrastructure;
using LmsPlatform.ContentDelivery.Infrastructure.Xapi;
using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Xapi;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.ContentDelivery.Application.Xapi;

/// <summary>
/// Statements that become progress in enrolment: a new statement whose actor is a person of the platform (an account
/// on its home page named by their user id) about an activity that is an xAPI content item of a course they are
/// enrolled on. Its <see cref="StatementProgress"/> takes the statement and announces the change; the save happens in
/// the statement store's transaction, so the statement and the announcement are written together.
/// </summary>
public sealed class StatementProgressObserver(ContentDbContext db, XapiAuthentication people) : IStatementObserver
{
    public async Task<IReadOnlyList<IncomingStatement>> StoredAsync(IReadOnlyList<IncomingStatement> statements, XapiCaller caller, CancellationToken cancellationToken)
    {
        // A cmi5 AU's statements count through its registration's moveOn rules (Cmi5Observer), not one by one.
        if (caller.Cmi5 is not null) return [];
        var candidates = statements
            .Select(s => (Statement: s, UserId: people.UserIdOf(s.Sent.GetProperty("actor")), ActivityId: ObjectActivity(s.Sent)))
            .Where(c => c.UserId is not null && c.ActivityId is not null).ToList();
        if (candidates.Count == 0) return [];
        var iris = candidates.Select(c => c.ActivityId!).Distinct().ToList();
        var items = await db.ContentItems.AsNoTracking().Where(i => i.Kind == ContentKind.Xapi && i.Url != null && iris.Contains(i.Url))
            .Select(i => new { i.Id, i.Url }).ToListAsync(cancellationToken);
        if (items.Count == 0) return [];
        var itemIds = items.Select(i => i.Id).ToList();
        var userIds = candidates.Select(c => c.UserId!.Value).Distinct().ToList();
        var uses = await (from e in db.Enrolments
                          join a in db.CourseActivities on new { e.CourseId, e.Version } equals new { a.CourseId, a.Version }
                          where userIds.Contains(e.UserId) && !e.Withdrawn && a.ContentItemId != null && itemIds.Contains(a.ContentItemId.Value)
                          select new { e.EnrolmentId, e.UserId, e.CourseId, a.ActivityId, ContentItemId = a.ContentItemId!.Value, Enrolment = e })
            .AsNoTracking().ToListAsync(cancellationToken);
        if (uses.Count == 0) return [];
        var enrolmentIds = uses.Select(u => u.EnrolmentId).Distinct().ToList();
        var progress = await db.StatementProgress.Where(p => enrolmentIds.Contains(p.EnrolmentId)).ToListAsync(cancellationToken);
        foreach (var (statement, userId, activityIri) in candidates)
        {
            var itemsOfIri = items.Where(i => i.Url == activityIri).Select(i => i.Id).ToHashSet();
            foreach (var use in uses.Where(u => u.UserId == userId && itemsOfIri.Contains(u.ContentItemId)))
            {
                var record = progress.FirstOrDefault(p => p.EnrolmentId == use.EnrolmentId && p.ActivityId == use.ActivityId);
                if (record is null)
                {
                    record = StatementProgress.Start(use.EnrolmentId, use.UserId, use.CourseId, use.ActivityId, use.ContentItemId, statement.Stored);
                    db.StatementProgress.Add(record);
                    progress.Add(record);
                }
                else if (use.Enrolment.StartedBeforeReset(record.StartedAt)) record.Restart(statement.Stored);
                record.Apply(statement.Sent, statement.Stored);
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return [];
    }

    private static string? ObjectActivity(JsonElement statement) =>
        statement.TryGetProperty("object", out var target) && (!target.TryGetProperty("objectType", out var type) || type.GetString() == "Activity")
            ? target.GetProperty("id").GetString() : null;
}
