using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.UnitTests;

/// <summary>A certification's cycles: when the window opens, what a renewal runs from, and what every change records.</summary>
public class CertificationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 15, 10, 0, 0, TimeSpan.Zero);
    private static readonly CertificationTerms Yearly = new(12, 30);

    [Fact]
    public void A_completion_certifies_until_the_validity_ends_and_the_window_opens_the_given_days_before()
    {
        var certification = Certification.Earn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), T0, Yearly, T0.AddDays(1));
        Assert.Equal((CertificationStatus.Certified, 1, T0.AddMonths(12), T0.AddMonths(12).AddDays(-30)),
            (certification.Status, certification.Cycle, certification.ExpiresAt, certification.WindowOpensAt));
        Assert.False(certification.WindowDue(T0.AddMonths(11)));
        Assert.True(certification.WindowDue(T0.AddMonths(12).AddDays(-30)));
        // No window days: the window opens at the expiry.
        Assert.Equal(T0.AddMonths(6), Certification.Earn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), T0, new(6, 0), T0).WindowOpensAt);
    }

    [Fact]
    public void Renewing_inside_the_window_runs_from_the_old_expiry_and_after_the_expiry_from_the_completion()
    {
        var (refresher, renewal) = (Guid.NewGuid(), Guid.NewGuid());
        var early = Certification.Earn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), T0, Yearly, T0);
        early.OpenWindow(refresher, renewal, "assigned", T0.AddMonths(12).AddDays(-30));
        Assert.True(early.RenewedBy(refresher));
        Assert.True(early.Renew(renewal, T0.AddMonths(12).AddDays(-20), Yearly, T0.AddMonths(12).AddDays(-20)));
        Assert.Equal((CertificationStatus.Certified, 2, T0.AddMonths(24)), (early.Status, early.Cycle, early.ExpiresAt));
        Assert.False(early.RenewedBy(refresher)); // the next window assigns afresh

        var late = Certification.Earn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), T0, Yearly, T0);
        late.OpenWindow(refresher, renewal, "assigned", T0.AddMonths(12).AddDays(-30));
        late.Expire(T0.AddMonths(12));
        var completed = T0.AddMonths(13);
        Assert.True(late.Renew(renewal, completed, Yearly, completed));
        Assert.Equal((CertificationStatus.Certified, completed.AddMonths(12)), (late.Status, late.ExpiresAt));
    }

    [Fact]
    public void A_stale_completion_renews_nothing_and_every_change_is_a_history_row_and_an_event()
    {
        var certification = Certification.Earn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), T0, Yearly, T0);
        Assert.False(certification.Renew(Guid.NewGuid(), T0, Yearly, T0.AddDays(1)));
        Assert.False(certification.Renew(Guid.NewGuid(), T0.AddDays(-3), Yearly, T0.AddDays(1)));
        certification.OpenWindow(certification.CourseId, null, "Not assigned", T0.AddMonths(11));
        Assert.Throws<DomainRuleException>(() => certification.OpenWindow(certification.CourseId, null, "again", T0.AddMonths(11)));
        certification.Expire(T0.AddMonths(12));
        certification.Expire(T0.AddMonths(12).AddDays(1)); // once

        var events = certification.TakeDomainEvents();
        Assert.Equal([CertificationChangeKind.Certified, CertificationChangeKind.WindowOpened, CertificationChangeKind.Expired],
            events.OfType<CertificationChange>().Select(c => c.Change));
        Assert.Equal([typeof(CertificationAchieved), typeof(CertificationWindowOpened), typeof(CertificationExpired)],
            events.Where(e => e is not CertificationChange).Select(e => e.GetType()));
    }

    [Fact]
    public void A_bulk_saves_announcements_fold_into_rows_of_many_ids_in_order_and_by_source()
    {
        var ids = Enumerable.Range(0, Announcement.MostRows + 3).Select(_ => Guid.NewGuid()).ToList();
        var one = new Announcement { Source = AnnouncementSource.Membership, RowIds = [Guid.NewGuid()] };
        var folded = Announcement.Fold([.. ids.Select(id => new Announcement { Source = AnnouncementSource.Ledger, RowIds = [id] }), one]).ToList();
        Assert.Equal([(AnnouncementSource.Ledger, Announcement.MostRows), (AnnouncementSource.Ledger, 3), (AnnouncementSource.Membership, 1)],
            folded.Select(a => (a.Source, a.RowIds.Length)));
        Assert.Equal(ids, folded.Take(2).SelectMany(a => a.RowIds));
    }

    [Fact]
    public void Every_ledger_entry_but_an_expiry_announces_itself_with_its_number()
    {
        var admin = new EnrolmentActor(Guid.NewGuid(), "Ada");
        var enrolment = CourseEnrolment.Enrol(Guid.NewGuid(), Guid.NewGuid(), 2, EnrolmentSource.Manual(admin, null), T0.AddDays(10), admin, T0);
        enrolment.Start(T0.AddDays(1), admin, T0.AddDays(1));
        enrolment.Complete(T0.AddDays(2), admin, null, T0.AddDays(2));
        enrolment.RecordExpiry(EnrolmentActor.Platform, "expired", T0.AddDays(400), T0.AddDays(400));
        var entries = enrolment.TakeDomainEvents().OfType<LedgerEntry>().ToList();
        var announced = entries.Select(e => e.ToIntegrationEvent()).ToList();
        Assert.IsType<Enrolled>(announced[0]);
        Assert.Equal(("Manual", 2, 1), (((Enrolled)announced[0]!).Source, ((Enrolled)announced[0]!).Version, ((Enrolled)announced[0]!).Sequence));
        Assert.Equal(("InProgress", 2), (((ProgressRecorded)announced[1]!).Status, ((ProgressRecorded)announced[1]!).Sequence));
        Assert.False(((EnrolmentCompleted)announced[2]!).Waived);
        Assert.Null(announced[3]);
        // The expiry is on record without moving the state.
        Assert.Equal(EnrolmentStatus.Completed, CourseEnrolment.Replay(entries).Status);
    }
}
