using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;

namespace LmsPlatform.UnitTests;

/// <summary>The enrolment's rules and its ledger: every change is an entry, and the state is the fold of the entries.</summary>
public class CourseEnrolmentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly EnrolmentActor Admin = new(Guid.NewGuid(), "Ada Admin");

    private static (CourseEnrolment Enrolment, List<LedgerEntry> Ledger) Enrolled(DateTimeOffset? dueAt = null)
    {
        var enrolment = CourseEnrolment.Enrol(Guid.NewGuid(), Guid.NewGuid(), 3, EnrolmentSource.Manual(Admin, "new starter"), dueAt, Admin, T0);
        var ledger = new List<LedgerEntry>();
        Collect(enrolment, ledger);
        return (enrolment, ledger);
    }

    private static void Collect(CourseEnrolment enrolment, List<LedgerEntry> ledger) => ledger.AddRange(enrolment.TakeDomainEvents().OfType<LedgerEntry>());

    private static void AssertSameState(CourseEnrolment expected, CourseEnrolment actual) =>
        Assert.Equal(
            (expected.Id, expected.UserId, expected.CourseId, expected.Version, expected.Status, expected.EnrolledAt, expected.StartedAt, expected.CompletedAt, expected.DueAt, expected.SourceKind, expected.SourceReference, expected.Sequence),
            (actual.Id, actual.UserId, actual.CourseId, actual.Version, actual.Status, actual.EnrolledAt, actual.StartedAt, actual.CompletedAt, actual.DueAt, actual.SourceKind, actual.SourceReference, actual.Sequence));

    [Fact]
    public void Every_change_writes_one_numbered_entry_with_who_when_and_why_and_the_ledger_replays_to_the_same_state()
    {
        var (enrolment, ledger) = Enrolled(T0.AddDays(30));
        enrolment.Start(T0.AddDays(1), EnrolmentActor.Platform, T0.AddDays(1));
        enrolment.ChangeDueDate(T0.AddDays(45), Admin, "on leave for two weeks", T0.AddDays(2));
        enrolment.Suspend(Admin, "left the audience", T0.AddDays(3));
        enrolment.Resume(Admin, null, T0.AddDays(4));
        enrolment.Complete(T0.AddDays(5), Admin, "attended the session", T0.AddDays(6));
        enrolment.Reset(Admin, "recertification", T0.AddDays(400));
        enrolment.Waive(Admin, "equivalent training elsewhere", T0.AddDays(401));
        Collect(enrolment, ledger);

        Assert.Equal([LedgerAction.Assigned, LedgerAction.Started, LedgerAction.DueDateChanged, LedgerAction.Suspended, LedgerAction.Resumed,
            LedgerAction.Completed, LedgerAction.Reset, LedgerAction.Waived], ledger.Select(e => e.Action));
        Assert.Equal(Enumerable.Range(1, 8), ledger.Select(e => e.Sequence));
        Assert.All(ledger, e => Assert.Equal(enrolment.Id, e.EnrolmentId));
        Assert.Equal("on leave for two weeks", ledger[2].Reason);
        Assert.Equal(T0.AddDays(45), ledger[2].DueAt);
        Assert.Equal(EnrolmentSourceKind.Manual, ledger[0].SourceKind);
        Assert.Equal(Admin.Id.ToString(), ledger[0].SourceReference);

        // The projection is the fold of its ledger, in any order the rows are read.
        AssertSameState(enrolment, CourseEnrolment.Replay(ledger.OrderByDescending(e => e.Id)));
        Assert.Equal(EnrolmentStatus.Waived, enrolment.Status);
    }

    [Fact]
    public void The_status_on_a_past_date_is_the_fold_of_the_entries_that_had_taken_effect_then()
    {
        var (enrolment, ledger) = Enrolled(T0.AddDays(10));
        enrolment.Start(T0.AddDays(2), EnrolmentActor.Platform, T0.AddDays(2));
        // Recorded on day 20, effective on day 8 (a session held then).
        enrolment.Complete(T0.AddDays(8), Admin, "attended on the 10th", T0.AddDays(20));
        Collect(enrolment, ledger);

        EnrolmentStatus On(int day) => CourseEnrolment.Replay(LedgerEntry.AsOf(ledger, T0.AddDays(day))).Status;
        Assert.Equal(EnrolmentStatus.Enrolled, On(1));
        Assert.Equal(EnrolmentStatus.InProgress, On(5));
        Assert.Equal(EnrolmentStatus.Completed, On(9));
        // Never overdue: it was completed before the due date, though recorded after it.
        Assert.False(enrolment.IsOverdue(T0.AddDays(30)));
        Assert.False(CourseEnrolment.Replay(LedgerEntry.AsOf(ledger, T0.AddDays(9))).IsOverdue(T0.AddDays(9)));
    }

    [Fact]
    public void Overdue_is_read_from_the_clock_and_the_query_form_agrees_with_the_object()
    {
        var (open, _) = Enrolled(T0.AddDays(10));
        var (suspended, _) = Enrolled(T0.AddDays(10));
        suspended.Suspend(Admin, "away", T0.AddDays(1));
        var (noDueDate, _) = Enrolled();
        var all = new[] { open, suspended, noDueDate };
        foreach (var day in new[] { 5, 11 })
        {
            var now = T0.AddDays(day);
            var query = CourseEnrolment.OverdueAt(now).Compile();
            Assert.All(all, e => Assert.Equal(e.IsOverdue(now), query(e)));
        }
        Assert.False(open.IsOverdue(T0.AddDays(5)));
        Assert.True(open.IsOverdue(T0.AddDays(11)));
        Assert.False(suspended.IsOverdue(T0.AddDays(11)));
        Assert.False(noDueDate.IsOverdue(T0.AddDays(1000)));
    }

    [Fact]
    public void Refusals_name_the_field_and_change_nothing()
    {
        var (enrolment, ledger) = Enrolled();
        Assert.Equal("completedAt", Assert.Throws<DomainRuleException>(() => enrolment.Complete(T0.AddDays(2), Admin, "x", T0.AddDays(1))).Field);
        Assert.Equal("reason", Assert.Throws<DomainRuleException>(() => enrolment.Withdraw(Admin, " ", T0)).Field);
        // By hand, a completion says why.
        Assert.Equal("reason", Assert.Throws<DomainRuleException>(() => enrolment.RecordCompletion(T0, Admin, null, T0)).Field);
        Assert.Equal("reason", Assert.Throws<DomainRuleException>(() => enrolment.ChangeDueDate(T0.AddDays(9), Admin, "", T0)).Field);
        Assert.Equal("status", Assert.Throws<DomainRuleException>(() => enrolment.Reset(Admin, "again", T0)).Field);

        enrolment.Complete(T0, Admin, "done", T0);
        Assert.Equal("status", Assert.Throws<DomainRuleException>(() => enrolment.Complete(T0, Admin, "again", T0)).Field);
        // A completion is a record, not an assignment: it cannot be withdrawn.
        Assert.Equal("status", Assert.Throws<DomainRuleException>(() => enrolment.Withdraw(Admin, "left", T0)).Field);
        Collect(enrolment, ledger);
        Assert.Equal([LedgerAction.Assigned, LedgerAction.Completed], ledger.Select(e => e.Action));
        Assert.Equal(EnrolmentStatus.Completed, enrolment.Status);
    }
}
