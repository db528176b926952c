using System.Text.Json;
using LmsPlatform.Portal.Services;

namespace LmsPlatform.Portal.Components.Pages.Manage;

/// <summary>
/// One node of the rule builder: a group (all / any of its children) or a condition, either of which may be negated.
/// Turned into the API's rule JSON by <see cref="ToJson"/> (a negated node becomes a <c>not</c> around it) and read back
/// by <see cref="From"/>.
/// </summary>
public sealed class RuleNodeForm
{
    public static readonly (string Type, string Label)[] Conditions =
    [
        ("orgUnit", "Department (and below)"), ("manager", "Reports to"), ("jobTitle", "Job title"), ("location", "Location"),
        ("hireDate", "Hire date"), ("status", "Status"), ("role", "Role"), ("audience", "Member of another audience"), ("completed", "Completed a course"),
        ("certificationExpiring", "Certification expiring"),
    ];

    public string Type { get; set; } = "orgUnit";
    public bool Negate { get; set; }
    public List<RuleNodeForm> Rules { get; set; } = [];
    public Guid? OrgUnitId { get; set; }
    public Guid? ManagerId { get; set; }
    public bool Indirect { get; set; } = true;
    public string Values { get; set; } = "";
    public string Match { get; set; } = "is";
    public string Test { get; set; } = "withinDays";
    public DateOnly? Date { get; set; }
    public int? Days { get; set; } = 30;
    public bool Active { get; set; } = true;
    public bool Suspended { get; set; }
    public string Role { get; set; } = "Manager";
    public Guid? AudienceId { get; set; }
    public Guid? CourseId { get; set; }
    public string? CourseTitle { get; set; }
    public int? WithinDays { get; set; }

    public bool IsGroup => Type is "all" or "any";

    public static RuleNodeForm Group(string type = "all") => new() { Type = type, Rules = [new RuleNodeForm()] };

    public object ToJson()
    {
        object node = Type switch
        {
            "all" or "any" => new { type = Type, rules = Rules.Select(r => r.ToJson()).ToArray() },
            "orgUnit" => new { type = Type, orgUnitId = OrgUnitId ?? Guid.Empty },
            "manager" => new { type = Type, managerId = ManagerId ?? Guid.Empty, indirect = Indirect },
            "jobTitle" or "location" => new { type = Type, values = Split(Values), match = Match },
            "hireDate" => Test == "withinDays" ? new { type = Type, test = Test, days = Days } : new { type = Type, test = Test, date = Date } as object,
            "status" => new { type = Type, values = new[] { Active ? "Active" : null, Suspended ? "Suspended" : null }.OfType<string>().ToArray() },
            "role" => new { type = Type, role = Role },
            "audience" => new { type = Type, audienceId = AudienceId ?? Guid.Empty },
            "certificationExpiring" => new { type = Type, courseId = CourseId ?? Guid.Empty, withinDays = WithinDays },
            _ => new { type = "completed", courseId = CourseId ?? Guid.Empty, withinDays = WithinDays },
        };
        return Negate ? new { type = "not", rule = node } : node;
    }

    private static string[] Split(string values) => [.. values.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    public static RuleNodeForm From(JsonElement json, IReadOnlyDictionary<Guid, string>? courseTitles = null)
    {
        var type = json.GetProperty("type").GetString()!;
        if (type == "not")
        {
            var inner = From(json.GetProperty("rule"), courseTitles);
            inner.Negate = !inner.Negate;
            return inner;
        }
        var form = new RuleNodeForm { Type = type };
        Guid? Id(string name) => json.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetGuid() : null;
        string? Text(string name) => json.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        int? Number(string name) => json.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null;
        string[] List(string name) => json.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray().Select(v => v.GetString() ?? "")] : [];
        switch (type)
        {
            case "all" or "any": form.Rules = [.. json.GetProperty("rules").EnumerateArray().Select(r => From(r, courseTitles))]; break;
            case "orgUnit": form.OrgUnitId = Id("orgUnitId"); break;
            case "manager": (form.ManagerId, form.Indirect) = (Id("managerId"), json.TryGetProperty("indirect", out var i) && i.GetBoolean()); break;
            case "jobTitle" or "location": (form.Values, form.Match) = (string.Join(", ", List("values")), Text("match") ?? "is"); break;
            case "hireDate":
                (form.Test, form.Days) = (Text("test") ?? "withinDays", Number("days"));
                if (Text("date") is { } date) form.Date = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
                break;
            case "status":
                var statuses = List("values");
                (form.Active, form.Suspended) = (statuses.Contains("Active", StringComparer.OrdinalIgnoreCase), statuses.Contains("Suspended", StringComparer.OrdinalIgnoreCase));
                break;
            case "role": form.Role = Text("role") ?? "Manager"; break;
            case "audience": form.AudienceId = Id("audienceId"); break;
            case "completed" or "certificationExpiring":
                (form.CourseId, form.WithinDays) = (Id("courseId"), Number("withinDays"));
                if (form.CourseId is { } course) form.CourseTitle = courseTitles?.GetValueOrDefault(course);
                break;
        }
        return form;
    }
}

/// <summary>The audience being edited: settings, the rule's root group and the courses and learning paths its members get.</summary>
public sealed class AudienceForm
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public RuleNodeForm Rule { get; set; } = RuleNodeForm.Group();
    public List<AudienceItemView> Courses { get; set; } = [];
    public List<AudienceItemView> Paths { get; set; } = [];
    public string LeavePolicy { get; set; } = "Keep";
    public int? GraceDays { get; set; } = 0;
    public int? SafetyThresholdPercent { get; set; } = 10;

    public object Request() => new
    {
        Name, Description, Rule = Rule.ToJson(), CourseIds = Courses.Select(c => c.Id).ToArray(), PathIds = Paths.Select(p => p.Id).ToArray(), LeavePolicy, GraceDays = GraceDays ?? 0,
        SafetyThresholdPercent = SafetyThresholdPercent ?? 10,
    };

    public static AudienceForm From(AudienceView view) => new()
    {
        Name = view.Name, Description = view.Description, Rule = RuleNodeForm.From(view.DraftRule),
        Courses = [.. view.DraftCourses], Paths = [.. view.DraftPaths], LeavePolicy = view.LeavePolicy, GraceDays = view.GraceDays, SafetyThresholdPercent = view.SafetyThresholdPercent,
    };

    public static string[] Fields() => ["name", "description", "rule", "courseIds", "pathIds", "leavePolicy", "graceDays", "safetyThresholdPercent"];
}
