using System.Net;
using System.Security.Claims;
using Bunit;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Portal.Components.Pages.Learning;
using LmsPlatform.Portal.Components.Shared;
using LmsPlatform.Portal.Security;
using LmsPlatform.Portal.Services;

namespace LmsPlatform.UnitTests;

/// <summary>The portal's logic that needs no browser: the catalogue's address, problems in words, the menu, and components rendered by bUnit.</summary>
public class PortalComponentTests : BunitContext
{
    private static CatalogueQuery Query(int page = 1) => new("fire", null, ["safety"], "de", null, null, "30-60", null, page);

    [Fact]
    public void The_catalogue_page_asks_the_api_for_the_duration_range_and_a_change_of_filter_goes_back_to_page_one()
    {
        var query = Query(page: 3);
        Assert.Equal("api/catalogue/search?q=fire&tag=safety&language=de&minDuration=30&maxDuration=59&page=3&pageSize=20", query.ApiPath());
        Assert.Equal("catalogue?q=fire&tag=safety&language=de&duration=30-60&page=3", query.Href());
        Assert.Equal("catalogue?q=fire&tag=safety&duration=30-60", query.With(q => q with { Language = null }));
        Assert.Equal("catalogue?q=fire&language=de&duration=30-60", query.ToggleTag("safety"));
        Assert.Equal("catalogue?q=fire&tag=safety&tag=gdpr&language=de&duration=30-60", query.ToggleTag("gdpr"));
    }

    [Fact]
    public void A_problem_gives_each_field_its_messages_and_keeps_the_rest_for_the_summary()
    {
        var problem = new Problem(400, "Check the highlighted fields", "Two things are wrong.", new Dictionary<string, string[]>
        {
            ["draft.title"] = ["is required"], ["email"] = ["is taken"], ["other"] = ["Two things are wrong.", "is odd"],
        });
        Assert.Equal(["is taken"], problem.For("Email"));
        Assert.Equal(["is required"], problem.WithoutPrefix("draft.").For("title"));
        // The summary lists what no field shows, once, and not the detail again.
        Assert.Equal(["is required", "is odd"], problem.Besides(["email"]));
        Assert.True(new Problem(409, "", null, new Dictionary<string, string[]> { ["etag"] = ["stale"] }).IsStale);
        Assert.False(new Problem(409, "", null, new Dictionary<string, string[]> { ["email"] = ["taken"] }).IsStale);
        Assert.True(Problem.From(HttpStatusCode.Unauthorized).SessionEnded);
    }

    [Fact]
    public void The_menu_offers_a_learner_the_learning_pages_and_an_administrator_everything()
    {
        static ClaimsPrincipal Holding(IEnumerable<string> permissions) =>
            new(new ClaimsIdentity(permissions.Select(p => new Claim(PortalClaims.Permission, p)), "test"));
        var learner = PortalMenu.For(Holding(Roles.PermissionsOf(Roles.Learner))).ToList();
        Assert.Equal(["Learning"], learner.Select(s => s.Title));
        Assert.Contains(learner[0].Links, l => l.Href == "catalogue");
        var administrator = PortalMenu.For(Holding(Roles.PermissionsOf(Roles.Administrator))).SelectMany(s => s.Links).ToList();
        Assert.Equal(PortalMenu.Sections.SelectMany(s => s.Links).Count(), administrator.Count);
        var trainer = PortalMenu.For(Holding(Roles.PermissionsOf(Roles.TrainingManager))).SelectMany(s => s.Links).Select(l => l.Href).ToList();
        Assert.Contains("manage/courses", trainer);
        Assert.DoesNotContain("admin/roles", trainer);
    }

    [Fact]
    public void A_field_message_is_rendered_with_the_id_its_field_points_at_and_nothing_without_a_message()
    {
        var problem = new Problem(400, "Check", null, new Dictionary<string, string[]> { ["email"] = ["is taken"] });
        var shown = Render<FieldMessage>(p => p.Add(c => c.Field, "email").Add(c => c.Problem, problem));
        Assert.Equal("is taken", shown.Find("#email-error").TextContent);
        Assert.Equal("email-error", FieldMessage.DescribedBy(problem, "email"));
        Assert.Equal("true", FieldMessage.Invalid(problem, "email"));
        var none = Render<FieldMessage>(p => p.Add(c => c.Field, "title").Add(c => c.Problem, problem));
        Assert.Empty(none.Markup.Trim());
        Assert.Null(FieldMessage.DescribedBy(problem, "title"));
    }

    [Fact]
    public void The_pager_links_to_the_neighbouring_pages_only_where_there_are_some()
    {
        var first = Render<Pager>(p => p.Add(c => c.PageNumber, 1).Add(c => c.PageCount, 3).Add(c => c.Href, n => $"list?page={n}"));
        Assert.Equal(["list?page=2"], first.FindAll("a").Select(a => a.GetAttribute("href")));
        Assert.Contains("Page 1 of 3", first.Markup);
        var middle = Render<Pager>(p => p.Add(c => c.PageNumber, 2).Add(c => c.PageCount, 3).Add(c => c.Href, n => $"list?page={n}"));
        Assert.Equal(["list?page=1", "list?page=3"], middle.FindAll("a").Select(a => a.GetAttribute("href")));
        var single = Render<Pager>(p => p.Add(c => c.PageNumber, 1).Add(c => c.PageCount, 1).Add(c => c.Href, n => ""));
        Assert.Empty(single.FindAll("nav"));
    }

    [Fact]
    public void A_selected_facet_value_says_so_to_assistive_technology_and_links_to_its_removal()
    {
        var facet = Render<FacetGroup>(p => p
            .Add(c => c.Title, "Language")
            .Add(c => c.Values, [new FacetValue("de", null, 4), new FacetValue("en", null, 9)])
            .Add(c => c.Label, Format.Language)
            .Add(c => c.Selected, v => v == "de")
            .Add(c => c.Href, v => $"catalogue?language={v}"));
        var links = facet.FindAll("a");
        Assert.Equal("true", links[0].GetAttribute("aria-current"));
        Assert.Contains("German", links[0].TextContent);
        Assert.Contains("selected", links[0].TextContent);
        Assert.Null(links[1].GetAttribute("aria-current"));
        Assert.Contains("English", links[1].TextContent);
    }
}
