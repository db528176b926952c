using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Fluid;

namespace LmsPlatform.Notification.Model;

/// <summary>
/// An administrator's version of a type's template in one language. The newest version of a type and language is the
/// one sent; older ones stay, so what was sent when can be told.
/// </summary>
public sealed class TemplateVersion
{
    public Guid Id { get; set; }
    public required string Type { get; set; }
    public required string Language { get; set; }
    public int Version { get; set; }
    public required string Subject { get; set; }
    public required string Text { get; set; }
    /// <summary>An HTML body of the administrator's own; without one the HTML part is made from <see cref="Text"/>.</summary>
    public string? Html { get; set; }
    public Guid? EditedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>What a template is made of: a subject line, the plain text and optionally the HTML body (Liquid each).</summary>
public sealed record TemplateSource(string Subject, string Text, string? Html)
{
    public static TemplateSource Of(NotificationType type) => new(type.Subject, type.Text, null);
    public static TemplateSource Of(TemplateVersion version) => new(version.Subject, version.Text, version.Html);
}

/// <summary>A message ready to send: its subject, its text (the in-app body), and the email's text and HTML with the footer.</summary>
public sealed record RenderedMessage(string Subject, string Text, string EmailText, string Html);

/// <summary>
/// Templates in Liquid (Fluid), sandboxed: a template sees only the data it is given (dictionaries, no .NET members),
/// its loops and output are bounded, and includes are off. A template is checked when it is saved, against its type's
/// sample data with every variable and filter strict, so a typo is refused then, never found at send.
/// </summary>
public static partial class MessageTemplates
{
    public const string DefaultLanguage = "en";
    private const int MaxSubject = 200, MaxBody = 20_000;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Lenient = Options(strict: false);
    private static readonly TemplateOptions Strict = Options(strict: true);

    private static TemplateOptions Options(bool strict) => new TemplateOptionsBuilder()
        .WithStrictVariables(strict)
        .WithStrictFilters(strict)
        .WithMaxSteps(10_000)
        .WithMaxRecursion(8)
        .WithMaxOutputSize(100_000)
        .WithMaxCollectionSize(1_000)
        .Build();

    /// <summary>The problems of a template, per part (subject, text, html), in the words of the parser or renderer.</summary>
    public static Dictionary<string, string[]> Validate(NotificationType type, TemplateSource source)
    {
        var errors = new Dictionary<string, string[]>();
        Check(errors, "subject", source.Subject, required: true, MaxSubject, type.Sample, singleLine: true);
        Check(errors, "text", source.Text, required: true, MaxBody, type.Sample, singleLine: false);
        Check(errors, "html", source.Html, required: false, MaxBody, type.Sample, singleLine: false);
        return errors;
    }

