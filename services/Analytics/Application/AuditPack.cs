using System.Globalization;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Pdf;
using UglyToad.PdfPig.Writer;

namespace LmsPlatform.Analytics.Application;

/// <summary>What the audit pack prints: the compliance report of one org unit (or everyone) as of a date, and who asked for it.</summary>
public sealed record AuditPackContent(string Scope, DateTimeOffset AsOf, bool CurrentFigures, DateTimeOffset GeneratedAt, string GeneratedBy,
    MetricRow Total, IReadOnlyList<MetricRow> Courses, long People, long CompliantPeople, IReadOnlyList<CertificationRow> Certifications,
    IReadOnlyList<OverdueRow> Overdue, long OverdueTotal);

/// <summary>
/// The compliance audit pack as a PDF: for an auditor who asks what a department's position was on a date. It holds the
/// compliance report's figures (the same rows as the page and the CSV), the certifications held and expiring, the
/// overdue assignments by name, and the definition of every figure printed with it, so the document stands alone.
/// </summary>
public static class AuditPack
{
    /// <summary>Overdue assignments listed by name; beyond these the pack says how many more the overdue export holds.</summary>
    public const int MaxOverdueRows = 2_000;

    public static readonly IReadOnlyList<MetricDefinition> Definitions =
        [Metrics.Population, Metrics.Required, Metrics.Compliant, Metrics.ComplianceRate, Metrics.Overdue, Metrics.Certified, Metrics.CertificationExpiring];

    public static byte[] Render(AuditPackContent pack)
    {
        var culture = CultureInfo.InvariantCulture;
        string Date(DateTimeOffset at) => at.UtcDateTime.ToString("d MMMM yyyy, HH:mm 'UTC'", culture);
        string Number(long n) => n.ToString("N0", culture);
        string Rate(double? rate) => rate is { } r ? (r * 100).ToString("0.0", culture) + "%" : "—";

        using var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = $"Compliance audit pack: {pack.Scope}, as of {Date(pack.AsOf)}";
        builder.DocumentInformation.Producer = "LmsPlatform";
        var flow = new PdfFlow(builder, PdfFont.Add(builder), $"Compliance audit pack · {pack.Scope} · as of {Date(pack.AsOf)}");

        flow.Heading("Compliance audit pack", 20);
        flow.Line(pack.Scope, 13);
        flow.Line($"As of {Date(pack.AsOf)}" + (pack.CurrentFigures ? " (the current figures)" : ""), 11);
        flow.Line($"Generated {Date(pack.GeneratedAt)} by {pack.GeneratedBy}", 9);

        flow.Heading("Summary");
        flow.Line($"People with required training: {Number(pack.People)}; compliant: {Number(pack.CompliantPeople)} ({Rate(Metrics.Rate(pack.CompliantPeople, pack.People))}).");
        flow.Line($"Required assignments: {Number(pack.Total.Required)}; compliant: {Number(pack.Total.Compliant)} ({Rate(pack.Total.ComplianceRate)}); overdue: {Number(pack.Total.Overdue)}.");

        flow.Heading("Required training by course");
        PdfColumn[] byCourse = [new("Course", 235), new("Required", 65, true), new("Compliant", 65, true), new("Overdue", 65, true), new("Rate", 65, true)];
        flow.Table(byCourse, pack.Courses.Where(c => c.Required > 0).Append(pack.Total)
            .Select(c => (IReadOnlyList<string>)[c.Name, Number(c.Required), Number(c.Compliant), Number(c.Overdue), Rate(c.ComplianceRate)]));

        flow.Heading("Certifications held and expiring");
        if (pack.Certifications.Count == 0) flow.Line("No certification is held in this scope on that date.");
        else
            flow.Table([new("Course", 235), new("Certified", 65, true), new("30 days", 65, true), new("60 days", 65, true), new("90 days", 65, true)],
                pack.Certifications.Select(c => (IReadOnlyList<string>)[c.Course, Number(c.Certified), Number(c.Expiring30), Number(c.Expiring60), Number(c.Expiring90)]));

        flow.Heading("Overdue assignments");
        if (pack.OverdueTotal == 0) flow.Line("None.");
        else
        {
            flow.Table([new("Person", 145), new("Org unit", 105), new("Course", 150), new("Due", 60), new("Days", 35, true)],
                pack.Overdue.Select(o => (IReadOnlyList<string>)[o.Person, o.OrgUnit ?? "—", o.Course, o.DueAt.UtcDateTime.ToString("yyyy-MM-dd", culture),
                    o.DaysOverdue.ToString(culture)]));
            if (pack.OverdueTotal > pack.Overdue.Count)
                flow.Paragraph($"…and {Number(pack.OverdueTotal - pack.Overdue.Count)} more; the overdue export (CSV or Excel) with the same filters lists every one.");
        }

        flow.Heading("What the figures count");
        foreach (var definition in Definitions)
        {
            flow.Line(definition.Name, 10);
            flow.Paragraph(definition.Definition, 9);
            flow.Space(3);
        }
        return flow.Build();
    }
}
