using Ganss.Xss;
using Markdig;

namespace LmsPlatform.Catalogue.Application;

/// <summary>
/// Descriptions are stored as the author wrote them and rendered here, on the way out: Markdown to HTML with raw HTML
/// disabled, then sanitised, so neither a &lt;script&gt; nor a javascript: link survives into a page.
/// </summary>
public static class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UseAutoLinks().UsePipeTables().UseEmphasisExtras().Build();
    private static readonly HtmlSanitizer Sanitizer = new();

    public static string? ToSafeHtml(string? markdown) =>
        string.IsNullOrWhiteSpace(markdown) ? null : Sanitizer.Sanitize(Markdig.Markdown.ToHtml(markdown, Pipeline));
}
