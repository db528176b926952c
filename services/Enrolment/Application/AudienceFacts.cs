using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// The facts audience rules ask about, loaded once for the people being evaluated: the org tree, the management
/// chain, roles, memberships and completions. Memberships change while audiences are evaluated one after the other
/// (<see cref="SetMember"/>), so an audience built on another sees its new members.
/// </summary>
public sealed class AudienceFacts : IAudienceFacts
{
    private readonly Dictionary<Guid, Guid?> _parents;
    private readonly Dictionary<Guid, Guid?> _managers;
    private readonly HashSet<(Guid UserId, string Role)> _roles;
    private readonly HashSet<(Guid AudienceId, Guid UserId)> _members;
    private readonly Dictionary<(Guid UserId, Guid CourseId), DateTimeOffset> _completions;
    private readonly Dictionary<(Guid UserId, Guid CourseId), DateTimeOffset> _certifications;
    private readonly Dictionary<Guid, string> _names;

    private AudienceFacts(DateOnly today, IReadOnlyList<Learner> people, Dictionary<Guid, Guid?> parents, Dictionary<Guid, Guid?> managers,
        HashSet<(Guid, string)> roles, HashSet<(Guid, Guid)> members, Dictionary<(Guid, Guid), DateTimeOffset> completions,
        Dictionary<(Guid, Guid), DateTimeOffset> certifications, Dictionary<Guid, string> names)
    {
        (Today, People, _parents, _managers, _roles, _members, _completions, _certifications, _names) =
            (today, people, parents, managers, roles, members, completions, certifications, names);
    }

    public DateOnly Today { get; }
    /// <summary>The people being evaluated (erased people excluded).</summary>
    public IReadOnlyList<Learner> People { get; }

    public IReadOnlyDictionary<Guid, Learner> ById => _byId ??= People.ToDictionary(p => p.UserId);
    private Dictionary<Guid, Learner>? _byId;

    public bool IsWithin(Guid? orgUnitId, Guid root)
    {
        for (var (unit, steps) = (orgUnitId, 0); unit is { } u && steps < 200; unit = _parents.GetValueOrDefault(u), steps++)
            if (u == root) return true;
        return false;
    }

    public IReadOnlyList<Guid> ManagersOf(Guid userId)
    {
        var chain = new List<Guid>();
        for (var manager = _managers.GetValueOrDefault(userId); manager is { } m && !chain.Contains(m) && chain.Count < 100; manager = _managers.GetValueOrDefault(m))
            chain.Add(m);
        return chain;
    }

    public bool HasRole(Guid userId, string role) => _roles.Contains((userId, role));
    public bool IsMember(Guid audienceId, Guid userId) => _members.Contains((audienceId, userId));
    public DateTimeOffset? CompletedAt(Guid userId, Guid courseId) => _completions.TryGetValue((userId, courseId), out var at) ? at : null;
    public DateTimeOffset? CertificationExpiresAt(Guid userId, Guid courseId) => _certifications.TryGetValue((userId, courseId), out var at) ? at : null;
    public string NameOf(Guid id) => _names.GetValueOrDefault(id) ?? id.ToString();

    public void SetMember(Guid audienceId, Guid userId, bool member)
    {
        if (member) _members.Add((audienceId, userId));
        else _members.Remove((audienceId, userId));
    }

