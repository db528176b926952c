using LmsPlatform.ServiceDefaults.Csv;
using System.Globalization;
using LmsPlatform.Identity.Application;
using LmsPlatform.Identity.Model;

namespace LmsPlatform.Identity.Imports;

public enum ChangeKind { Create, Update, Move, Deactivate, Reactivate, Unchanged }

/// <summary>One planned change: what happens to which record, and which attributes change.</summary>
public sealed record PlannedChange(int Row, ChangeKind Kind, string ExternalId, Guid Id, string? Email, IReadOnlyList<string> Changed);

/// <summary>A user row after validation and reference resolution.</summary>
public sealed record UserRow(int Row, string ExternalId, string Email, string GivenName, string FamilyName, string? JobTitle,
    string? Location, DateOnly? HireDate, string? ManagerExternalId, string? OrgUnitExternalId, UserStatus? Status);

/// <summary>What the database holds of a user, as far as an import compares it.</summary>
public sealed record ExistingUser(Guid Id, string? ExternalId, string? NormalizedEmail, string? Email, string GivenName, string FamilyName,
    string? JobTitle, string? Location, DateOnly? HireDate, Guid? ManagerId, Guid? OrgUnitId, UserStatus Status);

public sealed record ImportPlan(IReadOnlyList<PlannedChange> Changes, IReadOnlyList<RowError> Errors, IReadOnlyDictionary<Guid, UserRow> Rows,
    IReadOnlyDictionary<Guid, (Guid? ManagerId, Guid? OrgUnitId)> References, int ActiveManaged)
{
    public int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);

    public double DeactivationPercent => ActiveManaged == 0 ? 0 : 100.0 * Count(ChangeKind.Deactivate) / ActiveManaged;
}

/// <summary>
/// Plans a users CSV against the users that exist: a pure function, so the dry run and the apply compute the same
/// plan, and unit tests can check it without a database. Upsert is by external id (the HR employee number); a new
/// external id whose email belongs to a user without one links to that user. A bad row is reported and left out; it
/// never stops the good rows, and a user on a bad row is never deactivated for being "missing".
/// </summary>
public static class UserImportPlanner
{
    public static readonly IReadOnlyDictionary<string, string> Aliases = new Dictionary<string, string>
    {
        ["externalid"] = "external_id", ["employeenumber"] = "external_id", ["employeeid"] = "external_id",
        ["email"] = "email", ["emailaddress"] = "email",
        ["givenname"] = "given_name", ["firstname"] = "given_name",
        ["familyname"] = "family_name", ["lastname"] = "family_name", ["surname"] = "family_name",
        ["jobtitle"] = "job_title", ["title"] = "job_title",
        ["location"] = "location",
        ["hiredate"] = "hire_date", ["startdate"] = "hire_date",
        ["managerexternalid"] = "manager_external_id", ["manageremployeenumber"] = "manager_external_id", ["manager"] = "manager_external_id",
        ["orgunitexternalid"] = "org_unit_external_id", ["orgunit"] = "org_unit_external_id", ["department"] = "org_unit_external_id",
        ["status"] = "status",
    };

    public static readonly string[] Required = ["external_id", "email", "given_name", "family_name"];

