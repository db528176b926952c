using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.Enrolment.Model;

public enum CertificationStatus { Certified, WindowOpen, Expired }

public enum CertificationChangeKind { Certified, Renewed, WindowOpened, Expired }

/// <summary>
/// A course's certification terms, from its compliance settings: a completion is valid for <see cref="ValidityMonths"/>,
/// and the renewal window opens <see cref="WindowDays"/> before the expiry (at the expiry when none).
/// </summary>
public sealed record CertificationTerms(int ValidityMonths, int WindowDays)
{
    public static CertificationTerms? Of(CourseCopy course) =>
        course.ValidityMonths is { } months ? new(months, course.RecertificationWindowDays ?? 0) : null;

    public DateTimeOffset WindowOpens(DateTimeOffset expiresAt) => expiresAt.AddDays(-WindowDays);
}

/// <summary>
/// A person's certification on a course that certifies (its compliance settings give a validity), cycle after cycle.
/// Completing the course certifies the person until the expiry; the renewal window opens before it, when the
/// refresher (or the course again) is assigned, due at the expiry; completing it renews the certification. A renewal
/// inside the window runs from the old expiry, so renewing early costs nothing; a renewal after the expiry runs from
/// the completion. Unrenewed at the expiry, it expires, and the renewal assignment is overdue from the same clock.
/// Every change is a <see cref="CertificationChange"/> row, the history of every cycle.
/// </summary>
public sealed class Certification : Aggregate
{
    private Certification() { }

    public Guid Id { get; private set; }
    public Guid UserId { get; private set; }
    public Guid CourseId { get; private set; }
    public int Cycle { get; private set; }
    public CertificationStatus Status { get; private set; }
    /// <summary>When the completion that earned the current cycle happened.</summary>
    public DateTimeOffset CertifiedAt { get; private set; }
    public DateTimeOffset ExpiresAt { get; private set; }
    public DateTimeOffset WindowOpensAt { get; private set; }
    /// <summary>The enrolment whose completion earned the current cycle.</summary>
    public Guid EnrolmentId { get; private set; }
    /// <summary>What renews it in the open window: the course assigned and that assignment.</summary>
    public Guid? RenewalCourseId { get; private set; }
    public Guid? RenewalEnrolmentId { get; private set; }

    public static Certification Earn(Guid userId, Guid courseId, Guid enrolmentId, DateTimeOffset completedAt, CertificationTerms terms, DateTimeOffset now)
    {
        var certification = new Certification { Id = Guid.CreateVersion7(now), UserId = userId, CourseId = courseId };
        certification.StartCycle(CertificationChangeKind.Certified, enrolmentId, completedAt, completedAt.AddMonths(terms.ValidityMonths), terms, now);
        return certification;
    }

    /// <summary>
    /// A completion of the course (or of the refresher): renews unless it is not newer than the one that earned the
    /// current cycle (a late or repeated message). Inside the window the new cycle runs from the old expiry.
    /// </summary>
    public bool Renew(Guid enrolmentId, DateTimeOffset completedAt, CertificationTerms terms, DateTimeOffset now)
    {
        if (completedAt <= CertifiedAt) return false;
        var from = Status == CertificationStatus.WindowOpen && completedAt <= ExpiresAt ? ExpiresAt : completedAt;
        StartCycle(CertificationChangeKind.Renewed, enrolmentId, completedAt, from.AddMonths(terms.ValidityMonths), terms, now);
        return true;
    }

    public bool WindowDue(DateTimeOffset now) => Status == CertificationStatus.Certified && WindowOpensAt <= now;

    public bool ExpiryDue(DateTimeOffset now) => Status != CertificationStatus.Expired && ExpiresAt <= now;

    /// <summary>The window opened: <paramref name="courseId"/> is assigned for the renewal (<paramref name="enrolmentId"/>, none when the person could not be assigned).</summary>
    public void OpenWindow(Guid courseId, Guid? enrolmentId, string detail, DateTimeOffset now)
    {
        if (Status != CertificationStatus.Certified) throw new DomainRuleException("status", "The recertification window is open already.");
        (Status, RenewalCourseId, RenewalEnrolmentId) = (CertificationStatus.WindowOpen, courseId, enrolmentId);
        Change(CertificationChangeKind.WindowOpened, WindowOpensAt, enrolmentId, detail, now);
        Record(new CertificationWindowOpened(Id, UserId, CourseId, Cycle, ExpiresAt, courseId, enrolmentId, now));
    }