    private static void Check(Dictionary<string, string[]> errors, string part, string? source, bool required, int max,
        IReadOnlyDictionary<string, object?> sample, bool singleLine)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            if (required) errors[part] = ["is required"];
            return;
        }
        if (source.Length > max) { errors[part] = [$"is longer than {max} characters"]; return; }
        if (singleLine && source.Contains('\n')) { errors[part] = ["must be one line"]; return; }
        if (!Parser.TryParse(source, out var template, out var error)) { errors[part] = [$"is not valid Liquid: {error}"]; return; }
        try
        {
            var output = template.Render(new TemplateContext(ToModel(sample), Strict));
            if (required && string.IsNullOrWhiteSpace(output)) errors[part] = ["renders empty with the sample data"];
        }
        catch (Exception ex) when (ex is InvalidOperationException or FluidException)
        {
            errors[part] = [$"does not render with the sample data: {ex.Message}"];
        }
    }

    /// <summary>
    /// Renders a checked template with a message's data. Text values are HTML-encoded in the HTML part; a value the
    /// data lacks renders empty (the template was checked against every variable its type has).
    /// </summary>
    public static RenderedMessage Render(TemplateSource source, IReadOnlyDictionary<string, object?> data, string language, Footer footer)
    {
        // A context per part, as the check at save has: what one part assigns does not leak into the next.
        var model = ToModel(data);
        var culture = Culture(language);
        TemplateContext Context() => new(model, Lenient) { CultureInfo = culture };
        var subject = OneLine(Parsed(source.Subject).Render(Context()));
        var text = Parsed(source.Text).Render(Context()).Trim();
        var body = source.Html is { Length: > 0 } html ? Parsed(html).Render(Context(), HtmlEncoder.Default) : TextToHtml(text);
        return new RenderedMessage(subject, text, text + footer.Text(), Layout(subject, body, footer));
    }

    /// <summary>
    /// A template parsed once and kept (parsing costs far more than rendering, and a reminder run renders the same few
    /// templates a hundred thousand times); a saved version is new source, so it is parsed anew.
    /// </summary>
    private static IFluidTemplate Parsed(string source)
    {
        if (ParsedTemplates.TryGetValue(source, out var template)) return template;
        if (ParsedTemplates.Count >= 1_000) ParsedTemplates.Clear();
        return ParsedTemplates[source] = Parser.Parse(source);
    }

    private static readonly ConcurrentDictionary<string, IFluidTemplate> ParsedTemplates = new(StringComparer.Ordinal);

    /// <summary>Nested dictionaries, which Fluid reads by key and nothing else.</summary>
    private static Dictionary<string, object?> ToModel(IReadOnlyDictionary<string, object?> data) =>
        data.ToDictionary(p => p.Key, p => p.Value is IReadOnlyDictionary<string, object?> nested ? ToModel(nested) : p.Value);

    /// <summary>
    /// The language's culture for numbers and dates. The services run in .NET's invariant globalization mode (no ICU in
    /// their images), where that is the invariant culture: dates are written with English month names in every language.
    /// </summary>
    public static CultureInfo Culture(string? language)
    {
        try { return CultureInfo.GetCultureInfo(language ?? DefaultLanguage); }
        catch (CultureNotFoundException) { return CultureInfo.InvariantCulture; }
    }

    private static string OneLine(string value) => WhiteSpace().Replace(value, " ").Trim();

    /// <summary>Paragraphs from blank lines, line breaks kept, links made clickable; everything else encoded.</summary>
    public static string TextToHtml(string text)
    {
        var html = new StringBuilder();
        foreach (var paragraph in text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var encoded = WebUtility.HtmlEncode(paragraph).Replace("\n", "<br>");
            html.Append("<p style=\"margin:0 0 16px\">").Append(Url().Replace(encoded, m => $"<a href=\"{m.Value}\" style=\"color:#0b4f9c\">{m.Value}</a>")).Append("</p>");
        }
        return html.ToString();
    }

    private static string Layout(string subject, string body, Footer footer) => $"""
        <!doctype html>
        <html lang="{WebUtility.HtmlEncode(footer.Language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{WebUtility.HtmlEncode(subject)}</title></head>
        <body style="margin:0;padding:24px;background:#f4f5f7;font:16px/1.5 Arial,Helvetica,sans-serif;color:#1b1b1b">
        <div style="max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-radius:6px">
        {body}
        </div>
        <p style="max-width:600px;margin:16px auto 0;font-size:13px;color:#4a4a4a">{footer.Html()}</p>
        </body></html>
        """;

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"https?://[^\s<>""]+")]
    private static partial Regex Url();
}

/// <summary>The lines under every message: why it came, and where to choose what comes.</summary>
public sealed record Footer(string Language, string Organisation, string PreferencesUrl, bool Mandatory)
{
    public string Text() => Mandatory
        ? $"\n\n--\n{Organisation} learning. This message is about your account and is always sent."
        : $"\n\n--\n{Organisation} learning. Choose which messages you get: {PreferencesUrl}";

    public string Html() => Mandatory
        ? $"{WebUtility.HtmlEncode(Organisation)} learning. This message is about your account and is always sent."
        : $"{WebUtility.HtmlEncode(Organisation)} learning. <a href=\"{WebUtility.HtmlEncode(PreferencesUrl)}\" style=\"color:#0b4f9c\">Choose which messages you get</a>.";
}
