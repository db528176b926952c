using LmsPlatform.Portal.Services;

namespace LmsPlatform.Portal.Components.Pages.Manage;

/// <summary>The course editor's working copy of a draft: what the form binds to, read from and written as the API's draft.</summary>
public sealed class CourseForm
{
    public string? Title { get; set; }
    public string? Summary { get; set; }
    public string? Description { get; set; }
    public string? CategoryId { get; set; }
    public string? Tags { get; set; }
    public string? Language { get; set; } = "en";
    public string? DeliveryType { get; set; } = "e-learning";
    public int? DurationMinutes { get; set; }
    public List<SectionForm> Sections { get; set; } = [];
    public int? DueWithinDays { get; set; }
    public string DueFrom { get; set; } = "assignment";
    public int? ValidityMonths { get; set; }
    public int? RecertificationWindowDays { get; set; }
    public bool Everyone { get; set; } = true;
    public HashSet<Guid> OrgUnitIds { get; set; } = [];

    public sealed class SectionForm
    {
        public Guid? Id { get; set; }
        public string? Title { get; set; }
        public List<ActivityForm> Activities { get; set; } = [];
    }

    public sealed class ActivityForm
    {
        public Guid? Id { get; set; }
        public string Kind { get; set; } = "link";
        public string? Title { get; set; }
        public string? Url { get; set; }
        public string? ContentItemId { get; set; }
        public int? DurationMinutes { get; set; }
        public bool Required { get; set; } = true;
    }

    public static CourseForm From(CourseView c) => new()
    {
        Title = c.Title, Summary = c.Summary, Description = c.Description, CategoryId = c.Category?.Id.ToString(),
        Tags = string.Join(", ", c.Tags), Language = c.Language, DeliveryType = c.DeliveryType, DurationMinutes = c.DurationMinutes,
        Sections = [.. c.Sections.Select(s => new SectionForm
        {
            Id = s.Id, Title = s.Title,
            Activities = [.. s.Activities.Select(a => new ActivityForm
            {
                Id = a.Id, Kind = a.Kind, Title = a.Title, Url = a.Url, ContentItemId = a.ContentItemId?.ToString(),
                DurationMinutes = a.DurationMinutes, Required = a.Required,
            })],
        })],
        DueWithinDays = c.Compliance.DueWithinDays, DueFrom = c.Compliance.DueFrom, ValidityMonths = c.Compliance.ValidityMonths,
        RecertificationWindowDays = c.Compliance.RecertificationWindowDays, Everyone = c.Visibility.Everyone, OrgUnitIds = [.. c.Visibility.OrgUnitIds],
    };

    /// <summary>The draft as the API takes it; blanks are left out, so the API's rules say what is missing.</summary>
    public object Draft() => new
    {
        Title = Blank(Title), Summary = Blank(Summary), Description = Blank(Description),
        CategoryId = Guid.TryParse(CategoryId, out var category) ? category : (Guid?)null,
        Tags = (Tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Language = Blank(Language), DeliveryType = Blank(DeliveryType), DurationMinutes,
        Sections = Sections.Select(s => new
        {
            s.Id, Title = Blank(s.Title),
            Activities = s.Activities.Select(a => new
            {
                a.Id, a.Kind, Title = Blank(a.Title), Url = a.Kind == "link" ? Blank(a.Url) : null,
                ContentItemId = a.Kind == "content" && Guid.TryParse(a.ContentItemId, out var content) ? content : (Guid?)null,
                a.DurationMinutes, a.Required,
            }),
        }),
        Compliance = new { DueWithinDays, DueFrom, ValidityMonths, RecertificationWindowDays },
        Visibility = new { Everyone, OrgUnitIds = Everyone ? [] : OrgUnitIds.ToArray() },
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
