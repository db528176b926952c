using LmsPlatform.Portal.Services;

namespace LmsPlatform.Portal.Components.Pages.Manage;

/// <summary>The course editor's working copy of a draft: the common parts, delivery, duration, sections and activities.</summary>
public sealed class CourseForm : ItemForm
{
    public string? DeliveryType { get; set; } = "e-learning";
    public int? DurationMinutes { get; set; }
    public List<SectionForm> Sections { get; set; } = [];

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

    public static CourseForm From(CourseView c)
    {
        var form = new CourseForm
        {
            DeliveryType = c.DeliveryType, DurationMinutes = c.DurationMinutes,
            Sections = [.. c.Sections.Select(s => new SectionForm
            {
                Id = s.Id, Title = s.Title,
                Activities = [.. s.Activities.Select(a => new ActivityForm
                {
                    Id = a.Id, Kind = a.Kind, Title = a.Title, Url = a.Url, ContentItemId = a.ContentItemId?.ToString(),
                    DurationMinutes = a.DurationMinutes, Required = a.Required,
                })],
            })],
        };
        form.ReadCommon(c.Title, c.Summary, c.Description, c.Category, c.Tags, c.Language, c.Compliance, c.Visibility, c.SelfEnrolment);
        return form;
    }

    public override object Draft()
    {
        var draft = CommonDraft();
        draft["deliveryType"] = Blank(DeliveryType);
        draft["durationMinutes"] = DurationMinutes;
        draft["sections"] = Sections.Select(s => new
        {
            s.Id, Title = Blank(s.Title),
            Activities = s.Activities.Select(a => new
            {
                a.Id, a.Kind, Title = Blank(a.Title), Url = a.Kind == "link" ? Blank(a.Url) : null,
                ContentItemId = a.Kind == "content" && Guid.TryParse(a.ContentItemId, out var content) ? content : (Guid?)null,
                a.DurationMinutes, a.Required,
            }),
        });
        return draft;
    }

    /// <summary>Every field the course editor shows a message beside.</summary>
    public IEnumerable<string> Fields() =>
    [
        .. CommonFields, "deliveryType", "durationMinutes",
        .. Sections.SelectMany((s, si) => s.Activities
            .SelectMany((_, ai) => new[] { "title", "url", "contentItemId", "durationMinutes" }.Select(f => $"sections[{si}].activities[{ai}].{f}"))
            .Append($"sections[{si}].title")),
    ];
}

/// <summary>The learning path editor's working copy: the common parts, its courses in order and how many optional ones complete it.</summary>
public sealed class PathForm : ItemForm
{
    public List<Step> Courses { get; set; } = [];
    public int? OptionalToComplete { get; set; }

    public sealed class Step
    {
        public Guid CourseId { get; init; }
        public string Title { get; init; } = "";
        public bool Required { get; set; } = true;
    }

    public static PathForm From(LearningPathView p)
    {
        var form = new PathForm
        {
            Courses = [.. p.Courses.OrderBy(c => c.Position).Select(c => new Step { CourseId = c.CourseId, Title = c.Title ?? c.Code ?? "", Required = c.Required })],
            OptionalToComplete = p.OptionalToComplete,
        };
        form.ReadCommon(p.Title, p.Summary, p.Description, p.Category, p.Tags, p.Language, p.Compliance, p.Visibility, p.SelfEnrolment);
        return form;
    }

    public override object Draft()
    {
        var draft = CommonDraft();
        draft["courses"] = Courses.Select(c => new { c.CourseId, c.Required });
        draft["optionalToComplete"] = OptionalToComplete;
        return draft;
    }

    public IEnumerable<string> Fields() => [.. CommonFields, "courses", "optionalToComplete"];
}
