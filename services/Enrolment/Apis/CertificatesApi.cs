using System.Security.Claims;
using LmsPlatform.Contracts.Security;
using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Infrastructure;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace LmsPlatform.Enrolment.Apis;

public sealed record CertificateDto(Guid Id, Guid UserId, string HolderName, Guid CourseId, string ItemCode, string ItemTitle, int Version,
    DateTimeOffset CompletedAt, DateTimeOffset? ExpiresAt, DateTimeOffset IssuedAt, bool Expired, string VerificationUrl)
{
    public static CertificateDto From(Certificate c, DateTimeOffset now, CertificateLinks links) => new(
        c.Id, c.UserId, c.HolderName, c.CourseId, c.ItemCode, c.ItemTitle, c.Version, c.CompletedAt, c.ExpiresAt, c.IssuedAt, c.IsExpired(now),
        links.Verification(c.Id));
}

/// <summary>
/// What the public verification of a certificate reveals, and nothing else: whether it is genuine and valid, whose it
/// is (by name only; withheld once the person is erased), for what, when, until when, and who issued it.
/// </summary>
public sealed record CertificateVerification(Guid CertificateId, string Status, string? Holder, string Item, DateTimeOffset CompletedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset IssuedAt, string Issuer);

public sealed record CertificationDto(Guid Id, Guid UserId, string? LearnerName, Guid CourseId, string? CourseCode, string? CourseTitle, string Status,
    int Cycle, DateTimeOffset CertifiedAt, DateTimeOffset ExpiresAt, DateTimeOffset WindowOpensAt, Guid? RenewalCourseId, Guid? RenewalEnrolmentId);

public sealed record CertificationChangeDto(int Cycle, string Change, DateTimeOffset At, DateTimeOffset RecordedAt, DateTimeOffset ExpiresAt, Guid? EnrolmentId, string Detail);

public sealed record CertificationDetail(CertificationDto Certification, List<CertificationChangeDto> History);

