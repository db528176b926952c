using LmsPlatform.Catalogue.Apis;
using LmsPlatform.Catalogue.Application;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Http;

namespace LmsPlatform.UnitTests;

public class PrerequisiteGraphTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid(), D = Guid.NewGuid(), E = Guid.NewGuid();

    private static ILookup<Guid, Guid> Edges(params (Guid From, Guid To)[] edges) => edges.ToLookup(e => e.From, e => e.To);

    [Fact]
    public void Names_the_shortest_cycle_from_the_item_back_to_itself()
    {
        // A would need B; B needs C and E; C needs D; D needs A, and E needs A directly (the shorter way back).
        var cycle = PrerequisiteGraph.FindCycle(A, [B], Edges((B, C), (C, D), (D, A), (B, E), (E, A)));
        Assert.Equal([A, B, E, A], cycle);
    }

    [Fact]
    public void A_long_cycle_is_named_in_order()
    {
        var cycle = PrerequisiteGraph.FindCycle(A, [B], Edges((B, C), (C, D), (D, A)));
        Assert.Equal([A, B, C, D, A], cycle);
    }

    [Fact]
    public void An_item_cannot_need_itself()
    {
        Assert.Equal([A, A], PrerequisiteGraph.FindCycle(A, [A], Edges()));
    }

    [Fact]
    public void A_diamond_is_not_a_cycle()
    {
        // A needs B and C; both need D.
        Assert.Null(PrerequisiteGraph.FindCycle(A, [B, C], Edges((B, D), (C, D))));
    }

    [Fact]
    public void A_cycle_elsewhere_in_the_graph_is_not_the_items_business()
    {
        Assert.Null(PrerequisiteGraph.FindCycle(A, [B], Edges((B, C), (C, D), (D, C))));
    }
}

public class CatalogueInputTests
{
    [Theory]
    [InlineData("  Health   and\tSafety ", "health and safety")]
    [InlineData("GDPR", "gdpr")]
    public void Tags_are_normalised(string tag, string expected) => Assert.Equal(expected, TagNames.Normalise(tag));

    [Fact]
    public void Duplicate_tags_collapse_after_normalising() =>
        Assert.Equal(["fire safety"], TagNames.NormaliseAll(["Fire Safety", "fire  safety ", " "]));

    [Theory]
    [InlineData("en", "en")]
    [InlineData("PT-br", "pt-BR")]
    [InlineData("zh-hant", "zh-Hant")]
    [InlineData("english", null)]
    [InlineData("e", null)]
    [InlineData("en_GB", null)]
    public void Language_tags_are_checked_and_normalised(string tag, string? expected) => Assert.Equal(expected, Languages.Normalise(tag));

    [Fact]
    public void A_draft_reports_every_broken_activity_by_its_position()
    {
        var draft = new CourseDraftRequest
        {
            Title = "T",
            DeliveryType = "webinar",
            Sections =
            [
                new(null, "One", [new(null, "content", "No item", null, null, null, true), new(null, "link", "Bad", null, "ftp://x", null, true)]),
                new(null, "", [new(null, "session", "", null, null, -5, true)]),
            ],
        };
        var errors = draft.Validate();
        Assert.Equal(
            ["deliveryType", "sections[0].activities[0].contentItemId", "sections[0].activities[1].url", "sections[1].activities[0].durationMinutes", "sections[1].activities[0].title", "sections[1].title"],
            errors.Keys.Order());
    }

    [Fact]
    public void Ids_used_twice_in_one_draft_are_refused()
    {
        var id = Guid.NewGuid();
        var draft = new CourseDraftRequest { Title = "T", Sections = [new(id, "S", [new(id, "session", "Day 1", null, null, null, true)])] };
        Assert.Contains("sections[0].activities[0].id", draft.Validate().Keys);
    }

    [Theory]
    [InlineData(null, null, 30, null, "compliance.validityMonths")] // a window without a validity
    [InlineData(12, null, 400, null, "compliance.recertificationWindowDays")]
    [InlineData(1, null, 60, null, "compliance.recertificationWindowDays")] // window longer than the validity
    [InlineData(12, "birthday", null, null, "compliance.dueFrom")]
    [InlineData(12, "hire", 60, 30, null)]
    public void Compliance_settings_must_agree_with_each_other(int? validity, string? dueFrom, int? window, int? dueDays, string? error)
    {
        var errors = new ValidationErrors();
        new ComplianceRequest(dueDays, dueFrom, validity, window, null).Validate(errors);
        if (error is null) Assert.True(errors.IsValid);
        else Assert.Contains(error, errors.ToDictionary().Keys);
    }

    [Fact]
    public void A_path_cannot_ask_for_more_optional_courses_than_it_has()
    {
        var path = new LearningPathDraftRequest
        {
            Title = "P", OptionalToComplete = 2,
            Courses = [new(Guid.NewGuid(), true), new(Guid.NewGuid(), false)],
        };
        Assert.Contains("optionalToComplete", path.Validate().Keys);
        Assert.Empty((path with { OptionalToComplete = 1 }).Validate());
    }

    [Fact]
    public void Publishing_needs_a_section_with_an_activity_and_something_required()
    {
        var errors = new ValidationErrors();
        var version = new CourseVersion { Title = "T", DurationMinutes = 10, Sections = [new(Guid.NewGuid(), "S", [new(Guid.NewGuid(), ActivityKind.Session, "Day", null, null, null, Required: false)])] };
        CourseRules.CheckPublishable(version, errors);
        Assert.Equal(["sections"], errors.ToDictionary().Keys);

        errors = new ValidationErrors();
        CourseRules.CheckPublishable(new CourseVersion { Title = "T" }, errors);
        Assert.Equal(["durationMinutes", "sections"], errors.ToDictionary().Keys.Order());
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "<script")]
    [InlineData("[x](javascript:alert(1))", "javascript:")]
    [InlineData("<img src=x onerror=alert(1)>", "<img")]
    [InlineData("<a href=\"https://e.org\" onclick=\"alert(1)\">x</a>", "<a href")]
    public void Rendered_descriptions_carry_no_live_markup(string markdown, string forbidden)
    {
        var html = Markdown.ToSafeHtml(markdown)!;
        Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Markdown_still_renders() =>
        Assert.Equal("<p><strong>Bold</strong> and <a href=\"https://example.org\">a link</a></p>", Markdown.ToSafeHtml("**Bold** and [a link](https://example.org)")!.Trim());

    [Fact]
    public void Search_requests_that_differ_only_in_spelling_share_a_cache_key()
    {
        var a = new SearchRequest("Fire Safety ", null, ["GDPR", "Health"], "EN", "E-Learning", null, null, null, null, null, null);
        var b = new SearchRequest("fire safety", null, ["health", "gdpr"], "en", "e-learning", null, null, null, null, 1, 20);
        Assert.Equal(a.CacheKey(), b.CacheKey());
        Assert.NotEqual(a.CacheKey(), (b with { Page = 2 }).CacheKey());
    }
}