    public static ImportPlan Plan(CsvContent csv, IReadOnlyCollection<ExistingUser> existing, IReadOnlyDictionary<string, Guid> orgUnitsByExternalId,
        bool deactivateMissing, DateTimeOffset now)
    {
        var errors = new List<RowError>(csv.Errors);
        var parsed = new List<UserRow>();
        foreach (var row in csv.Rows)
            if (Parse(row, errors) is { } user) parsed.Add(user);

        // Duplicates inside the file: which row is right cannot be known, so every row of the pair is refused.
        var touched = new HashSet<string>(csv.Rows.Select(r => r["external_id"]).OfType<string>(), StringComparer.Ordinal);
        var refused = new HashSet<int>();
        foreach (var group in parsed.GroupBy(u => u.ExternalId, StringComparer.Ordinal).Where(g => g.Count() > 1))
            foreach (var u in group) { refused.Add(u.Row); errors.Add(new RowError(u.Row, "external_id", $"'{group.Key}' appears on rows {string.Join(", ", group.Select(x => x.Row))}")); }
        foreach (var group in parsed.GroupBy(u => User.Normalize(u.Email)).Where(g => g.Count() > 1))
            foreach (var u in group.Where(u => refused.Add(u.Row))) errors.Add(new RowError(u.Row, "email", $"'{u.Email}' appears on rows {string.Join(", ", group.Select(x => x.Row))}"));
        var valid = parsed.Where(u => !refused.Contains(u.Row)).ToList();

        var byExternalId = existing.Where(e => e.ExternalId is not null).ToDictionary(e => e.ExternalId!, StringComparer.Ordinal);
        // A directory record provisioned by SCIM may have no email.
        var byEmail = existing.Where(e => e.NormalizedEmail is not null).ToDictionary(e => e.NormalizedEmail!, StringComparer.Ordinal);

        // Who each row is: an existing user or a new id (generated now, so that managers in the same file resolve).
        var ids = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var matched = new Dictionary<int, ExistingUser?>();
        foreach (var u in valid.ToList())
        {
            var target = byExternalId.GetValueOrDefault(u.ExternalId);
            if (byEmail.TryGetValue(User.Normalize(u.Email), out var owner) && owner.Id != target?.Id)
            {
                if (target is null && owner.ExternalId is null) target = owner; // link an account made before HR knew it
                else
                {
                    errors.Add(new RowError(u.Row, "email", $"'{u.Email}' belongs to another user{(owner.ExternalId is null ? "" : $" (external id {owner.ExternalId})")}"));
                    valid.Remove(u);
                    continue;
                }
            }
            matched[u.Row] = target;
            ids[u.ExternalId] = target?.Id ?? Guid.CreateVersion7(now);
        }

        // References: a manager in the file or in the database, an active org unit. A row that fails here is left
        // out, and so is every row whose manager it was (until nothing changes), so no one points at a user who
        // will not exist.
        Guid? ManagerOf(UserRow u) => u.ManagerExternalId is { } m
            ? ids.TryGetValue(m, out var mid) ? mid : byExternalId.TryGetValue(m, out var me) ? me.Id : null
            : null;
        RowError? ReferenceError(UserRow u) =>
            u.ManagerExternalId == u.ExternalId ? new RowError(u.Row, "manager_external_id", "a user cannot be their own manager")
            : u.ManagerExternalId is { } m && ManagerOf(u) is null ? new RowError(u.Row, "manager_external_id", $"no user has the external id '{m}'")
            : u.OrgUnitExternalId is { } o && !orgUnitsByExternalId.ContainsKey(o) ? new RowError(u.Row, "org_unit_external_id", $"no active org unit has the external id '{o}'")
            : null;
        while (true)
        {
            var failed = valid.Select(u => (u, error: ReferenceError(u))).Where(x => x.error is not null).ToList();
            if (failed.Count == 0) break;
            foreach (var (u, error) in failed)
            {
                errors.Add(error!);
                valid.Remove(u);
                if (matched[u.Row] is null) ids.Remove(u.ExternalId);
            }
        }

        var changes = new List<PlannedChange>();
        var rows = new Dictionary<Guid, UserRow>();
        var references = new Dictionary<Guid, (Guid?, Guid?)>();
        foreach (var u in valid)
        {
            var id = ids[u.ExternalId];
            var managerId = ManagerOf(u);
            Guid? orgUnitId = u.OrgUnitExternalId is { } o ? orgUnitsByExternalId[o] : null;
            rows[id] = u;
            references[id] = (managerId, orgUnitId);
            var current = matched[u.Row];
            if (current is null)
            {
                changes.Add(new PlannedChange(u.Row, ChangeKind.Create, u.ExternalId, id, u.Email, []));
                continue;
            }
            var changed = Diff(current, u, managerId, orgUnitId);
            var status = u.Status ?? current.Status;
            var kind = changed.Count == 0 ? ChangeKind.Unchanged
                : changed.Contains("status") ? (status == UserStatus.Active ? ChangeKind.Reactivate : ChangeKind.Deactivate)
                : changed is ["orgUnitId"] ? ChangeKind.Move
                : ChangeKind.Update;
            changes.Add(new PlannedChange(u.Row, kind, u.ExternalId, id, u.Email, changed));
        }

        var activeManaged = existing.Count(e => e.ExternalId is not null && e.Status == UserStatus.Active);
        if (deactivateMissing)
            foreach (var e in existing.Where(e => e.ExternalId is not null && e.Status == UserStatus.Active && !touched.Contains(e.ExternalId!)))
                changes.Add(new PlannedChange(0, ChangeKind.Deactivate, e.ExternalId!, e.Id, e.Email, ["status"]));

        return new ImportPlan(changes, errors.OrderBy(e => e.Row).ToList(), rows, references, activeManaged);
    }