    /// <summary>
    /// The facts for <paramref name="userIds"/> (everyone when null), as the <paramref name="rules"/> need them:
    /// managers, roles and completions are read only when a rule asks about them. With <paramref name="withNames"/>
    /// the names of what the rules refer to are read too (for the why-trace).
    /// </summary>
    public static async Task<AudienceFacts> LoadAsync(EnrolmentDbContext db, IReadOnlyCollection<Guid>? userIds, IReadOnlyCollection<RuleNode> rules,
        DateTimeOffset now, CancellationToken ct, bool withNames = false)
    {
        var nodes = rules.SelectMany(r => r.Nodes()).ToList();
        var people = db.Learners.AsNoTracking().Where(l => !l.Erased);
        if (userIds is not null) people = people.Where(l => userIds.Contains(l.UserId));
        // Only what rules, assignments (status, hire date) and previews (the name) read: a whole organisation is loaded.
        var loaded = await people.Select(l => new Learner
        {
            UserId = l.UserId, DisplayName = l.DisplayName, JobTitle = l.JobTitle, Location = l.Location, HireDate = l.HireDate, ManagerId = l.ManagerId,
            OrgUnitId = l.OrgUnitId, Status = l.Status, Erased = l.Erased,
        }).ToListAsync(ct);

        var parents = await db.OrgUnits.AsNoTracking().ToDictionaryAsync(o => o.Id, o => o.ParentId, ct);
        // The chain above anyone may be anyone: the whole map (two ids a person) is read when a rule asks about managers.
        var managers = nodes.Any(n => n is ManagerCondition)
            ? await db.Learners.AsNoTracking().Where(l => l.ManagerId != null).ToDictionaryAsync(l => l.UserId, l => l.ManagerId, ct)
            : [];
        var ids = loaded.Select(l => l.UserId).ToList();
        var roles = nodes.Any(n => n is RoleCondition)
            ? (await db.Roles.AsNoTracking().Where(r => r.Granted && ids.Contains(r.UserId)).Select(r => new { r.UserId, r.Role }).ToListAsync(ct))
                .Select(r => (r.UserId, r.Role)).ToHashSet()
            : [];
        var members = (await db.AudienceMembers.AsNoTracking().Where(m => userIds == null || ids.Contains(m.UserId))
            .Select(m => new { m.AudienceId, m.UserId }).ToListAsync(ct)).Select(m => (m.AudienceId, m.UserId)).ToHashSet();
        var courses = nodes.OfType<CompletedCondition>().Select(c => c.CourseId).Distinct().ToList();
        var completions = courses.Count == 0 ? [] : (await db.Enrolments.AsNoTracking()
                .Where(e => courses.Contains(e.CourseId) && (e.Status == EnrolmentStatus.Completed || e.Status == EnrolmentStatus.Waived) && e.CompletedAt != null)
                .Where(e => userIds == null || ids.Contains(e.UserId))
                .Select(e => new { e.UserId, e.CourseId, e.CompletedAt }).ToListAsync(ct))
            .ToDictionary(e => (e.UserId, e.CourseId), e => e.CompletedAt!.Value);

        var certified = nodes.OfType<CertificationExpiringCondition>().Select(c => c.CourseId).Distinct().ToList();
        var certifications = certified.Count == 0 ? [] : (await db.Certifications.AsNoTracking()
                .Where(c => certified.Contains(c.CourseId) && (userIds == null || ids.Contains(c.UserId)))
                .Select(c => new { c.UserId, c.CourseId, c.ExpiresAt }).ToListAsync(ct))
            .ToDictionary(c => (c.UserId, c.CourseId), c => c.ExpiresAt);

        var names = withNames ? await NamesAsync(db, rules, loaded, ct) : [];
        return new AudienceFacts(DateOnly.FromDateTime(now.UtcDateTime), loaded, parents, managers, roles, members, completions, certifications, names);
    }

    private static async Task<Dictionary<Guid, string>> NamesAsync(EnrolmentDbContext db, IReadOnlyCollection<RuleNode> rules, IReadOnlyList<Learner> people, CancellationToken ct)
    {
        var names = new Dictionary<Guid, string>();
        var referred = rules.SelectMany(r => r.References()).ToList();
        var units = referred.Where(r => r.Kind == "orgUnit").Select(r => r.Id).Concat(people.Select(p => p.OrgUnitId ?? Guid.Empty)).Distinct().ToList();
        foreach (var o in await db.OrgUnits.AsNoTracking().Where(o => units.Contains(o.Id)).ToListAsync(ct)) names[o.Id] = o.Name;
        var persons = referred.Where(r => r.Kind == "person").Select(r => r.Id).Concat(people.Select(p => p.ManagerId ?? Guid.Empty)).Distinct().ToList();
        foreach (var p in await db.Learners.AsNoTracking().Where(l => persons.Contains(l.UserId)).ToListAsync(ct)) names[p.UserId] = p.DisplayName;
        var audiences = referred.Where(r => r.Kind == "audience").Select(r => r.Id).ToList();
        foreach (var a in await db.Audiences.AsNoTracking().Where(a => audiences.Contains(a.Id)).Select(a => new { a.Id, a.Name }).ToListAsync(ct)) names[a.Id] = a.Name;
        var courses = referred.Where(r => r.Kind == "course").Select(r => r.Id).ToList();
        foreach (var c in await db.Courses.AsNoTracking().Where(c => courses.Contains(c.CourseId)).Select(c => new { c.CourseId, c.Code, c.Title }).ToListAsync(ct))
            names[c.CourseId] = $"{c.Code} {c.Title}";
        return names;
    }
}
