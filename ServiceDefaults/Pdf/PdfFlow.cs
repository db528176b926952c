using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace LmsPlatform.ServiceDefaults.Pdf;

/// <summary>A column of a <see cref="PdfFlow"/> table: its heading, its width in points, and whether its figures align right.</summary>
public sealed record PdfColumn(string Title, double Width, bool Right = false);

/// <summary>
/// A document written top to bottom on A4 portrait pages: headings, lines, wrapped paragraphs and tables, each page
/// started when the last is full (a table's heading row repeated on it), and every page footed with the document's
/// name and "page i of n". For reports that must print: the audit pack.
/// </summary>
public sealed class PdfFlow
{
    private const double Margin = 50;
    private readonly PdfDocumentBuilder _builder;
    private readonly PdfFont _font;
    private readonly string _footer;
    private readonly List<PdfPageBuilder> _pages = [];
    private PdfPageBuilder _page = null!;
    private double _y;

    public PdfFlow(PdfDocumentBuilder builder, PdfFont font, string footer)
    {
        (_builder, _font, _footer) = (builder, font, footer);
        NewPage();
    }

    private double Width => _page.PageSize.Width - 2 * Margin;

    private void NewPage()
    {
        _page = _builder.AddPage(PageSize.A4);
        _pages.Add(_page);
        _y = _page.PageSize.Height - Margin;
    }

    /// <summary>Moves down by <paramref name="height"/>, on a new page if this one has less room than that.</summary>
    private void Advance(double height)
    {
        if (_y - height < Margin + 20) NewPage();
        _y -= height;
    }

    /// <summary>A heading, kept with the few lines after it.</summary>
    public void Heading(string text, double size = 14)
    {
        if (_y - size * 5 < Margin + 20) NewPage();
        else _y -= size * 0.8;
        Advance(size * 1.3);
        _font.Write(_page, text, size, Margin, _y);
    }

    public void Line(string text, double size = 10)
    {
        Advance(size * 1.45);
        _font.Write(_page, Fit(text, size, Width), size, Margin, _y);
    }

    /// <summary>Text wrapped at word boundaries to the page's width.</summary>
    public void Paragraph(string text, double size = 10)
    {
        var line = "";
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var longer = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && _font.Width(_page, longer, size) > Width)
            {
                Line(line, size);
                line = word;
            }
            else line = longer;
        }
        if (line.Length > 0) Line(line, size);
    }

    public void Space(double points = 6) => _y -= points;

    /// <summary>A table: a heading row (again on each new page), then a row per item, each cell cut to its column with an ellipsis.</summary>
    public void Table(IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<string>> rows, double size = 9)
    {
        var height = size * 1.6;
        void Row(IReadOnlyList<string> cells, bool heading)
        {
            var x = Margin;
            for (var i = 0; i < columns.Count; i++)
            {
                var text = Fit(cells[i], size, columns[i].Width - 6);
                var left = columns[i].Right ? x + columns[i].Width - 6 - _font.Width(_page, text, size) : x;
                _font.Write(_page, text, size, left, _y);
                x += columns[i].Width;
            }
            if (heading) _page.DrawLine(new PdfPoint(Margin, _y - 3), new PdfPoint(x, _y - 3), 0.6);
        }
        var titles = columns.Select(c => c.Title).ToList();
        Advance(height * 3);
        _y += height * 2;
        Row(titles, heading: true);
        var page = _page;
        foreach (var cells in rows)
        {
            Advance(height);
            if (_page != page)
            {
                // A new page: the heading row first.
                Row(titles, heading: true);
                _y -= height;
                page = _page;
            }
            Row(cells, heading: false);
        }
    }

    /// <summary>The text, cut with an ellipsis if it is wider than <paramref name="width"/>.</summary>
    private string Fit(string text, double size, double width)
    {
        // Most cells fit at a glance (no letter is wider than the size): measuring is for the long ones.
        if (text.Length * size * 0.62 <= width || _font.Width(_page, text, size) <= width) return text;
        var cut = text.Length;
        while (cut > 1 && _font.Width(_page, text[..cut] + "…", size) > width) cut = Math.Max(1, cut * 9 / 10);
        return text[..cut].TrimEnd() + "…";
    }

    /// <summary>Each page footed, and the document's bytes.</summary>
    public byte[] Build()
    {
        for (var i = 0; i < _pages.Count; i++)
            _font.Write(_pages[i], $"{_footer} · page {i + 1} of {_pages.Count}", 8, Margin, Margin - 20);
        return _builder.Build();
    }
}
