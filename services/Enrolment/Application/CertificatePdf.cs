using System.Globalization;
using LmsPlatform.Enrolment.Model;
using QRCoder;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// A certificate as a one-page landscape A4 PDF: the organisation, the person, the item, the completion date, the
/// expiry (when it certifies), the certificate's id and a QR code of its verification page. Text is set in the font
/// configured (<c>Certificates:FontFile</c>, a TrueType file), else DejaVu Sans when the machine has it (any script it
/// covers), else in PDF's built-in Helvetica, which has Western European letters only: others print as '?'.
/// </summary>
public static class CertificatePdf
{
    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    ];

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte[]?> Fonts = new();

    private static byte[]? FontBytes(string? configured) => Fonts.GetOrAdd(configured ?? "", c =>
        (c.Length > 0 ? [c, .. FontFiles] : FontFiles).Where(File.Exists).Select(File.ReadAllBytes).FirstOrDefault());

    public static byte[] Render(Certificate certificate, string organisation, string verificationUrl, DateTimeOffset now, string? fontFile = null)
    {
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Certificate {certificate.Id}";
        builder.DocumentInformation.Producer = "LmsPlatform";
        var trueType = FontBytes(fontFile);
        var font = trueType is { } bytes ? builder.AddTrueTypeFont(bytes) : builder.AddStandard14Font(Standard14Font.Helvetica);
        // Helvetica's encoding has Latin-1's letters; anything else would fail the whole document.
        string Printable(string text) => trueType is not null ? text : new string([.. text.Select(ch => ch is >= ' ' and <= '~' or >= '\u00A0' and <= '\u00FF' ? ch : '?')]);
        var page = builder.AddPage(PageSize.A4, isPortrait: false);
        var (width, height) = (page.PageSize.Width, page.PageSize.Height);

        page.SetStrokeColor(30, 64, 120);
        page.DrawRectangle(new PdfPoint(24, 24), width - 48, height - 48, 3);
        page.DrawRectangle(new PdfPoint(32, 32), width - 64, height - 64, 1);
        page.ResetColor();

        void Centred(string text, double size, double y)
        {
            text = Printable(text);
            var letters = page.MeasureText(text, size, new PdfPoint(0, 0), font);
            var textWidth = letters.Count == 0 ? 0 : letters.Max(l => l.BoundingBox.Right) - letters.Min(l => l.BoundingBox.Left);
            page.AddText(text, size, new PdfPoint((width - textWidth) / 2, y), font);
        }

        var culture = CultureInfo.InvariantCulture; // English month names (the services run in invariant-globalisation mode)
        Centred(organisation, 16, height - 90);
        Centred("Certificate of completion", 30, height - 150);
        Centred("This certifies that", 14, height - 195);
        Centred(certificate.HolderName.Length > 0 ? certificate.HolderName : "(name withheld)", 26, height - 235);
        Centred("has completed", 14, height - 270);
        Centred($"{certificate.ItemTitle} ({certificate.ItemCode})", 20, height - 305);
        Centred($"on {certificate.CompletedAt.UtcDateTime.ToString("d MMMM yyyy", culture)}", 14, height - 335);
        if (certificate.ExpiresAt is { } expires)
            Centred($"{(certificate.IsExpired(now) ? "Expired" : "Valid until")} {expires.UtcDateTime.ToString("d MMMM yyyy", culture)}", 14, height - 360);

        // The QR code of the verification page, drawn as squares (sharp at any size, no image to decode).
        using var qr = new QRCodeGenerator().CreateQrCode(verificationUrl, QRCodeGenerator.ECCLevel.M);
        var modules = qr.ModuleMatrix;
        var cell = 110.0 / modules.Count;
        page.SetTextAndFillColor(0, 0, 0);
        for (var row = 0; row < modules.Count; row++)
            for (var column = 0; column < modules[row].Count; column++)
                if (modules[row][column])
                    page.DrawRectangle(new PdfPoint(width - 170 + column * cell, 160 - (row + 1) * cell), cell, cell, 0, fill: true);
        page.ResetColor();
        page.AddText("Verify this certificate:", 9, new PdfPoint(60, 80), font);
        page.AddText(verificationUrl, 9, new PdfPoint(60, 66), font);
        page.AddText($"Certificate {certificate.Id}", 9, new PdfPoint(60, 52), font);
        return builder.Build();
    }
}
