using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LmsPlatform.ServiceDefaults.Pdf;

/// <summary>
/// The font a PDF the platform writes is set in: the TrueType file configured, else DejaVu Sans when the machine has
/// it (any script it covers), else PDF's built-in Helvetica, which has Western European letters only, so other letters
/// print as '?' rather than failing the whole document.
/// </summary>
public sealed class PdfFont
{
    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]?> Files = new();

    private readonly bool _unicode;

    private PdfFont(PdfDocumentBuilder.AddedFont font, bool unicode) => (Font, _unicode) = (font, unicode);

    public PdfDocumentBuilder.AddedFont Font { get; }

    /// <summary>Adds the font to the document being built.</summary>
    public static PdfFont Add(PdfDocumentBuilder builder, string? configured = null)
    {
        var bytes = Files.GetOrAdd(configured ?? "", c =>
            (c.Length > 0 ? [c, .. FontFiles] : FontFiles).Where(File.Exists).Select(File.ReadAllBytes).FirstOrDefault());
        return bytes is null ? new(builder.AddStandard14Font(Standard14Font.Helvetica), unicode: false) : new(builder.AddTrueTypeFont(bytes), unicode: true);
    }

    /// <summary>The text as the font can print it (Helvetica's encoding has Latin-1's letters; anything else would fail the document).</summary>
    public string Printable(string text) =>
        _unicode ? text : new string([.. text.Select(ch => ch is >= ' ' and <= '~' or >= '\u00A0' and <= '\u00FF' ? ch : '?')]);

    /// <summary>How wide the text prints at the size, in points.</summary>
    public double Width(PdfPageBuilder page, string text, double size)
    {
        var letters = page.MeasureText(Printable(text), size, new PdfPoint(0, 0), Font);
        return letters.Count == 0 ? 0 : letters.Max(l => l.BoundingBox.Right) - letters.Min(l => l.BoundingBox.Left);
    }

    /// <summary>Writes the text with its left edge at <paramref name="x"/> and its baseline at <paramref name="y"/>.</summary>
    public void Write(PdfPageBuilder page, string text, double size, double x, double y) => page.AddText(Printable(text), size, new PdfPoint(x, y), Font);
}