    private static List<string> Diff(ExistingUser e, UserRow u, Guid? managerId, Guid? orgUnitId)
    {
        var changed = new List<string>();
        if (e.ExternalId != u.ExternalId) changed.Add("externalId");
        if (!string.Equals(e.Email, u.Email, StringComparison.Ordinal)) changed.Add("email");
        if (e.GivenName != u.GivenName) changed.Add("givenName");
        if (e.FamilyName != u.FamilyName) changed.Add("familyName");
        if (e.JobTitle != u.JobTitle) changed.Add("jobTitle");
        if (e.Location != u.Location) changed.Add("location");
        if (e.HireDate != u.HireDate) changed.Add("hireDate");
        if (e.ManagerId != managerId) changed.Add("managerId");
        if (e.OrgUnitId != orgUnitId) changed.Add("orgUnitId");
        if (u.Status is { } s && s != e.Status) changed.Add("status");
        return changed;
    }

    private static UserRow? Parse(CsvRow row, List<RowError> errors)
    {
        var before = errors.Count;
        var input = new UserInput(row["email"], row["given_name"], row["family_name"], row["external_id"], row["job_title"], row["location"]);
        foreach (var (field, messages) in input.Validate().ToDictionary())
            foreach (var message in messages) errors.Add(new RowError(row.Row, Column(field), message));
        if (row["external_id"] is null) errors.Add(new RowError(row.Row, "external_id", "is required"));

        DateOnly? hireDate = null;
        if (row["hire_date"] is { } hd)
        {
            if (DateOnly.TryParseExact(hd, ["yyyy-MM-dd", "yyyy/MM/dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) hireDate = d;
            else errors.Add(new RowError(row.Row, "hire_date", $"'{hd}' is not a date in the form yyyy-mm-dd"));
        }
        UserStatus? status = null;
        if (row["status"] is { } st)
        {
            status = st.ToLowerInvariant() switch
            {
                "active" or "a" or "1" or "true" => UserStatus.Active,
                "suspended" or "s" => UserStatus.Suspended,
                "deactivated" or "inactive" or "terminated" or "leaver" or "d" or "0" or "false" => UserStatus.Deactivated,
                _ => null,
            };
            if (status is null) errors.Add(new RowError(row.Row, "status", $"'{st}' is not active, suspended or deactivated"));
        }
        if (errors.Count > before) return null;
        return new UserRow(row.Row, row["external_id"]!, row["email"]!, row["given_name"]!, row["family_name"]!, row["job_title"], row["location"],
            hireDate, row["manager_external_id"], row["org_unit_external_id"], status);
    }

    private static string Column(string field) => field switch
    {
        "givenName" => "given_name", "familyName" => "family_name", "externalId" => "external_id", "jobTitle" => "job_title",
        _ => field,
    };
}
