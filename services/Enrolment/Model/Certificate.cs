using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Enrolment.Model;

/// <summary>
/// The certificate of one completion: who, what, when, until when (when the completion certifies). Its id is random
/// (not time-ordered), so knowing one certificate says nothing about another; the verification page and the QR code
/// name it. The name and titles are kept as they were on the day (a course renamed later does not change a
/// certificate); a person erased since has the name withheld.
/// </summary>
public sealed class Certificate : Aggregate
{
    private Certificate() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public Guid EnrolmentId { get; private set; }
    public Guid CourseId { get; private set; }
    public Guid? CertificationId { get; private set; }
    public string HolderName { get; private set; } = "";
    public string ItemCode { get; private set; } = "";
    public string ItemTitle { get; private set; } = "";
    public int Version { get; private set; }
    public DateTimeOffset CompletedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset IssuedAt { get; private set; }

    /// <summary>The certificate of a completion (its ledger entry), with the expiry of the certification it earned or renewed, if any.</summary>
    public static Certificate Issue(LedgerEntry completion, Learner holder, CourseCopy course, Certification? certification, DateTimeOffset now)
    {
        if (completion.Action != LedgerAction.Completed) throw new DomainRuleException("status", "A certificate is issued for a completion.");
        var certificate = new Certificate
        {
            Id = Guid.NewGuid(), UserId = completion.UserId, EnrolmentId = completion.EnrolmentId, CourseId = completion.CourseId,
            CertificationId = certification?.Id, HolderName = holder.DisplayName, ItemCode = course.Code, ItemTitle = course.Title,
            Version = completion.Version ?? course.Version, CompletedAt = completion.At, ExpiresAt = certification?.ExpiresAt, IssuedAt = now,
        };
        certificate.Record(new CertificateIssued(certificate.Id, certificate.UserId, certificate.CourseId, certificate.EnrolmentId, certificate.CompletedAt,
            certificate.ExpiresAt, now));
        return certificate;
    }

    /// <summary>Valid, or expired once the certification it records has run out.</summary>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;
}

/// <summary>The key credentials are signed with; the private half is protected at rest (see <c>CredentialSigner</c>).</summary>
public sealed class SigningKey
{
    public string KeyId { get; set; } = "";
    public string ProtectedPrivateKey { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
