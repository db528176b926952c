using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Model;
using UglyToad.PdfPig;

namespace LmsPlatform.UnitTests;

/// <summary>The certificate's PDF says who, what, when and until when, and where to verify it.</summary>
public class CertificatePdfTests
{
    [Fact]
    public void The_pdf_names_the_person_the_item_the_dates_and_the_verification_address()
    {
        var now = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        var enrolment = CourseEnrolment.Enrol(Guid.NewGuid(), Guid.NewGuid(), 3, EnrolmentSource.Manual(EnrolmentActor.Platform, null), null, EnrolmentActor.Platform, now.AddDays(-10));
        enrolment.Complete(now.AddDays(-2), EnrolmentActor.Platform, null, now.AddDays(-2));
        var completion = enrolment.TakeDomainEvents().OfType<LedgerEntry>().Last();
        var holder = new Learner { UserId = completion.UserId, DisplayName = "Zoë Ólafsdóttir", Email = "zoe@example.org" };
        var course = new CourseCopy { CourseId = completion.CourseId, Code = "FA-101", Title = "First aid at work", Version = 3, ValidityMonths = 24 };
        var certification = Certification.Earn(completion.UserId, completion.CourseId, completion.EnrolmentId, completion.At, CertificationTerms.Of(course)!, now);
        var certificate = Certificate.Issue(completion, holder, course, certification, now);

        var pdf = CertificatePdf.Render(certificate, "Acme Rail", $"https://lms.example.org/verify/{certificate.Id}", now);
        File.WriteAllBytes(Path.Combine(AppContext.BaseDirectory, "certificate-sample.pdf"), pdf);
        using var document = PdfDocument.Open(pdf);
        Assert.Equal(1, document.NumberOfPages);
        var text = string.Join(" ", document.GetPage(1).GetWords().Select(w => w.Text));
        foreach (var expected in new[] { "Acme Rail", "Zoë", "Ólafsdóttir", "First aid at work", "(FA-101)", "2 December 2026", "Valid until", "2 December 2028",
                     $"https://lms.example.org/verify/{certificate.Id}" })
            Assert.Contains(expected, text);
        Assert.True(document.GetPage(1).Width > document.GetPage(1).Height); // landscape
    }
}
