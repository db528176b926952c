using System.Globalization;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Pdf;
using QRCoder;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Writer;

namespace LmsPlatform.Enrolment.Application;

/// <summary>
/// A certificate as a one-page landscape A4 PDF: the organisation, the person, the item, the completion date, the
/// expiry (when it certifies), the certificate's id and a QR code of its verification page. Text is set in the font
/// configured (<c>Certificates:FontFile</c>, a TrueType file), or the platform's default (<see cref="PdfFont"/>).
/// </summary>
public static class CertificatePdf
{
    public static byte[] Render(Certificate certificate, string organisation, string verificationUrl, DateTimeOffset now, string? fontFile = null)
    {
        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Certificate {certificate.Id}";
        builder.DocumentInformation.Producer = "LmsPlatform";
        var font = PdfFont.Add(builder, fontFile);
        var page = builder.AddPage(PageSize.A4, isPortrait: false);
        var (width, height) = (page.PageSize.Width, page.PageSize.Height);

        page.SetStrokeColor(30, 64, 120);
        page.DrawRectangle(new PdfPoint(24, 24), width - 48, height - 48, 3);
        page.DrawRectangle(new PdfPoint(32, 32), width - 64, height - 64, 1);
        page.ResetColor();

        void Centred(string text, double size, double y) => font.Write(page, text, size, (width - font.Width(page, text, size)) / 2, y);

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
        font.Write(page, "Verify this certificate:", 9, 60, 80);
        font.Write(page, verificationUrl, 9, 60, 66);
        font.Write(page, $"Certificate {certificate.Id}", 9, 60, 52);
        return builder.Build();
    }
}
