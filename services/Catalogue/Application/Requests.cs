using System.Globalization;
using System.Text.RegularExpressions;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.ServiceDefaults.Http;

namespace LmsPlatform.Catalogue.Application;

public sealed record VisibilityRequest(bool? Everyone, List<Guid>? OrgUnitIds);

public sealed record ComplianceRequest(int? DueWithinDays, string? DueFrom, int? ValidityMonths, int? RecertificationWindowDays, Guid? RefresherCourseId)
{
    public ComplianceSettings ToSettings() => new(DueWithinDays, DueFrom?.Trim().ToLowerInvariant() ?? ComplianceSettings.FromAssignment,
        ValidityMonths, RecertificationWindowDays, RefresherCourseId);

    public void Validate(ValidationErrors errors)
    {
        errors.Check(DueWithinDays is null or >= 1 and <= 3650, "compliance.dueWithinDays", "must be between 1 and 3650 days");
        errors.Check(DueFrom is null || DueFrom.Trim().ToLowerInvariant() is ComplianceSettings.FromAssignment or ComplianceSettings.FromHire,
            "compliance.dueFrom", "must be 'assignment' or 'hire'");
        errors.Check(ValidityMonths is null or >= 1 and <= 240, "compliance.validityMonths", "must be between 1 and 240 months");
        errors.Check(RecertificationWindowDays is null or >= 1 and <= 365, "compliance.recertificationWindowDays", "must be between 1 and 365 days");
        if (RecertificationWindowDays is not null || RefresherCourseId is not null)
            errors.Check(ValidityMonths is not null, "compliance.validityMonths", "is required when there is a recertification window or a refresher course");
        if (RecertificationWindowDays is { } window && ValidityMonths is { } months)
            errors.Check(window < months * 28, "compliance.recertificationWindowDays", "must be shorter than the validity");
    }
}

/// <summary>The describing fields a course draft and a path draft share.</summary>
public abstract record DraftRequest
{
    public string? Title { get; init; }
    public string? Summary { get; init; }
    public string? Description { get; init; }
    public Guid? CategoryId { get; init; }
    public List<string>? Tags { get; init; }
    public string? Language { get; init; }
    public VisibilityRequest? Visibility { get; init; }
    public ComplianceRequest? Compliance { get; init; }
    /// <summary>A <see cref="SelfEnrolmentPolicy"/>; closed when absent.</summary>
    public string? SelfEnrolment { get; init; }

    public const int MaxTitle = 200, MaxSummary = 2000, MaxDescription = 20000, MaxTags = 20, MaxTag = 50, MaxAudience = 100;

    protected void ValidateCommon(ValidationErrors errors)
    {
        errors.Required("title", Title, MaxTitle).MaxLength("summary", Summary, MaxSummary).MaxLength("description", Description, MaxDescription);
        if (Tags is not null)
        {
            errors.Check(Tags.Count <= MaxTags, "tags", $"at most {MaxTags} tags");
            errors.Check(Tags.All(t => !string.IsNullOrWhiteSpace(t)), "tags", "must not be blank");
            errors.Check(Tags.All(t => t is null || TagNames.Normalise(t).Length <= MaxTag), "tags", $"each at most {MaxTag} characters");
        }
        errors.Check(Language is null || Languages.Normalise(Language) is not null, "language", "must be a language tag such as 'en' or 'pt-BR'");
        if (Visibility is { Everyone: false })
            errors.Check(Visibility.OrgUnitIds is { Count: > 0 and <= MaxAudience }, "visibility.orgUnitIds", $"name between 1 and {MaxAudience} org units when not visible to everyone");
        Compliance?.Validate(errors);
        errors.Check(SelfEnrolment is null || SelfEnrolmentPolicy.All.Contains(SelfEnrolment.Trim().ToLowerInvariant()), "selfEnrolment",
            $"must be one of {string.Join(", ", SelfEnrolmentPolicy.All)}");
    }