/// <summary>
/// Certificates and certifications. A certificate's PDF and Open Badges credential are for its holder and for people
/// who may read enrolments; anyone else is told it does not exist. Its verification is public and says only what
/// <see cref="CertificateVerification"/> holds.
/// </summary>
public static class CertificatesApi
{
    public static IEndpointRouteBuilder MapCertificatesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/enrolment").WithTags("Certificates");
        api.MapGet("/me/certificates", MyCertificates).WithName("MyCertificates").WithSummary("The signed-in person's certificates, newest first");
        api.MapGet("/me/certifications", MyCertifications).WithName("MyCertifications").WithSummary("The signed-in person's certifications and when each expires");
        api.MapGet("/certificates", ListCertificates).WithName("ListCertificates").WithSummary("Certificates, paged; filter by person or course").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/certificates/{id:guid}/pdf", Pdf).WithName("CertificatePdf").WithSummary("The certificate as a PDF (its holder, or someone who may read enrolments)");
        api.MapGet("/certificates/{id:guid}/credential", Credential).WithName("CertificateCredential").WithSummary("The certificate as an Open Badges 3.0 credential (VC-JWT)");
        api.MapGet("/certificates/{id:guid}/verification", Verify).WithName("VerifyCertificate").WithSummary("Public: whether the certificate is genuine and valid").AllowAnonymous();
        api.MapGet("/issuer", Issuer).WithName("CredentialIssuer").WithSummary("Public: the issuer profile of the credentials").AllowAnonymous();
        api.MapGet("/issuer/jwks", KeySet).WithName("CredentialKeys").WithSummary("Public: the keys credentials are signed with (a JWK set)").AllowAnonymous();
        api.MapGet("/certifications", ListCertifications).WithName("ListCertifications").WithSummary("Certifications, paged; filter by person, course, status, expiring within N days").RequireAuthorization(Permissions.EnrolmentsRead);
        api.MapGet("/certifications/{id:guid}", GetCertification).WithName("GetCertification").WithSummary("A certification with the history of every cycle").RequireAuthorization(Permissions.EnrolmentsRead);
        return app;
    }

    public static async Task<Ok<List<CertificateDto>>> MyCertificates(ClaimsPrincipal user, EnrolmentDbContext db, CertificateLinks links, TimeProvider time, CancellationToken ct)
    {
        var me = EnrolmentActor.From(user).Id;
        var now = time.GetUtcNow();
        var certificates = await db.Certificates.AsNoTracking().Where(c => c.UserId == me).OrderByDescending(c => c.CompletedAt).Take(500).ToListAsync(ct);
        return TypedResults.Ok(certificates.Select(c => CertificateDto.From(c, now, links)).ToList());
    }

    public static async Task<Ok<List<CertificationDto>>> MyCertifications(ClaimsPrincipal user, EnrolmentDbContext db, CancellationToken ct)
    {
        var me = EnrolmentActor.From(user).Id;
        return TypedResults.Ok((await Certifications(db).Where(x => x.Certification.UserId == me).OrderBy(x => x.Certification.ExpiresAt)
            .ToListAsync(ct)).Select(x => x.Dto).ToList());
    }

    public static async Task<Results<Ok<Page<CertificateDto>>, ValidationProblem>> ListCertificates([AsParameters] PageRequest paging, Guid? userId, Guid? courseId,
        EnrolmentDbContext db, CertificateLinks links, TimeProvider time, CancellationToken ct)
    {
        if (paging.Validate() is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        var query = db.Certificates.AsNoTracking();
        if (userId is { } u) query = query.Where(c => c.UserId == u);
        if (courseId is { } c) query = query.Where(x => x.CourseId == c);
        var now = time.GetUtcNow();
        var page = await query.OrderByDescending(x => x.IssuedAt).ThenBy(x => x.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => CertificateDto.From(x, now, links)));
    }

    /// <summary>The certificate, when the caller is its holder or may read enrolments (null otherwise, as if it did not exist).</summary>
    private static async Task<Certificate?> VisibleAsync(Guid id, ClaimsPrincipal user, EnrolmentDbContext db, CancellationToken ct)
    {
        var certificate = await db.Certificates.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (certificate is null) return null;
        var mine = EnrolmentActor.From(user).Id == certificate.UserId;
        return mine || user.HasClaim(LmsClaims.Permission, Permissions.EnrolmentsRead) ? certificate : null;
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> Pdf(Guid id, ClaimsPrincipal user, EnrolmentDbContext db, CertificateLinks links,
        TimeProvider time, CancellationToken ct)
    {
        if (await VisibleAsync(id, user, db, ct) is not { } certificate) return TypedResults.NotFound();
        var pdf = CertificatePdf.Render(certificate, links.Organisation, links.Verification(certificate.Id), time.GetUtcNow(), links.FontFile);
        return TypedResults.File(pdf, "application/pdf", $"certificate-{certificate.ItemCode}-{certificate.CompletedAt:yyyy-MM-dd}.pdf");
    }

    public static async Task<Results<FileContentHttpResult, NotFound>> Credential(Guid id, ClaimsPrincipal user, EnrolmentDbContext db, CertificateLinks links,
        CredentialSigner signer, CancellationToken ct)
    {
        if (await VisibleAsync(id, user, db, ct) is not { } certificate) return TypedResults.NotFound();
        var holder = await db.Learners.AsNoTracking().FirstAsync(l => l.UserId == certificate.UserId, ct);
        if (holder.Erased) return TypedResults.NotFound();
        var jwt = await signer.SignAsync(OpenBadge.Credential(certificate, holder, links), ct);
        return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(jwt), "application/vc+jwt", $"badge-{certificate.ItemCode}-{certificate.CompletedAt:yyyy-MM-dd}.jwt");
    }

    public static async Task<Results<Ok<CertificateVerification>, NotFound>> Verify(Guid id, EnrolmentDbContext db, CertificateLinks links, TimeProvider time, CancellationToken ct)
    {
        var found = await db.Certificates.AsNoTracking().Where(c => c.Id == id)
            .Join(db.Learners.AsNoTracking(), c => c.UserId, l => l.UserId, (c, l) => new { Certificate = c, l.Erased }).FirstOrDefaultAsync(ct);
        if (found is null) return TypedResults.NotFound();
        var c = found.Certificate;
        var status = found.Erased ? "Withdrawn" : c.IsExpired(time.GetUtcNow()) ? "Expired" : "Valid";
        return TypedResults.Ok(new CertificateVerification(c.Id, status, found.Erased || c.HolderName.Length == 0 ? null : c.HolderName,
            $"{c.ItemTitle} ({c.ItemCode})", c.CompletedAt, c.ExpiresAt, c.IssuedAt, links.Organisation));
    }

    public static IResult Issuer(CertificateLinks links) => TypedResults.Json(new Dictionary<string, object>
    {
        ["@context"] = new[] { "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" },
        ["id"] = links.Issuer, ["type"] = new[] { "Profile" }, ["name"] = links.Organisation, ["url"] = links.PublicUrl,
    });

    public static async Task<ContentHttpResult> KeySet(CredentialSigner signer, CancellationToken ct) =>
        TypedResults.Text(await signer.KeySetAsync(ct), "application/jwk-set+json");

    public static async Task<Results<Ok<Page<CertificationDto>>, ValidationProblem>> ListCertifications([AsParameters] PageRequest paging, Guid? userId,
        Guid? courseId, string? status, int? expiringWithinDays, EnrolmentDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = paging.Validate();
        CertificationStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<CertificationStatus>(status, ignoreCase: true, out var parsed)) wanted = parsed;
            else errors["status"] = [$"must be one of {string.Join(", ", Enum.GetNames<CertificationStatus>())}"];
        }
        if (expiringWithinDays is < 0 or > 3650) errors["expiringWithinDays"] = ["must be between 0 and 3650"];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var query = Certifications(db);
        if (userId is { } u) query = query.Where(x => x.Certification.UserId == u);
        if (courseId is { } c) query = query.Where(x => x.Certification.CourseId == c);
        if (wanted is { } w) query = query.Where(x => x.Certification.Status == w);
        if (expiringWithinDays is { } days)
        {
            var until = time.GetUtcNow().AddDays(days);
            query = query.Where(x => x.Certification.Status != CertificationStatus.Expired && x.Certification.ExpiresAt <= until);
        }
        var page = await query.OrderBy(x => x.Certification.ExpiresAt).ThenBy(x => x.Certification.Id).ToPageAsync(paging, ct);
        return TypedResults.Ok(page.Map(x => x.Dto));
    }

    public static async Task<Results<Ok<CertificationDetail>, NotFound>> GetCertification(Guid id, EnrolmentDbContext db, CancellationToken ct)
    {
        var found = (await Certifications(db).Where(x => x.Certification.Id == id).FirstOrDefaultAsync(ct))?.Dto;
        if (found is null) return TypedResults.NotFound();
        var history = await db.CertificationChanges.AsNoTracking().Where(h => h.CertificationId == id).OrderBy(h => h.RecordedAt).ThenBy(h => h.Id)
            .Select(h => new CertificationChangeDto(h.Cycle, h.Change.ToString(), h.At, h.RecordedAt, h.ExpiresAt, h.EnrolmentId, h.Detail)).ToListAsync(ct);
        return TypedResults.Ok(new CertificationDetail(found, history));
    }

    private sealed class Row
    {
        public required Certification Certification { get; init; }
        public string? LearnerName { get; init; }
        public string? Code { get; init; }
        public string? Title { get; init; }

        public CertificationDto Dto => new(Certification.Id, Certification.UserId, LearnerName, Certification.CourseId, Code, Title,
            Certification.Status.ToString(), Certification.Cycle, Certification.CertifiedAt, Certification.ExpiresAt, Certification.WindowOpensAt,
            Certification.RenewalCourseId, Certification.RenewalEnrolmentId);
    }

    /// <summary>Certifications with the person's name and the course's code and title, as enrolment's copies have them.</summary>
    private static IQueryable<Row> Certifications(EnrolmentDbContext db) =>
        from c in db.Certifications.AsNoTracking()
        join l in db.Learners.AsNoTracking() on c.UserId equals l.UserId
        join course in db.Courses.AsNoTracking() on c.CourseId equals course.CourseId into courses
        from course in courses.DefaultIfEmpty()
        select new Row { Certification = c, LearnerName = l.DisplayName, Code = course.Code, Title = course.Title };
}
