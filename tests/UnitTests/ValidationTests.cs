using LmsPlatform.Catalogue.Application;
using LmsPlatform.ContentDelivery.Apis;
using LmsPlatform.Enrolment.Apis;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Http;

namespace LmsPlatform.UnitTests;

public class ValidationTests
{
    [Fact]
    public void A_complete_user_is_valid()
    {
        Assert.Empty(new UserInput("ann@example.com", "Ann", "Lee", "E-1").Validate().ToDictionary());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-an-email")]
    [InlineData("ann@localhost")]
    [InlineData("ann lee@example.com")]
    [InlineData("Ann <ann@example.com>")]
    public void A_bad_email_is_a_field_error(string? email)
    {
        var errors = new UserInput(email, "Ann", "Lee", null).Validate().ToDictionary();
        Assert.Equal(["email"], errors.Keys);
    }

    [Fact]
    public void Every_missing_field_is_reported_at_once()
    {
        var errors = new UserInput(null, " ", null, new string('x', 65)).Validate().ToDictionary();
        Assert.Equal(new[] { "email", "externalId", "familyName", "givenName" }, errors.Keys.Order());
    }

    [Fact]
    public void Overlong_names_are_refused()
    {
        var errors = new UserInput("a@b.org", new string('a', 101), "Lee", null).Validate().ToDictionary();
        Assert.Equal("must be at most 100 characters", Assert.Single(errors["givenName"]));
    }

    [Theory]
    [InlineData(0, 20, "page")]
    [InlineData(1, 0, "pageSize")]
    [InlineData(1, 201, "pageSize")]
    public void Paging_outside_its_bounds_is_refused(int page, int size, string field)
    {
        Assert.Equal([field], new PageRequest(page, size).Validate().Keys);
    }

    [Fact]
    public void Paging_defaults_to_the_first_page_of_twenty()
    {
        var paging = new PageRequest(null, null);
        Assert.Empty(paging.Validate());
        Assert.Equal((1, 20), (paging.PageNumber, paging.Size));
    }

    [Theory]
    [InlineData("SEC-101", true)]
    [InlineData("sec_101.v2", true)]
    [InlineData("SEC 101", false)]
    [InlineData("<script>", false)]
    public void Course_codes_are_restricted_to_safe_characters(string code, bool valid)
    {
        var errors = new CreateCourseRequest(code, null, null, new CourseDraftRequest { Title = "Security basics" }).Validate();
        Assert.Equal(valid, !errors.ContainsKey("code"));
    }

    [Fact]
    public void A_due_date_in_the_past_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        var errors = new CreateEnrolmentRequest(Guid.NewGuid(), Guid.NewGuid(), now.AddDays(-1), null).Validate(now);
        Assert.Equal(["dueAt"], errors.Keys);
    }

    [Fact]
    public void An_enrolment_needs_a_user_and_a_course()
    {
        var errors = new CreateEnrolmentRequest(Guid.Empty, null, null, null).Validate(DateTimeOffset.UtcNow);
        Assert.Equal(new[] { "courseId", "userId" }, errors.Keys.Order());
    }

    [Theory]
    [InlineData("Link", "https://example.org/x", true)]
    [InlineData("link", "javascript:alert(1)", false)]
    [InlineData("Link", null, false)]
    [InlineData("Scorm12", null, true)]
    [InlineData("Spreadsheet", null, false)]
    [InlineData("99", null, false)]
    public void Content_kinds_and_link_urls_are_checked(string kind, string? url, bool valid)
    {
        Assert.Equal(valid, new CreateContentItemRequest("Intro", kind, url).Validate().Count == 0);
    }
}