    /// <summary>Copies the shared fields onto a draft version (the caller has validated them).</summary>
    public void ApplyTo(ItemVersion version)
    {
        version.Title = Title!.Trim();
        version.Summary = TextInput.Clean(Summary);
        version.Description = TextInput.Clean(Description);
        version.CategoryId = CategoryId;
        version.Tags = TagNames.NormaliseAll(Tags);
        version.Language = Languages.Normalise(Language ?? "en")!;
        version.VisibleToEveryone = Visibility?.Everyone ?? true;
        version.AudienceOrgUnitIds = version.VisibleToEveryone ? [] : Visibility!.OrgUnitIds!.Distinct().ToList();
        version.Compliance = Compliance?.ToSettings() ?? ComplianceSettings.None;
        version.SelfEnrolment = SelfEnrolment?.Trim().ToLowerInvariant() ?? SelfEnrolmentPolicy.Closed;
    }
}

public sealed record ActivityRequest(Guid? Id, string? Kind, string? Title, Guid? ContentItemId, string? Url, int? DurationMinutes, bool? Required);

public sealed record SectionRequest(Guid? Id, string? Title, List<ActivityRequest>? Activities);

public sealed record CourseDraftRequest : DraftRequest
{
    public string? DeliveryType { get; init; }
    public int? DurationMinutes { get; init; }
    public List<SectionRequest>? Sections { get; init; }

    public const int MaxSections = 100, MaxActivities = 200;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors();
        ValidateCommon(errors);
        errors.Check(DeliveryType is null || Wire.ParseDeliveryType(DeliveryType) is not null, "deliveryType", "must be 'e-learning', 'instructor-led' or 'blended'");
        errors.Check(DurationMinutes is null or >= 0 and <= 100_000, "durationMinutes", "must be between 0 and 100000");
        var sections = Sections ?? [];
        errors.Check(sections.Count <= MaxSections, "sections", $"at most {MaxSections} sections");
        var ids = new HashSet<Guid>();
        for (var s = 0; s < sections.Count && s < MaxSections; s++)
        {
            var section = sections[s];
            var at = $"sections[{s}]";
            errors.Required($"{at}.title", section.Title, DraftRequest.MaxTitle);
            errors.Check(section.Id is null || ids.Add(section.Id.Value), $"{at}.id", "is used twice");
            var activities = section.Activities ?? [];
            errors.Check(activities.Count <= MaxActivities, $"{at}.activities", $"at most {MaxActivities} activities a section");
            for (var a = 0; a < activities.Count && a < MaxActivities; a++)
            {
                var activity = activities[a];
                var path = $"{at}.activities[{a}]";
                errors.Required($"{path}.title", activity.Title, DraftRequest.MaxTitle);
                errors.Check(activity.Id is null || ids.Add(activity.Id.Value), $"{path}.id", "is used twice");
                errors.Check(activity.DurationMinutes is null or >= 0 and <= 100_000, $"{path}.durationMinutes", "must be between 0 and 100000");
                switch (ParseKind(activity.Kind))
                {
                    case ActivityKind.Content:
                        errors.Check(activity.ContentItemId is { } item && item != Guid.Empty, $"{path}.contentItemId", "is required for a content activity");
                        break;
                    case ActivityKind.Link:
                        errors.Check(Uri.TryCreate(activity.Url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && activity.Url!.Length <= 2000,
                            $"{path}.url", "must be an absolute http or https address of at most 2000 characters");
                        break;
                    case ActivityKind.Session:
                        break;
                    default:
                        errors.Add($"{path}.kind", "must be 'content', 'link' or 'session'");
                        break;
                }
            }
        }
        return errors.ToDictionary();
    }

    public static ActivityKind? ParseKind(string? kind) => kind?.Trim().ToLowerInvariant() switch
    {
        "content" => ActivityKind.Content,
        "link" => ActivityKind.Link,
        "session" => ActivityKind.Session,
        _ => null,
    };

    public void ApplyTo(CourseVersion version)
    {
        base.ApplyTo(version);
        version.DeliveryType = Wire.ParseDeliveryType(DeliveryType) ?? Model.DeliveryType.ELearning;
        version.DurationMinutes = DurationMinutes ?? 0;
        version.Sections = (Sections ?? []).Select(s => new Section(
            s.Id ?? Guid.CreateVersion7(),
            s.Title!.Trim(),
            (s.Activities ?? []).Select(a => new Activity(
                a.Id ?? Guid.CreateVersion7(),
                ParseKind(a.Kind)!.Value,
                a.Title!.Trim(),
                ParseKind(a.Kind) == ActivityKind.Content ? a.ContentItemId : null,
                ParseKind(a.Kind) == ActivityKind.Link ? a.Url!.Trim() : null,
                a.DurationMinutes,
                a.Required ?? true)).ToList())).ToList();
    }
}

