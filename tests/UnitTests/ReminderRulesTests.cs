using LmsPlatform.Notification.Model;

namespace LmsPlatform.UnitTests;

public class ReminderRulesTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 10, 12, 0, 0, TimeSpan.Zero);
    private static readonly ReminderPolicy Policy = new() { DaysBefore = [7, 1], EscalateAfterDays = 3, SecondEscalationAfterDays = 10 };

    private static Assignment Due(DateTimeOffset? dueAt, int? reminded = null, int level = 0, AssignmentStatus status = AssignmentStatus.Open) =>
        new() { EnrolmentId = Guid.NewGuid(), UserId = Guid.NewGuid(), CourseId = Guid.NewGuid(), DueAt = dueAt, RemindedDaysBefore = reminded, EscalationLevel = level, Status = status };

    [Fact]
    public void The_nearest_reminder_that_has_come_is_sent_once()
    {
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddDays(10)), Policy, Now));
        Assert.Equal(7, ReminderRules.ReminderDue(Due(Now.AddDays(7)), Policy, Now));
        Assert.Equal(7, ReminderRules.ReminderDue(Due(Now.AddDays(2)), Policy, Now)); // enrolled late: the 7-day one at once
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddDays(2), reminded: 7), Policy, Now));
        Assert.Equal(1, ReminderRules.ReminderDue(Due(Now.AddHours(20), reminded: 7), Policy, Now));
        Assert.Equal(1, ReminderRules.ReminderDue(Due(Now.AddHours(20)), Policy, Now)); // enrolled on the last day: one reminder
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddHours(20), reminded: 1), Policy, Now));
    }

    [Fact]
    public void Nothing_is_reminded_when_past_due_without_a_due_date_or_not_open()
    {
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddHours(-1)), Policy, Now));
        Assert.Null(ReminderRules.ReminderDue(Due(null), Policy, Now));
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddDays(1), status: AssignmentStatus.Suspended), Policy, Now));
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddDays(1), status: AssignmentStatus.Closed), Policy, Now));
        Assert.Null(ReminderRules.ReminderDue(Due(Now.AddDays(1)), new ReminderPolicy { DaysBefore = [] }, Now));
    }

    [Fact]
    public void A_renewal_waits_to_be_reminded_of_until_it_is_known_which_certification_it_renews()
    {
        var renewal = Due(Now.AddDays(5));
        renewal.IsRenewal = true;
        Assert.Null(ReminderRules.ReminderDue(renewal, Policy, Now));
        renewal.RenewsCertificationOf = Guid.NewGuid();
        Assert.Equal(7, ReminderRules.ReminderDue(renewal, Policy, Now));
    }

    [Fact]
    public void Lateness_climbs_the_manager_ladder_one_rung_at_a_time_and_never_twice()
    {
        Assert.Null(ReminderRules.EscalationDue(Due(Now.AddDays(-2)), Policy, Now));
        Assert.Equal(1, ReminderRules.EscalationDue(Due(Now.AddDays(-3)), Policy, Now));
        Assert.Null(ReminderRules.EscalationDue(Due(Now.AddDays(-5), level: 1), Policy, Now));
        Assert.Equal(2, ReminderRules.EscalationDue(Due(Now.AddDays(-10), level: 1), Policy, Now));
        Assert.Equal(2, ReminderRules.EscalationDue(Due(Now.AddDays(-12)), Policy, Now)); // found late: both rungs (the scheduler tells each)
        Assert.Null(ReminderRules.EscalationDue(Due(Now.AddDays(-12), level: 2), Policy, Now));
        Assert.Null(ReminderRules.EscalationDue(Due(Now.AddDays(-12)), new ReminderPolicy { EscalateAfterDays = null, SecondEscalationAfterDays = null }, Now));
    }

    [Fact]
    public void A_new_due_date_starts_reminders_and_the_ladder_again_and_an_older_event_changes_nothing()
    {
        var a = Due(Now.AddDays(-12), reminded: 1, level: 2);
        a.Sequence = 4;
        Assert.False(a.Apply(3, () => a.DueOn(Now.AddDays(30))));
        Assert.Equal(Now.AddDays(-12), a.DueAt);
        Assert.True(a.Apply(5, () => a.DueOn(Now.AddDays(30))));
        Assert.Equal((Now.AddDays(30), (int?)null, 0), (a.DueAt, a.RemindedDaysBefore, a.EscalationLevel));
    }
}

public class MailRulesTests
{
    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static MailWindow Window(TimeZoneInfo zone, DigestFrequency digest = DigestFrequency.None) =>
        new(zone, new TimeOnly(21, 0), new TimeOnly(7, 0), digest, new TimeOnly(7, 0));

    [Fact]
    public void Quiet_hours_are_the_persons_night_in_their_time_zone()
    {
        var noonUtc = new DateTimeOffset(2027, 1, 11, 12, 0, 0, TimeSpan.Zero); // 21:00 in Tokyo, 13:00 in Paris
        Assert.True(MailRules.InQuietHours(Window(Tokyo), noonUtc));
        Assert.False(MailRules.InQuietHours(Window(Paris), noonUtc));
        Assert.True(MailRules.InQuietHours(Window(Paris), new DateTimeOffset(2027, 1, 11, 5, 30, 0, TimeSpan.Zero))); // 06:30 in Paris
        Assert.False(MailRules.InQuietHours(Window(Paris) with { QuietFrom = null, QuietUntil = null }, new DateTimeOffset(2027, 1, 11, 2, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void What_comes_in_the_night_waits_for_the_morning_digest_and_the_budget_sends_the_rest_there()
    {
        var noonUtc = new DateTimeOffset(2027, 1, 11, 12, 0, 0, TimeSpan.Zero);
        // Tokyo's night: to the digest at 07:00 Tokyo time (22:00 UTC).
        Assert.Equal(new DateTimeOffset(2027, 1, 12, 7, 0, 0, TimeSpan.FromHours(9)), MailRules.DigestInstead(Window(Tokyo), noonUtc, 0, 5));
        // Paris's afternoon: its own mail, until the day's fifth.
        Assert.Null(MailRules.DigestInstead(Window(Paris), noonUtc, 4, 5));
        Assert.Equal(new DateTimeOffset(2027, 1, 12, 7, 0, 0, TimeSpan.FromHours(1)), MailRules.DigestInstead(Window(Paris), noonUtc, 5, 5));
        // A weekly digest: Monday 07:00 (11 January 2027 is a Monday, so the next).
        Assert.Equal(new DateTimeOffset(2027, 1, 18, 7, 0, 0, TimeSpan.FromHours(1)), MailRules.DigestInstead(Window(Paris, DigestFrequency.Weekly), noonUtc, 0, 5));
    }

    [Fact]
    public void A_digest_never_lands_inside_quiet_hours()
    {
        var w = Window(Paris, DigestFrequency.Daily) with { QuietFrom = new TimeOnly(22, 0), QuietUntil = new TimeOnly(8, 30) };
        var at = MailRules.NextDigest(w, new DateTimeOffset(2027, 1, 11, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2027, 1, 12, 8, 30, 0, TimeSpan.FromHours(1)), at);
    }
}
