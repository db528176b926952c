using LmsPlatform.Analytics.Model;
using LmsPlatform.Contracts;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using AnalyticsStatus = LmsPlatform.Analytics.Model.AssignmentStatus;
using LedgerEntry = LmsPlatform.Enrolment.Model.LedgerEntry;

namespace LmsPlatform.UnitTests;

/// <summary>
/// Analytics' copy of the enrolment ledger: the ranges it folds from enrolment's events must answer "what was the
/// state on date D" exactly as enrolment's own ledger does, whatever order the events arrive in.
/// </summary>
public class AnalyticsReadModelTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly EnrolmentActor Admin = new(Guid.NewGuid(), "Ada Admin");

    /// <summary>An enrolment driven through random changes by enrolment's own aggregate (its rules refuse what cannot happen).</summary>
    private static List<LedgerEntry> RandomHistory(Random random)
    {
        var now = T0;
        var enrolment = CourseEnrolment.Enrol(Guid.NewGuid(), Guid.NewGuid(), 1, EnrolmentSource.Manual(Admin, null),
            random.Next(3) == 0 ? null : T0.AddDays(random.Next(1, 40)), Admin, now, random.Next(4) == 0 ? now.AddDays(-random.Next(1, 5)) : null);
        for (var step = 0; step < random.Next(1, 9); step++)
        {
            now = now.AddHours(random.Next(1, 96));
            try
            {
                switch (random.Next(9))
                {
                    case 0: enrolment.Start(now, EnrolmentActor.Platform, now); break;
                    // Sometimes recorded later than it happened, before earlier entries took effect.
                    case 1: enrolment.Complete(now.AddDays(-random.Next(0, 6)), Admin, "attended", now); break;
                    case 2: enrolment.Waive(Admin, "equivalent training", now); break;
                    case 3: enrolment.Reset(Admin, "failed attempt", now); break;
                    case 4: enrolment.ChangeDueDate(random.Next(4) == 0 ? null : now.AddDays(random.Next(-5, 20)), Admin, "extension", now); break;
                    case 5: enrolment.Suspend(Admin, "leave", now); break;
                    case 6: enrolment.Resume(Admin, null, now); break;
                    case 7: enrolment.Withdraw(Admin, "left the team", now); break;
                    case 8: enrolment.MigrateTo(enrolment.Version + 1, Admin, "new version", now); break;
                }
            }
            catch (DomainRuleException)
            {
                // Not allowed in this state: enrolment refuses it, as it would refuse an administrator.
            }
        }
        return [.. enrolment.TakeDomainEvents().OfType<LedgerEntry>()];
    }

    private static AnalyticsStatus? AsOf(List<EnrolmentState> ranges, DateTimeOffset date) =>
        ranges.SingleOrDefault(r => r.ValidFrom <= date && (r.ValidTo is null || r.ValidTo > date))?.Status;

    [Fact]
    public void The_ranges_folded_from_enrolments_events_in_any_order_give_the_state_enrolments_ledger_gives_on_every_date()
    {
        var random = new Random(20261205);
        for (var n = 0; n < 500; n++)
        {
            var ledger = RandomHistory(random);
            var copies = ledger.Select(e => e.ToIntegrationEvent()).OfType<IIntegrationEvent>().Select(LedgerEventCopy.From)
                .OrderBy(_ => random.Next()).ToList(); // one queue per event type: any arrival order
            var ranges = EnrolmentHistory.Ranges(copies);

            // Ranges tile time without gaps or overlaps from the first effective entry on.
            for (var i = 1; i < ranges.Count; i++) Assert.Equal(ranges[i - 1].ValidTo, ranges[i].ValidFrom);
            Assert.Null(ranges[^1].ValidTo);

            var first = ledger.Min(e => e.At);
            var last = ledger.Max(e => e.At);
            for (var date = first.AddHours(-1); date <= last.AddDays(1); date = date.AddHours(7))
            {
                var entries = LedgerEntry.AsOf(ledger, date).ToList();
                var expected = entries.Count == 0 ? null : (AnalyticsStatus?)Enum.Parse<AnalyticsStatus>(CourseEnrolment.Replay(entries).Status.ToString());
                Assert.True(expected == AsOf(ranges, date), $"history {n} on {date:u}: enrolment says {expected}, analytics {AsOf(ranges, date)}");
                if (entries.Count > 0)
                {
                    var replayed = CourseEnrolment.Replay(entries);
                    var state = ranges.Single(r => r.ValidFrom <= date && (r.ValidTo is null || r.ValidTo > date));
                    Assert.Equal((replayed.DueAt, replayed.CompletedAt, replayed.Version), (state.DueAt, state.CompletedAt, state.Version));
                }
            }
        }
    }

    [Fact]
    public void A_completion_recorded_late_counts_from_when_it_happened()
    {
        Guid enrolment = Guid.NewGuid(), user = Guid.NewGuid(), course = Guid.NewGuid();
        var ranges = EnrolmentHistory.Ranges(
        [
            new LedgerEventCopy { EnrolmentId = enrolment, Sequence = 2, UserId = user, CourseId = course, Action = LmsPlatform.Analytics.Model.LedgerAction.Completed, At = T0.AddDays(3) },
            new LedgerEventCopy { EnrolmentId = enrolment, Sequence = 1, UserId = user, CourseId = course, Action = LmsPlatform.Analytics.Model.LedgerAction.Assigned, At = T0, DueAt = T0.AddDays(10), Version = 1, Source = "Manual" },
        ]);
        Assert.Equal([T0, T0.AddDays(3)], ranges.Select(r => r.ValidFrom));
        Assert.Equal([AnalyticsStatus.Enrolled, AnalyticsStatus.Completed], ranges.Select(r => r.Status));
        Assert.Equal(T0.AddDays(10), ranges[1].DueAt);
        Assert.Equal(T0, ranges[1].AssignedAt);
    }

    [Fact]
    public void Every_metric_has_a_definition_to_print_beside_it_and_rates_never_divide_by_zero()
    {
        Assert.All(Metrics.All, m => Assert.False(string.IsNullOrWhiteSpace(m.Definition)));
        Assert.Equal(Metrics.All.Count, Metrics.All.Select(m => m.Key).Distinct().Count());
        Assert.Null(Metrics.Rate(0, 0));
        Assert.Equal(0.6667, Metrics.Rate(2, 3));
    }

    [Fact]
    public void A_rebuild_completes_when_every_page_of_every_source_is_in_whatever_their_order_and_an_abandoned_one_never_does()
    {
        var at = DateTimeOffset.UtcNow;
        LmsPlatform.Contracts.Enrolment.LedgerReplayed Page(int n, bool last) => new(Guid.Empty, n, [], last, 3, at.AddSeconds(n));
        // Every other source sends one page, the last.
        IEnumerable<LmsPlatform.Contracts.IReplayPage> Others() =>
        [
            new LmsPlatform.Contracts.Enrolment.CertificationsReplayed(Guid.Empty, 1, [], [], true, 0, at),
            new LmsPlatform.Contracts.Enrolment.AudienceChangesReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.PeopleReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.OrgUnitsReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.RolesReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.ImportsReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.SignInsReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Identity.PlacementsReplayed(Guid.Empty, 1, [], true, 0, at),
            new LmsPlatform.Contracts.Notification.EmailOutcomesReplayed(Guid.Empty, 1, [], true, 0, at),
        ];

        var rebuild = new ReadModelRebuild();
        rebuild.Folded(Page(3, last: true));
        rebuild.Folded(Page(1, last: false));
        Assert.Null(rebuild.CompletedAt);
        rebuild.Folded(Page(2, last: false));
        Assert.Null(rebuild.CompletedAt); // the ledger is in, the other sources are not
        foreach (var page in Others()) rebuild.Folded(page);
        Assert.Null(rebuild.CompletedAt); // the courses are still missing
        rebuild.Folded(new LmsPlatform.Contracts.Catalogue.CoursesReplayed(Guid.Empty, 1, [], true, 0, at.AddSeconds(9)));
        Assert.Equal(at.AddSeconds(9), rebuild.CompletedAt);
        Assert.Equal(13, rebuild.Pages);
        Assert.False(rebuild.Abandon("ops", at)); // finished: nothing to abandon

        var stuck = new ReadModelRebuild();
        foreach (var page in Others()) stuck.Folded(page);
        stuck.Folded(Page(1, last: false));
        Assert.True(stuck.Abandon("ops", at));
        Assert.False(stuck.Running);
        stuck.Folded(Page(2, last: true)); // a late page is folded, but does not complete what was given up
        stuck.Folded(new LmsPlatform.Contracts.Catalogue.CoursesReplayed(Guid.Empty, 1, [], true, 0, at));
        Assert.Null(stuck.CompletedAt);
        Assert.False(stuck.Abandon("ops", at));
    }

    [Fact]
    public void A_check_keeps_the_latest_round_of_its_hour_whatever_order_the_rounds_arrive_in()
    {
        var at = new DateTimeOffset(2026, 12, 6, 10, 59, 30, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero), CheckResult.HourOf(at));
        LmsPlatform.Contracts.Operations.ChecksTaken Round(int minute, long count) => new(Guid.NewGuid(), "enrolment", new DateTimeOffset(2026, 12, 6, 8, minute, 0, TimeSpan.Zero),
            TimeSpan.FromMinutes(5), [new("audiences.paused", "daily", "Audience rules paused", count == 0 ? "ok" : "attention", count, "manage/audiences", new string('x', 2500))]);
        var row = new CheckResult { Service = "enrolment", Key = "audiences.paused", Hour = CheckResult.HourOf(at), At = DateTimeOffset.MinValue };
        var later = Round(40, 0);
        var earlier = Round(10, 3);
        row.Apply(later, later.Checks[0]);
        row.Apply(earlier, earlier.Checks[0]); // arrives late: the later round stands
        Assert.Equal((0L, "ok", later.At), (row.Count, row.Status, row.At));
        Assert.Equal(2000, row.Detail!.Length); // cut to its column, marked as cut
        Assert.EndsWith("…", row.Detail);
        Assert.Equal(LmsPlatform.ServiceDefaults.Operations.CheckStatus.Ok, LmsPlatform.ServiceDefaults.Operations.CheckFinding.Of(0, LmsPlatform.ServiceDefaults.Operations.CheckStatus.Failing).Status);
        Assert.Equal(LmsPlatform.ServiceDefaults.Operations.CheckStatus.Failing, LmsPlatform.ServiceDefaults.Operations.CheckFinding.Of(2, LmsPlatform.ServiceDefaults.Operations.CheckStatus.Failing).Status);
    }

    [Fact]
    public void The_audit_pack_prints_the_figures_the_overdue_people_on_as_many_pages_as_they_need_and_the_definitions()
    {
        var asOf = new DateTimeOffset(2026, 11, 30, 23, 59, 59, TimeSpan.Zero);
        var course = new LmsPlatform.Analytics.Application.MetricRow(Guid.NewGuid(), "Fire safety", 120, 10, 20, 80, 0, 10, 120, 100);
        var total = course with { Key = null, Name = "Total" };
        var overdue = Enumerable.Range(1, 150).Select(i => new LmsPlatform.Analytics.Application.OverdueRow(Guid.NewGuid(), Guid.NewGuid(), $"Person {i:000} Żółć",
            null, null, "Warehouse", null, null, Guid.NewGuid(), i == 1 ? new string('L', 300) : "Fire safety", asOf.AddDays(-i), i, "NotStarted")).ToList();
        var pack = new LmsPlatform.Analytics.Application.AuditPackContent("Warehouse North", asOf, false, asOf.AddDays(3), "Ada Admin", total, [course],
            100, 90, [new(Guid.NewGuid(), "Forklift", 40, 2, 3, 4)], overdue, OverdueTotal: 2_150);

        using var document = UglyToad.PdfPig.PdfDocument.Open(LmsPlatform.Analytics.Application.AuditPack.Render(pack));
        var pages = document.GetPages().Select(p => System.Text.RegularExpressions.Regex.Replace(p.Text, @"\s+", "")).ToList();
        Assert.True(pages.Count >= 3, $"{pages.Count} pages");
        Assert.Contains("WarehouseNorth", pages[0]);
        Assert.Contains("Asof30November2026,23:59UTC", pages[0]);
        Assert.Contains("Peoplewithrequiredtraining:100;compliant:90(90.0%)", pages[0]);
        Assert.Contains("Requiredassignments:120;compliant:100(83.3%);overdue:10.", pages[0]);
        // Every overdue row once, with its name in any script the font has; a long course name cut to its column.
        var all = string.Concat(pages);
        Assert.All(Enumerable.Range(1, 150), i => Assert.Contains($"Person{i:000}Żółć", all));
        Assert.DoesNotContain(new string('L', 300), all);
        Assert.Contains("…and2,000more", all);
        // A table continued on a new page starts with its heading row; every page is footed "page i of n".
        Assert.Contains(pages.Skip(1), p => p.Contains("PersonOrgunitCourseDueDays"));
        for (var i = 0; i < pages.Count; i++) Assert.Contains($"page{i + 1}of{pages.Count}", pages[i]);
        Assert.Contains("Compliant÷required", all);
    }
}