public sealed record CreateCourseRequest(string? Code, Guid? OwnerOrgUnitId, Guid? OwnerUserId, CourseDraftRequest? Draft)
{
    public Dictionary<string, string[]> Validate() => ValidateNew(Code, Draft?.Validate());

    internal static Dictionary<string, string[]> ValidateNew(string? code, Dictionary<string, string[]>? draftErrors)
    {
        var errors = new ValidationErrors().Required("code", code, 32);
        if (!string.IsNullOrWhiteSpace(code))
            errors.Check(code.Trim().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), "code", "may contain only letters, digits, '-', '_' and '.'");
        var all = errors.ToDictionary();
        if (draftErrors is null) all["draft"] = ["is required"];
        else foreach (var (field, messages) in draftErrors) all[$"draft.{field}"] = messages;
        return all;
    }
}

public sealed record PathStepRequest(Guid? CourseId, bool? Required);

public sealed record LearningPathDraftRequest : DraftRequest
{
    public List<PathStepRequest>? Courses { get; init; }
    public int? OptionalToComplete { get; init; }

    public const int MaxCourses = 200;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new ValidationErrors();
        ValidateCommon(errors);
        var courses = Courses ?? [];
        errors.Check(courses.Count <= MaxCourses, "courses", $"at most {MaxCourses} courses");
        errors.Check(courses.All(c => c.CourseId is { } id && id != Guid.Empty), "courses", "every entry needs a courseId");
        errors.Check(courses.Where(c => c.CourseId is not null).GroupBy(c => c.CourseId).All(g => g.Count() == 1), "courses", "a course may appear only once");
        var optional = courses.Count(c => c.Required == false);
        errors.Check(OptionalToComplete is null || OptionalToComplete >= 0 && OptionalToComplete <= optional, "optionalToComplete",
            $"must be between 0 and the number of optional courses ({optional})");
        return errors.ToDictionary();
    }

    public void ApplyTo(LearningPathVersion version)
    {
        base.ApplyTo(version);
        version.Steps = (Courses ?? []).Select(c => new PathStep(c.CourseId!.Value, c.Required ?? true)).ToList();
        version.OptionalToComplete = OptionalToComplete ?? 0;
    }
}

public sealed record CreateLearningPathRequest(string? Code, Guid? OwnerOrgUnitId, Guid? OwnerUserId, LearningPathDraftRequest? Draft)
{
    public Dictionary<string, string[]> Validate() => CreateCourseRequest.ValidateNew(Code, Draft?.Validate());
}

public sealed record PrerequisitesRequest(List<Guid>? Items);

public sealed record ReplaceCourseRequest(Guid? ReplacedByCourseId);

public sealed record CategoryRequest(string? Name, Guid? ParentId)
{
    public Dictionary<string, string[]> Validate() => new ValidationErrors().Required("name", Name, 100).ToDictionary();
}

/// <summary>
/// Tags are free-form but normalised: trimmed, inner white space collapsed, lower case. (No Unicode normalisation:
/// the services run with invariant globalization, which has none.)
/// </summary>
public static partial class TagNames
{
    public static string Normalise(string tag) => Spaces().Replace(tag.Trim(), " ").ToLowerInvariant();

    public static List<string> NormaliseAll(IEnumerable<string>? tags) =>
        (tags ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Select(Normalise).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

/// <summary>Language tags (BCP 47, the common forms): "en", "pt-BR", "zh-Hant". Normalised to "xx" or "xx-YY".</summary>
public static partial class Languages
{
    public static string? Normalise(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || !Shape().IsMatch(tag.Trim())) return null;
        var parts = tag.Trim().Split('-');
        parts[0] = parts[0].ToLowerInvariant();
        for (var i = 1; i < parts.Length; i++)
            parts[i] = parts[i].Length == 2 ? parts[i].ToUpperInvariant()
                : parts[i].Length == 4 ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(parts[i].ToLowerInvariant()) : parts[i].ToLowerInvariant();
        return string.Join('-', parts);
    }

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")]
    private static partial Regex Shape();
}
