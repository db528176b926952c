using LmsPlatform.Notification.Model;

namespace LmsPlatform.UnitTests;

public class MessageTemplatesTests
{
    private static readonly NotificationType Assigned = NotificationTypes.Get(NotificationTypes.Assigned);
    private static readonly Footer Footer = new("en", "Example Rail", "https://learning.example.com/settings/notifications", Mandatory: false);

    [Fact]
    public void Every_built_in_template_passes_its_own_check()
    {
        foreach (var type in NotificationTypes.All)
        {
            var errors = MessageTemplates.Validate(type, TemplateSource.Of(type));
            Assert.True(errors.Count == 0, $"{type.Key}: {string.Join("; ", errors.Select(e => $"{e.Key} {string.Join(" ", e.Value)}"))}");
        }
    }

    [Theory]
    [InlineData("Hello {{ person.given_name ", "subject", "not valid Liquid")]
    [InlineData("Hello {% if due_date %}", "subject", "not valid Liquid")]
    [InlineData("Hello {{ cours.title }}", "subject", "does not render")]
    [InlineData("Hello {{ course.titel }}", "subject", "does not render")]
    [InlineData("Hello {{ course.title | no_such_filter }}", "subject", "does not render")]
    [InlineData("", "subject", "is required")]
    [InlineData("Two\nlines", "subject", "one line")]
    public void A_broken_subject_is_refused_with_the_reason(string subject, string part, string reason)
    {
        var errors = MessageTemplates.Validate(Assigned, new TemplateSource(subject, Assigned.Text, null));
        Assert.Contains(reason, Assert.Single(errors[part]));
    }

    [Fact]
    public void A_broken_html_body_is_refused_but_none_is_fine()
    {
        Assert.Empty(MessageTemplates.Validate(Assigned, new TemplateSource(Assigned.Subject, Assigned.Text, null)));
        var errors = MessageTemplates.Validate(Assigned, new TemplateSource(Assigned.Subject, Assigned.Text, "<p>{% for x in %}</p>"));
        Assert.Contains("html", errors.Keys);
    }

    [Fact]
    public void A_template_that_loops_without_end_is_stopped_and_refused()
    {
        var errors = MessageTemplates.Validate(Assigned, new TemplateSource(Assigned.Subject,
            "{% for i in (1..1000000) %}{% for j in (1..1000000) %}x{% endfor %}{% endfor %}", null));
        Assert.Contains("text", errors.Keys);
    }

    [Fact]
    public void A_template_reaches_no_dotnet_member_of_its_data()
    {
        // Only dictionary keys are readable: a value's .NET properties (here a string's Length) are not exposed as members.
        var rendered = MessageTemplates.Render(new TemplateSource("{{ course.title.Length }}x", "t", null),
            new Dictionary<string, object?> { ["course"] = new Dictionary<string, object?> { ["title"] = "abc" } }, "en", Footer);
        Assert.Equal("x", rendered.Subject);
    }

    [Fact]
    public void Rendering_encodes_values_in_html_but_not_in_text_and_adds_the_footer()
    {
        var data = new Dictionary<string, object?>(Assigned.Sample)
        {
            ["course"] = new Dictionary<string, object?> { ["title"] = "<b>Safety & you</b>", ["code"] = "S", ["link"] = "https://x.example/c" },
            ["due_date"] = null,
        };
        var rendered = MessageTemplates.Render(TemplateSource.Of(Assigned), data, "en", Footer);
        Assert.Equal("New learning: <b>Safety & you</b>", rendered.Subject);
        Assert.Contains("You have been assigned <b>Safety & you</b>.", rendered.Text);
        Assert.DoesNotContain("complete it by", rendered.Text); // no due date, no sentence about one
        Assert.Contains("&lt;b&gt;Safety &amp; you&lt;/b&gt;", rendered.Html);
        Assert.DoesNotContain("<b>Safety", rendered.Html);
        Assert.Contains("<a href=\"https://x.example/c\"", rendered.Html);
        Assert.EndsWith("Choose which messages you get: https://learning.example.com/settings/notifications", rendered.EmailText);
        Assert.DoesNotContain("Choose which messages", rendered.Text);
    }

    [Fact]
    public void An_administrators_html_body_is_used_with_values_encoded()
    {
        var rendered = MessageTemplates.Render(new TemplateSource("S", "T", "<h1>{{ course.title }}</h1>"),
            new Dictionary<string, object?> { ["course"] = new Dictionary<string, object?> { ["title"] = "A<B" } }, "en", Footer);
        Assert.Contains("<h1>A&lt;B</h1>", rendered.Html);
    }

    [Fact]
    public void A_mandatory_message_says_it_is_always_sent_instead_of_offering_a_choice()
    {
        var invitation = NotificationTypes.Get(NotificationTypes.Invitation);
        var rendered = MessageTemplates.Render(TemplateSource.Of(invitation), new Dictionary<string, object?>(invitation.Sample), "en",
            Footer with { Mandatory = true });
        Assert.Contains("always sent", rendered.EmailText);
        Assert.DoesNotContain("Choose which", rendered.Html);
    }
}
