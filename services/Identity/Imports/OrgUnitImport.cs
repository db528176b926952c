using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.Identity.Model;

namespace LmsPlatform.Identity.Imports;

public sealed record OrgUnitRow(int Row, string ExternalId, string Name, string? ParentExternalId, bool? Active);

public sealed record ExistingOrgUnit(Guid Id, string? ExternalId, string Name, Guid? ParentId, bool Active);

public sealed record OrgUnitPlan(IReadOnlyList<PlannedChange> Changes, IReadOnlyList<RowError> Errors,
    IReadOnlyDictionary<Guid, (string Name, string ExternalId, Guid? ParentId, bool Active)> Targets, int ActiveManaged)
{
    public double DeactivationPercent => ActiveManaged == 0 ? 0 : 100.0 * Changes.Count(c => c.Kind == ChangeKind.Deactivate) / ActiveManaged;
}

/// <summary>
/// Plans an org units CSV (external_id, name, parent_external_id, status): create, rename, move, (de)activate.
/// Parents may come later in the file. A row whose parent is unknown, or whose move would make a cycle, is refused.
/// </summary>
public static class OrgUnitImportPlanner
{
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["externalid"] = "external_id", ["id"] = "external_id", ["code"] = "external_id",
        ["name"] = "name", ["displayname"] = "name",
        ["parentexternalid"] = "parent_external_id", ["parent"] = "parent_external_id", ["parentid"] = "parent_external_id",
        ["status"] = "status", ["active"] = "status",
    };

    public static readonly string[] Required = ["external_id", "name"];

    public static OrgUnitPlan Plan(CsvContent csv, IReadOnlyCollection<ExistingOrgUnit> existing, IReadOnlySet<Guid> withActiveMembers, bool deactivateMissing, DateTimeOffset now)
    {
        var errors = new List<RowError>(csv.Errors);
        var rows = new List<OrgUnitRow>();
        foreach (var row in csv.Rows)
        {
            var before = errors.Count;
            if (row["external_id"] is not { } ext) errors.Add(new RowError(row.Row, "external_id", "is required"));
            else if (ext.Length > 64) errors.Add(new RowError(row.Row, "external_id", "must be at most 64 characters"));
            if (row["name"] is not { } name) errors.Add(new RowError(row.Row, "name", "is required"));
            else if (name.Length > 200) errors.Add(new RowError(row.Row, "name", "must be at most 200 characters"));
            bool? active = row["status"]?.ToLowerInvariant() switch
            {
                null => null,
                "active" or "true" or "1" or "a" => true,
                "inactive" or "deactivated" or "false" or "0" or "d" => false,
                _ => null,
            };
            if (row["status"] is { } st && active is null) errors.Add(new RowError(row.Row, "status", $"'{st}' is not active or inactive"));
            if (errors.Count == before) rows.Add(new OrgUnitRow(row.Row, row["external_id"]!, row["name"]!, row["parent_external_id"], active));
        }
        foreach (var group in rows.GroupBy(r => r.ExternalId, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList())
            foreach (var r in group) { errors.Add(new RowError(r.Row, "external_id", $"'{group.Key}' appears on rows {string.Join(", ", group.Select(x => x.Row))}")); rows.Remove(r); }

        var byExternalId = existing.Where(e => e.ExternalId is not null).ToDictionary(e => e.ExternalId!, StringComparer.Ordinal);
        var ids = rows.ToDictionary(r => r.ExternalId, r => byExternalId.TryGetValue(r.ExternalId, out var e) ? e.Id : Guid.CreateVersion7(now), StringComparer.Ordinal);

        // The tree after the import: existing parents, overridden by the file's rows.
        var parentOf = existing.ToDictionary(e => e.Id, e => e.ParentId);
        var refusedRows = new HashSet<int>();
        foreach (var r in rows)
        {
            if (r.ParentExternalId is null) { parentOf[ids[r.ExternalId]] = null; continue; }
            if (ids.TryGetValue(r.ParentExternalId, out var pid) || byExternalId.TryGetValue(r.ParentExternalId, out var pe) && (pid = pe.Id) != Guid.Empty)
                parentOf[ids[r.ExternalId]] = pid;
            else { errors.Add(new RowError(r.Row, "parent_external_id", $"no org unit has the external id '{r.ParentExternalId}'")); refusedRows.Add(r.Row); }
        }
        foreach (var r in rows.Where(r => !refusedRows.Contains(r.Row)))
        {
            var seen = new HashSet<Guid>();
            for (Guid? at = ids[r.ExternalId]; at is { } id; at = parentOf.GetValueOrDefault(id))
                if (!seen.Add(id))
                {
                    errors.Add(new RowError(r.Row, "parent_external_id", $"'{r.ParentExternalId}' is below '{r.ExternalId}': that would make a cycle"));
                    refusedRows.Add(r.Row);
                    break;
                }
        }

        var changes = new List<PlannedChange>();
        var targets = new Dictionary<Guid, (string, string, Guid?, bool)>();
        var existingById = existing.ToDictionary(e => e.Id);
        foreach (var r in rows.Where(r => !refusedRows.Contains(r.Row)))
        {
            var id = ids[r.ExternalId];
            var parentId = parentOf[id];
            var current = existingById.GetValueOrDefault(id);
            var active = r.Active ?? current?.Active ?? true;
            targets[id] = (r.Name, r.ExternalId, parentId, active);
            if (current is null) { changes.Add(new PlannedChange(r.Row, ChangeKind.Create, r.ExternalId, id, null, [])); continue; }
            var changed = new List<string>();
            if (current.Name != r.Name) changed.Add("name");
            if (current.ParentId != parentId) changed.Add("parentId");
            if (current.Active != active) changed.Add("active");
            var kind = changed.Count == 0 ? ChangeKind.Unchanged
                : changed.Contains("active") ? (active ? ChangeKind.Reactivate : ChangeKind.Deactivate)
                : changed is ["parentId"] ? ChangeKind.Move : ChangeKind.Update;
            changes.Add(new PlannedChange(r.Row, kind, r.ExternalId, id, null, changed));
        }
        var inFile = new HashSet<string>(csv.Rows.Select(r => r["external_id"]).OfType<string>(), StringComparer.Ordinal);
        if (deactivateMissing)
            foreach (var e in existing.Where(e => e.ExternalId is not null && e.Active && !inFile.Contains(e.ExternalId!)))
            {
                targets[e.Id] = (e.Name, e.ExternalId!, e.ParentId, false);
                changes.Add(new PlannedChange(0, ChangeKind.Deactivate, e.ExternalId!, e.Id, null, ["active"]));
            }
        RefuseBrokenRules(changes, targets, existingById, withActiveMembers, errors);
        return new OrgUnitPlan(changes, errors.OrderBy(e => e.Row).ToList(), targets, existing.Count(e => e.ExternalId is not null && e.Active));
    }

    /// <summary>
    /// The org-unit rules (<see cref="OrgUnit.CannotDeactivate"/>, <see cref="OrgUnit.ActiveUnderInactive"/>), checked on
    /// the tree as it would be after the import, so that a dry run reports them row by row. A refused row keeps its unit
    /// as it is, which may refuse another (a parent whose child stays active), so the check runs until nothing changes.
    /// </summary>
    private static void RefuseBrokenRules(List<PlannedChange> changes, Dictionary<Guid, (string Name, string ExternalId, Guid? ParentId, bool Active)> targets,
        IReadOnlyDictionary<Guid, ExistingOrgUnit> existing, IReadOnlySet<Guid> withActiveMembers, List<RowError> errors)
    {
        for (var refused = true; refused;)
        {
            refused = false;
            var final = existing.Values.ToDictionary(e => e.Id, e => (e.Name, e.ParentId, e.Active));
            foreach (var (id, t) in targets) final[id] = (t.Name, t.ParentId, t.Active);
            var withActiveChildren = final.Values.Where(u => u.Active && u.ParentId is not null).Select(u => u.ParentId!.Value).ToHashSet();
            foreach (var change in changes.Where(c => c.Kind != ChangeKind.Unchanged).ToList())
            {
                var (_, parentId, active) = final[change.Id];
                var current = existing.GetValueOrDefault(change.Id);
                var (column, refusal) = (active, parentId) switch
                {
                    (_, { } p) when !final.ContainsKey(p) => ("parent_external_id", "its parent is refused on another row"),
                    (false, _) when current?.Active != false =>
                        ("status", OrgUnit.CannotDeactivate(withActiveChildren.Contains(change.Id), withActiveMembers.Contains(change.Id))),
                    (true, { } p) when !final[p].Active && (current is not { Active: true } || current.ParentId != p) =>
                        ("parent_external_id", OrgUnit.ActiveUnderInactive(final[p].Name)),
                    _ => ("", null),
                };
                if (refusal is null) continue;
                errors.Add(new RowError(change.Row, column, refusal));
                changes.Remove(change);
                targets.Remove(change.Id);
                refused = true;
                break; // the tree changed: check again from the start
            }
        }
    }
}
