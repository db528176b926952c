using LmsPlatform.Portal.Services;

namespace LmsPlatform.Portal.Components.Pages.Manage;

/// <summary>
/// What every catalogue draft has, course or path: its details, compliance settings and who may see it. The editors'
/// working copies derive from it, and <see cref="ItemDetailsFields"/> and <see cref="ItemAudienceFields"/> edit it.
/// </summary>
public abstract class ItemForm
{
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? CategoryId { get; set; }
    public string? Tags { get; set; }
    public string? Language { get; set; } = "en";
    public int? DueWithinDays { get; set; }
    public string DueFrom { get; set; } = "assignment";
    public int? ValidityMonths { get; set; }
    public int? RecertificationWindowDays { get; set; }
    public bool Everyone { get; set; } = true;
    public string SelfEnrolment { get; set; } = "closed";
    public HashSet<Guid> OrgUnitIds { get; set; } = [];

    protected void ReadCommon(string title, string? summary, string? description, CategoryRef? category, string[] tags, string language,
        LmsPlatform.Contracts.Catalogue.ComplianceSettings compliance, VisibilityView visibility, string selfEnrolment)
    {
        SelfEnrolment = selfEnrolment;
        (Title, Summary, Description, CategoryId, Tags, Language) = (title, summary, description, category?.Id.ToString(), string.Join(", ", tags), language);
        (DueWithinDays, DueFrom, ValidityMonths, RecertificationWindowDays) = (compliance.DueWithinDays, compliance.DueFrom, compliance.ValidityMonths, compliance.RecertificationWindowDays);
        (Everyone, OrgUnitIds) = (visibility.Everyone, [.. visibility.OrgUnitIds]);
    }

    /// <summary>The common part of the draft as the API takes it; blanks are left out, so the API's rules say what is missing.</summary>
    protected Dictionary<string, object?> CommonDraft() => new()
    {
        ["title"] = Blank(Title), ["summary"] = Blank(Summary), ["description"] = Blank(Description),
        ["categoryId"] = Guid.TryParse(CategoryId, out var category) ? category : null,
        ["tags"] = (Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        ["language"] = Blank(Language),
        ["compliance"] = new { DueWithinDays, DueFrom, ValidityMonths, RecertificationWindowDays },
        ["visibility"] = new { Everyone, OrgUnitIds = Everyone ? [] : OrgUnitIds.ToArray() },
        ["selfEnrolment"] = SelfEnrolment,
    };

    public abstract object Draft();

    /// <summary>The fields the common parts show messages beside.</summary>
    public static readonly string[] CommonFields =
    [
        "code", "title", "summary", "description", "categoryId", "tags", "language", "visibility.orgUnitIds",
        "compliance.dueWithinDays", "compliance.dueFrom", "compliance.validityMonths", "compliance.recertificationWindowDays", "selfEnrolment",
    ];

    /// <summary>Moves a section, an activity or a path's course up (-1) or down (+1) in its list.</summary>
    public static void Move<T>(List<T> list, int index, int by)
    {
        var target = index + by;
        if (target < 0 || target >= list.Count) return;
        (list[index], list[target]) = (list[target], list[index]);
    }

    protected static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