    public void Expire(DateTimeOffset now)
    {
        if (Status == CertificationStatus.Expired) return;
        Status = CertificationStatus.Expired;
        Change(CertificationChangeKind.Expired, ExpiresAt, RenewalEnrolmentId, $"Not renewed by {ExpiresAt:yyyy-MM-dd}", now);
        Record(new CertificationExpired(Id, UserId, CourseId, Cycle, ExpiresAt, now));
    }

    /// <summary>Whether a completion of <paramref name="courseId"/> renews this certification: the course itself or the renewal course assigned.</summary>
    public bool RenewedBy(Guid courseId) => courseId == CourseId || courseId == RenewalCourseId;

    private void StartCycle(CertificationChangeKind kind, Guid enrolmentId, DateTimeOffset completedAt, DateTimeOffset expiresAt, CertificationTerms terms, DateTimeOffset now)
    {
        Cycle++;
        (Status, CertifiedAt, ExpiresAt, WindowOpensAt, EnrolmentId, RenewalCourseId, RenewalEnrolmentId) =
            (CertificationStatus.Certified, completedAt, expiresAt, terms.WindowOpens(expiresAt), enrolmentId, null, null);
        Change(kind, completedAt, enrolmentId, $"Valid until {expiresAt:yyyy-MM-dd}", now);
        Record(new CertificationAchieved(Id, UserId, CourseId, Cycle, completedAt, expiresAt, now));
        // Expired at once (a migrated completion older than the validity): the clock catches up on the next round.
    }

    private void Change(CertificationChangeKind kind, DateTimeOffset at, Guid? enrolmentId, string detail, DateTimeOffset now) => Record(new CertificationChange
    {
        Id = Guid.CreateVersion7(now), CertificationId = Id, UserId = UserId, CourseId = CourseId, Cycle = Cycle, Change = kind, At = at, RecordedAt = now,
        ExpiresAt = ExpiresAt, EnrolmentId = enrolmentId, Detail = detail,
    });
}

/// <summary>One change of a certification: append-only, the history of every cycle.</summary>
public sealed record CertificationChange
{
    public Guid Id { get; init; }
    public Guid CertificationId { get; init; }
    public Guid UserId { get; init; }
    public Guid CourseId { get; init; }
    public int Cycle { get; init; }
    public CertificationChangeKind Change { get; init; }
    /// <summary>When it took effect (a completion's date, the window's opening, the expiry).</summary>
    public DateTimeOffset At { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public Guid? EnrolmentId { get; init; }
    public string Detail { get; init; } = "";
}

/// <summary>
/// A completion still to be followed up (its certificate, the certification it earns or renews): written with the
/// completion's ledger entry, in the same transaction, and claimed by <c>CertificationWorker</c>.
/// </summary>
public sealed class CompletionPending
{
    public long Id { get; set; }
    public Guid EnrolmentId { get; set; }
    public int Sequence { get; set; }
}

/// <summary>An open enrolment's due date that has been announced as passed (once per due date).</summary>
public sealed class OverdueNotice
{
    public Guid EnrolmentId { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public DateTimeOffset AnnouncedAt { get; set; }
}

public enum AnnouncementSource { Ledger, Membership }

/// <summary>
/// A ledger entry or membership change still to be announced to other services: a small row written with the entry
/// in the same transaction, claimed by the relay in <c>FollowUps</c>, which writes the integration event into the
/// outbox. An assignment of 100,000 people writes 100,000 of these (a number and an id) rather than 100,000 outbox
/// rows (a JSON payload and four indexes) inside its own transaction, folded into rows of up to 5,000 ids by a bulk
/// save; the events follow within seconds.
/// </summary>
public sealed class Announcement
{
    public const int MostRows = 5000;

    public long Id { get; set; }
    public AnnouncementSource Source { get; set; }
    /// <summary>The ledger entries or membership changes to announce, in the order they were written.</summary>
    public Guid[] RowIds { get; set; } = [];

    /// <summary>Announcements of one source folded into rows of up to <see cref="MostRows"/> ids, in order.</summary>
    public static IEnumerable<Announcement> Fold(IEnumerable<Announcement> announcements) =>
        announcements.GroupBy(a => a.Source)
            .SelectMany(g => g.SelectMany(a => a.RowIds).Chunk(MostRows).Select(ids => new Announcement { Source = g.Key, RowIds = ids }));
}
