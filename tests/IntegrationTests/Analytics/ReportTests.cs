using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Security;
using LmsPlatform.IntegrationTests.Enrolment;
using LmsPlatform.IntegrationTests.Identity;
using LmsPlatform.ServiceDefaults.Csv;
using MiniExcelLibs;

namespace LmsPlatform.IntegrationTests.Analytics;

/// <summary>
/// The reports, through the gateway, on learning made by the real services: analytics builds its read model from their
/// events; the completion, overdue and compliance reports agree with each other and with enrolment's ledger, now and
/// as of an earlier date; and a manager sees their own people only.
/// </summary>
public class ReportTests(PlatformFixture platform)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Completion_overdue_and_compliance_reports_agree_now_and_as_of_an_earlier_date_and_a_manager_sees_only_their_people()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var root = await OrgUnits.CreateAsync(admin, $"Reports {tag}");
        var sales = await OrgUnits.CreateAsync(admin, $"Sales {tag}", root);
        var (managerId, _, managerTokens) = await People.CreateSignedInAsync(platform.App, admin, "reportsmanager", null, [Roles.Manager], root);

        // Eight people in Sales reporting to the manager: four hired long ago (due 30 days after hire: overdue at once),
        // four hired today. One more in the root unit with no manager.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        async Task<Guid> PersonAsync(int n, DateOnly? hired, Guid? manager, Guid unit)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new
            {
                email = $"report{n}.{tag}.{Guid.NewGuid():N}@example.org", givenName = $"Person{n}", familyName = tag, hireDate = hired, managerId = manager, orgUnitId = unit,
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var people = new List<Guid>();
        for (var n = 0; n < 8; n++) people.Add(await PersonAsync(n, n < 4 ? today.AddDays(-60) : today, managerId, sales));
        var outsider = await PersonAsync(8, null, null, root);

        var fireSafety = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Fire safety {tag}",
            draft => draft["compliance"] = new { dueWithinDays = 30, dueFrom = "hire" });
        var welcome = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Welcome {tag}");
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = people.Append(outsider), courseId = fireSafety }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = people.Take(6), courseId = welcome }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        async Task<Guid> EnrolmentOf(Guid person, Guid course) =>
            Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={person}&courseId={course}")).GetProperty("items").EnumerateArray())
                .GetProperty("id").GetGuid();

        var scope = $"orgUnitId={root}";
        await CountsReachAsync(admin, $"/api/analytics/reports/completion?{scope}", t => t.Assigned == 15 && t.Overdue == 4, "every assignment in the read model");
        await Task.Delay(1100);
        var between = DateTimeOffset.UtcNow;
        await Task.Delay(1100);

        // Person 0 completes (was overdue), person 1 is paused (was overdue), person 4 is exempted, person 5 leaves Welcome.
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{await EnrolmentOf(people[0], fireSafety)}/complete", new { reason = "attended the drill" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{await EnrolmentOf(people[1], fireSafety)}/suspend", new { reason = "parental leave" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{await EnrolmentOf(people[4], fireSafety)}/waive", new { reason = "fire warden already" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{await EnrolmentOf(people[5], welcome)}/withdraw", new { reason = "moved on" })).StatusCode);

        // Now: Fire safety 9 assigned (2 done, 1 paused, 2 overdue), Welcome 5 (one withdrawn).
        var completion = await CountsReachAsync(admin, $"/api/analytics/reports/completion?{scope}",
            t => t.Assigned == 14 && t.Completed == 2 && t.Paused == 1, "the changes in the read model");
        var fire = Row(completion, fireSafety);
        Assert.Equal((9, 6, 0, 2, 1, 2, 9, 7), (fire.Assigned, fire.NotStarted, fire.InProgress, fire.Completed, fire.Paused, fire.Overdue, fire.Required, fire.Compliant));
        Assert.Equal(0.2222, fire.CompletionRate);
        var welcomeRow = Row(completion, welcome);
        Assert.Equal((5, 5, 0, 0), (welcomeRow.Assigned, welcomeRow.NotStarted, welcomeRow.Required, welcomeRow.Overdue));

        // The three reports agree: the overdue list is the completion report's overdue count, and the compliance report's
        // non-compliant assignments are those same rows.
        var overdue = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/overdue?{scope}&pageSize=50");
        var overdueRows = overdue.GetProperty("overdue").GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(completion.GetProperty("total").GetProperty("overdue").GetInt64(), overdue.GetProperty("overdue").GetProperty("totalCount").GetInt64());
        Assert.Equal(new[] { people[2], people[3] }.Order(), overdueRows.Select(r => r.GetProperty("userId").GetGuid()).Order());
        Assert.All(overdueRows, r => Assert.Equal($"Sales {tag}", r.GetProperty("orgUnit").GetString()));
        Assert.All(overdueRows, r => Assert.True(r.GetProperty("daysOverdue").GetInt32() >= 29));
        var compliance = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/compliance?{scope}");
        var complianceTotal = Totals(compliance);
        Assert.Equal(overdueRows.Count, complianceTotal.Required - complianceTotal.Compliant);
        Assert.Equal((9, 7), (compliance.GetProperty("people").GetInt64(), compliance.GetProperty("compliantPeople").GetInt64()));
        Assert.Contains(compliance.GetProperty("definitions").EnumerateArray(), d => d.GetProperty("key").GetString() == "compliant");

        // Item usage counts the same rows: each course's assigned and completed are the completion report's; person 0's
        // completion is the one start and the one timed completion (within a week), person 4's waiver neither.
        var usage = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/usage?{scope}");
        JsonElement UsageOf(JsonElement report, Guid course) => Assert.Single(report.GetProperty("rows").EnumerateArray(), r => r.GetProperty("courseId").GetGuid() == course);
        var fireUsage = UsageOf(usage, fireSafety);
        Assert.Equal((fire.Assigned, fire.Completed, 1L, 1L, 1L, 1L), (fireUsage.GetProperty("assigned").GetInt64(), fireUsage.GetProperty("completed").GetInt64(),
            fireUsage.GetProperty("started").GetInt64(), fireUsage.GetProperty("timed").GetInt64(), fireUsage.GetProperty("within7Days").GetInt64(),
            fireUsage.GetProperty("within90Days").GetInt64()));
        Assert.InRange(fireUsage.GetProperty("averageDaysToComplete").GetDouble(), 0, 1);
        Assert.Equal((welcomeRow.Assigned, 0L, JsonValueKind.Null), (UsageOf(usage, welcome).GetProperty("assigned").GetInt64(),
            UsageOf(usage, welcome).GetProperty("started").GetInt64(), UsageOf(usage, welcome).GetProperty("averageDaysToComplete").ValueKind));
        Assert.Equal((14L, 2L), (usage.GetProperty("total").GetProperty("assigned").GetInt64(), usage.GetProperty("total").GetProperty("completed").GetInt64()));
        Assert.Contains(usage.GetProperty("definitions").EnumerateArray(), d => d.GetProperty("key").GetString() == "timeToComplete");
        var usageCsv = await CsvAsync(admin, $"/api/analytics/reports/usage/export?{scope}");
        Assert.Equal(4, usageCsv.Count); // header, two courses, total
        Assert.StartsWith(",Total,14,1,0,2,1,", usageCsv[^1]);

        // Now is read from the current figures, taken at the answer's asOf; counting the ranges as of that moment gives the same report.
        var takenAt = Uri.EscapeDataString(compliance.GetProperty("asOf").GetDateTimeOffset().ToString("O"));
        var counted = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/compliance?{scope}&asOf={takenAt}");
        Assert.Equal((true, false), (compliance.GetProperty("currentFigures").GetBoolean(), counted.GetProperty("currentFigures").GetBoolean()));
        foreach (var part in new[] { "rows", "total", "people", "compliantPeople", "certifications" })
            Assert.Equal(compliance.GetProperty(part).ToString(), counted.GetProperty(part).ToString());

        // The same rows as CSV downloads: every overdue assignment, and the figures with the total last.
        var overdueCsv = await CsvAsync(admin, $"/api/analytics/reports/overdue/export?{scope}");
        Assert.Equal(3, overdueCsv.Count);
        Assert.StartsWith("EnrolmentId,UserId,Person,Email", overdueCsv[0]);
        Assert.Equal(new[] { people[2], people[3] }.Select(p => p.ToString()).Order(), overdueCsv.Skip(1).Select(l => l.Split(',')[1]).Order());
        // The same list prepared as a file in the background: its progress reaches the whole list, and the file holds the same rows.
        Guid prepared;
        using (var created = await admin.PostAsJsonAsync("/api/analytics/exports", new { report = "overdue", orgUnitId = root }))
        {
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            prepared = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        var job = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/analytics/exports/{prepared}"),
            j => j.GetProperty("status").GetString() is "Completed" or "Failed", Soon, "the export prepared");
        Assert.Equal(("Completed", 2L, 2L, 100), (job.GetProperty("status").GetString(), job.GetProperty("rows").GetInt64(), job.GetProperty("totalRows").GetInt64(),
            job.GetProperty("percent").GetInt32()));
        var preparedCsv = await CsvAsync(admin, $"/api/analytics/exports/{prepared}/file");
        Assert.Equal(overdueCsv.Select(l => l.Split(',')[0]).Order(), preparedCsv.Select(l => l.Split(',')[0]).Order());
        Assert.Contains((await admin.GetFromJsonAsync<JsonElement>("/api/analytics/exports")).EnumerateArray(), j => j.GetProperty("id").GetGuid() == prepared);
        using (var badJob = await admin.PostAsJsonAsync("/api/analytics/exports", new { report = "everything", format = "pdf" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badJob.StatusCode);
            var problem = await badJob.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty("report", out _) && problem.GetProperty("errors").TryGetProperty("format", out _));
        }
        var figuresCsv = await CsvAsync(admin, $"/api/analytics/reports/completion/export?{scope}");
        Assert.Equal(4, figuresCsv.Count); // header, two courses, total
        Assert.StartsWith(",Total,14,", figuresCsv[^1]);
        var complianceCsv = await CsvAsync(admin, $"/api/analytics/reports/compliance/export?{scope}");
        Assert.Equal(figuresCsv.Count, complianceCsv.Count); // the same rows: header, two courses, total
        Assert.Contains(complianceCsv, l => l.Contains($"Fire safety {tag}") && l.EndsWith(",9,7,0.2222,0.7778"));

        // And as Excel workbooks: the same rows, read back with MiniExcel; a bad format is a 400 naming the field.
        using (var xlsx = await admin.GetAsync($"/api/analytics/reports/overdue/export?{scope}&format=xlsx"))
        {
            Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
            Assert.Equal(XlsxFile.ContentType, xlsx.Content.Headers.ContentType?.MediaType);
            Assert.EndsWith(".xlsx", xlsx.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            var sheet = (await xlsx.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            Assert.Equal(new[] { people[2], people[3] }.Select(p => p.ToString()).Order(), sheet.Select(r => r["UserId"].ToString()).Order());
        }
        using (var xlsx = await admin.GetAsync($"/api/analytics/reports/compliance/export?{scope}&format=xlsx"))
        {
            var sheet = (await xlsx.Content.ReadAsStreamAsync()).Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
            Assert.Equal(3, sheet.Count); // two courses, total
            Assert.Equal(("Total", 14d), (sheet[^1]["Name"].ToString(), Convert.ToDouble(sheet[^1]["Assigned"])));
        }
        // The audit pack: the same figures as a PDF, with the unit, the overdue people by name and the definitions printed.
        using (var pdf = await admin.GetAsync($"/api/analytics/reports/compliance/audit-pack?{scope}"))
        {
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
            using var document = UglyToad.PdfPig.PdfDocument.Open(await pdf.Content.ReadAsByteArrayAsync());
            var text = System.Text.RegularExpressions.Regex.Replace(string.Concat(document.GetPages().Select(p => p.Text)), @"\s+", "");
            Assert.Contains($"Reports{tag}", text);
            Assert.Contains("Requiredassignments:9;compliant:7(77.8%);overdue:2.", text);
            Assert.Contains($"Person2{tag}", text);
            Assert.Contains($"Person3{tag}", text);
            Assert.DoesNotContain($"Person0{tag}", text); // not overdue
            Assert.Contains("Compliant÷required", text); // the definitions, printed with the figures
            Assert.Contains($"page1of{document.NumberOfPages}", text);
        }
        using (var badFormat = await admin.GetAsync($"/api/analytics/reports/overdue/export?{scope}&format=pdf"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
            Assert.Contains("format", await badFormat.Content.ReadAsStringAsync());
        }

        // As of the earlier date: nothing done yet, four overdue, six on Welcome; enrolment's ledger says the same of person 0.
        var asOf = Uri.EscapeDataString(between.ToString("O"));
        var then = Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?{scope}&asOf={asOf}"));
        Assert.Equal((15, 0, 0, 4), (then.Assigned, then.Completed, then.Paused, then.Overdue));
        // The same instant written with another offset is the same report (and the trend takes offsets too).
        var elsewhere = Uri.EscapeDataString(between.ToOffset(TimeSpan.FromHours(2)).ToString("O"));
        Assert.Equal(then, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?{scope}&asOf={elsewhere}")));
        using (var offsetTrend = await admin.GetAsync($"/api/analytics/reports/trend?{scope}&to={elsewhere}"))
            Assert.Equal(HttpStatusCode.OK, offsetTrend.StatusCode);
        Assert.Equal(4, (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/overdue?{scope}&asOf={asOf}")).GetProperty("overdue").GetProperty("totalCount").GetInt64());
        var usageThen = (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/usage?{scope}&asOf={asOf}")).GetProperty("total");
        Assert.Equal((15L, 0L, 0L), (usageThen.GetProperty("assigned").GetInt64(), usageThen.GetProperty("started").GetInt64(), usageThen.GetProperty("completed").GetInt64()));
        var ledgerThen = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{await EnrolmentOf(people[0], fireSafety)}?asOf={asOf}");
        Assert.Equal(("Enrolled", true), (ledgerThen.GetProperty("status").GetString(), ledgerThen.GetProperty("overdue").GetBoolean()));

        // By org unit: Sales holds everyone but the outsider, who sits in the root unit.
        var byUnit = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?{scope}&groupBy=orgUnit");
        Assert.Equal(13, Row(byUnit, sales).Assigned);
        Assert.Equal(1, Row(byUnit, root).Assigned);

        // The trend over the last weeks: the fifteen assignments, two completions (one a waiver), one learner active
        // (person 4's waiver is not learning); summed over the periods, since the test may straddle a Monday.
        var trend = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/trend?{scope}&interval=week");
        var periods = trend.GetProperty("periods").EnumerateArray().ToList();
        Assert.InRange(periods.Count, 12, 14);
        Assert.Equal((15, 2, 1), (periods.Sum(p => p.GetProperty("newAssignments").GetInt64()), periods.Sum(p => p.GetProperty("completions").GetInt64()),
            periods.Sum(p => p.GetProperty("activeLearners").GetInt64())));
        Assert.Equal(DayOfWeek.Monday, periods[0].GetProperty("from").GetDateTimeOffset().DayOfWeek);
        using (var badTrend = await admin.GetAsync($"/api/analytics/reports/trend?interval=fortnight"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badTrend.StatusCode);
            Assert.Contains("interval", await badTrend.Content.ReadAsStringAsync());
        }

        // The manager sees their people only (not the outsider), even when asking for the whole unit.
        using var manager = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), managerTokens.AccessToken);
        var mine = Totals(await manager.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?{scope}"));
        Assert.Equal((13, 2), (mine.Assigned, mine.Overdue));
        Assert.Equal(13, Totals(await manager.GetFromJsonAsync<JsonElement>("/api/analytics/reports/completion")).Assigned);
        // Their dashboard: person 0's completion makes one learner active in the last 30 days, as the trend's week says.
        var managerDashboard = (await manager.GetFromJsonAsync<JsonElement>("/api/analytics/dashboard")).GetProperty("figures");
        Assert.Equal((1L, 13L), (managerDashboard.GetProperty("activeLearners").GetInt64(), Read(managerDashboard.GetProperty("total")).Assigned));
        // The manager signed in (identity announces each sign-in): the one person of the unit signed in within 30 days.
        await Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/dashboard?{scope}")).GetProperty("figures")
            .GetProperty("signedIn").GetInt64(), n => n == 1, Soon, "the manager's sign-in on the unit's dashboard");

        // A person's transcript: their share of the figures, each assignment as the reports count it. The manager may read
        // their people's, and the outsider's is not found for them (as for anyone outside a caller's scope).
        var transcript = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/transcript/{people[2]}");
        Assert.Equal(($"Sales {tag}", "Overdue", "NotStarted"), (transcript.GetProperty("person").GetProperty("orgUnit").GetString(),
            Assert.Single(transcript.GetProperty("rows").EnumerateArray(), r => r.GetProperty("courseId").GetGuid() == fireSafety).GetProperty("status").GetString(),
            Assert.Single(transcript.GetProperty("rows").EnumerateArray(), r => r.GetProperty("courseId").GetGuid() == welcome).GetProperty("status").GetString()));
        Assert.Equal("Waived", Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/transcript/{people[4]}")).GetProperty("rows").EnumerateArray(),
            r => r.GetProperty("courseId").GetGuid() == fireSafety).GetProperty("status").GetString());
        Assert.Equal(3, (await CsvAsync(admin, $"/api/analytics/reports/transcript/{people[2]}/export")).Count); // header and two assignments
        using (var theirs = await manager.GetAsync($"/api/analytics/reports/transcript/{people[2]}"))
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        using (var notTheirs = await manager.GetAsync($"/api/analytics/reports/transcript/{outsider}"))
            Assert.Equal(HttpStatusCode.NotFound, notTheirs.StatusCode);
        // An export is its owner's: the manager cannot read the administrator's, or download its file.
        using (var notTheirExport = await manager.GetAsync($"/api/analytics/exports/{prepared}"))
            Assert.Equal(HttpStatusCode.NotFound, notTheirExport.StatusCode);
        using (var notTheirFile = await manager.GetAsync($"/api/analytics/exports/{prepared}/file"))
            Assert.Equal(HttpStatusCode.NotFound, notTheirFile.StatusCode);

        // An administrator of Sales alone sees Sales: the eight people, not the outsider in the unit above.
        var (_, _, salesAdminTokens) = await People.CreateSignedInAsync(platform.App, admin, "salesadmin", sales, [Roles.Administrator]);
        using var salesAdmin = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), salesAdminTokens.AccessToken);
        Assert.Equal((13, 2), Totals(await salesAdmin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?{scope}")) is var s ? (s.Assigned, s.Overdue) : default);

        // Bad input: a clear 400 naming the field.
        using var future = await admin.GetAsync($"/api/analytics/reports/completion?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2).ToString("O"))}");
        Assert.Equal(HttpStatusCode.BadRequest, future.StatusCode);
        Assert.Contains("asOf", await future.Content.ReadAsStringAsync());
        using var grouping = await admin.GetAsync("/api/analytics/reports/compliance?groupBy=weather");
        Assert.Equal(HttpStatusCode.BadRequest, grouping.StatusCode);
        using var badExport = await admin.GetAsync($"/api/analytics/reports/overdue/export?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(2).ToString("O"))}");
        Assert.Equal(HttpStatusCode.BadRequest, badExport.StatusCode);
    }

    [Fact]
    public async Task A_dashboard_counts_what_the_reports_count_and_its_expiring_certifications_lead_to_the_people()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var unit = await OrgUnits.CreateAsync(admin, $"Dashboard {tag}");
        var (managerId, _, managerTokens) = await People.CreateSignedInAsync(platform.App, admin, "dashmanager", null, [Roles.Manager], unit);
        async Task<Guid> PersonAsync(string name)
        {
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new
            {
                email = $"{name}.{tag}.{Guid.NewGuid():N}@example.org", givenName = name, familyName = tag, managerId, orgUnitId = unit,
                hireDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-60)),
            });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            return id;
        }
        var (ann, bo, cal) = (await PersonAsync("Ann"), await PersonAsync("Bo"), await PersonAsync("Cal"));
        var fireSafety = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Fire {tag}", d => d["compliance"] = new { dueWithinDays = 30, dueFrom = "hire" });
        var licence = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Licence {tag}", d => d["compliance"] = new { validityMonths = 12 });
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { ann }, courseId = fireSafety }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = new[] { bo, cal }, courseId = licence }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        // Bo's licence (a year's validity) expires in 20 days, Cal's in 75; both were completed long ago, records migrated.
        foreach (var (person, daysLeft) in new[] { (bo, 20), (cal, 75) })
        {
            var enrolment = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={person}")).GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
            using var done = await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{enrolment}/complete",
                new { completedAt = DateTimeOffset.UtcNow.AddMonths(-12).AddDays(daysLeft).AddHours(1), reason = "migrated" });
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        // The administrator's dashboard for the unit: the compliance report's totals, by org unit, both certifications counted.
        var scope = $"orgUnitId={unit}";
        var dashboard = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/analytics/dashboard?{scope}&weeks=52"),
            d => d.GetProperty("figures").GetProperty("expiringTotal").GetProperty("certified").GetInt64() == 2
                && Read(d.GetProperty("figures").GetProperty("total")) is { Assigned: 3, Completed: 2, Overdue: 1 }, Soon, "the dashboard counting the three assignments");
        var figures = dashboard.GetProperty("figures");
        var compliance = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/compliance?{scope}&asOf={Uri.EscapeDataString(dashboard.GetProperty("asOf").GetDateTimeOffset().ToString("O"))}");
        Assert.Equal(compliance.GetProperty("total").ToString(), figures.GetProperty("total").ToString());
        Assert.Equal((compliance.GetProperty("people").GetInt64(), compliance.GetProperty("compliantPeople").GetInt64()),
            (figures.GetProperty("people").GetInt64(), figures.GetProperty("compliantPeople").GetInt64()));
        Assert.Equal(($"Dashboard {tag}", "OrgUnit"), (dashboard.GetProperty("scope").GetString(), figures.GetProperty("breakdown").GetString()));
        var overdueUnit = Assert.Single(figures.GetProperty("overdue").EnumerateArray());
        Assert.Equal((unit, 1L), (overdueUnit.GetProperty("key").GetGuid(), overdueUnit.GetProperty("overdue").GetInt64()));
        var expiring = Assert.Single(figures.GetProperty("expiring").EnumerateArray());
        Assert.Equal((licence, 2L, 1L, 1L, 2L), (expiring.GetProperty("courseId").GetGuid(), expiring.GetProperty("certified").GetInt64(),
            expiring.GetProperty("expiring30").GetInt64(), expiring.GetProperty("expiring60").GetInt64(), expiring.GetProperty("expiring90").GetInt64()));
        // The trend: the three assignments this week and the two completions on their (migrated) dates within the 52 weeks;
        // in the last 12 weeks the completions are not there, and nobody learned in the last 30 days.
        long Sum(JsonElement d, string figure) => d.GetProperty("figures").GetProperty("trend").EnumerateArray().Sum(p => p.GetProperty(figure).GetInt64());
        Assert.Equal((52, 3L, 2L), (figures.GetProperty("trend").GetArrayLength(), Sum(dashboard, "newAssignments"), Sum(dashboard, "completions")));
        var twelve = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/dashboard?{scope}");
        Assert.Equal((12, 3L, 0L, 0L), (twelve.GetProperty("weeks").GetInt32(), Sum(twelve, "newAssignments"), Sum(twelve, "completions"),
            twelve.GetProperty("figures").GetProperty("activeLearners").GetInt64()));
        Assert.Contains(dashboard.GetProperty("definitions").EnumerateArray(), d => d.GetProperty("key").GetString() == "expiring");
        // About now the trend is read from the current figures' weekly cells; counted from the ledger copy as of the moment
        // they were taken, it is the same, week by week.
        Assert.Equal(dashboard.GetProperty("asOf").GetDateTimeOffset(), figures.GetProperty("trendAsOf").GetDateTimeOffset()); // taken with every round here
        var counted = await admin.GetFromJsonAsync<JsonElement>(
            $"/api/analytics/dashboard?{scope}&weeks=52&asOf={Uri.EscapeDataString(dashboard.GetProperty("asOf").GetDateTimeOffset().ToString("O"))}");
        Assert.Equal((true, false), (dashboard.GetProperty("currentFigures").GetBoolean(), counted.GetProperty("currentFigures").GetBoolean()));
        foreach (var part in new[] { "trend", "activeLearners", "total", "overdue", "expiring" })
            Assert.Equal(figures.GetProperty(part).ToString(), counted.GetProperty("figures").GetProperty(part).ToString());

        // The people behind the expiring counts: Bo within 30 days, Bo then Cal within 90, nobody for the other course.
        var within30 = (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/certifications/expiring?{scope}")).GetProperty("expiring");
        var bos = Assert.Single(within30.GetProperty("items").EnumerateArray());
        Assert.Equal((bo, licence), (bos.GetProperty("userId").GetGuid(), bos.GetProperty("courseId").GetGuid()));
        Assert.InRange(bos.GetProperty("daysLeft").GetInt32(), 19, 20);
        var within90 = (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/certifications/expiring?{scope}&within=90")).GetProperty("expiring");
        Assert.Equal([bo, cal], within90.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("userId").GetGuid()));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/certifications/expiring?{scope}&within=90&courseId={fireSafety}"))
            .GetProperty("expiring").GetProperty("totalCount").GetInt64());
        var csv = await CsvAsync(admin, $"/api/analytics/reports/certifications/expiring/export?{scope}&within=90");
        Assert.Equal(3, csv.Count);
        Assert.Contains($"Cal {tag}", csv[2]);

        // The manager's dashboard is about their team, by person: Ann is the one overdue.
        using var manager = Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), managerTokens.AccessToken);
        var theirs = (await manager.GetFromJsonAsync<JsonElement>("/api/analytics/dashboard")).GetProperty("figures");
        Assert.Equal(("Person", 3L), (theirs.GetProperty("breakdown").GetString(), Read(theirs.GetProperty("total")).Assigned));
        var annRow = Assert.Single(theirs.GetProperty("overdue").EnumerateArray());
        Assert.Equal((ann, $"Ann {tag}", 1L), (annRow.GetProperty("key").GetGuid(), annRow.GetProperty("name").GetString(), annRow.GetProperty("overdue").GetInt64()));

        // Bad input: a clear 400 naming the field.
        foreach (var (url, field) in new[] { ("/api/analytics/dashboard?weeks=7", "weeks"), ("/api/analytics/reports/certifications/expiring?within=0", "within"),
                     ("/api/analytics/reports/certifications/expiring/export?within=400", "within") })
        {
            using var bad = await admin.GetAsync(url);
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains(field, await bad.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_rebuild_empties_the_read_model_replays_every_source_and_gives_the_same_numbers_and_rows()
    {
        var admin = platform.Gateway;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var unit = await OrgUnits.CreateAsync(admin, $"Rebuild {tag}");
        var people = new List<Guid>();
        var emails = new List<string>();
        var hired = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-90));
        for (var n = 0; n < 3; n++)
        {
            emails.Add($"rebuild{n}.{Guid.NewGuid():N}@example.org");
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new
            {
                email = emails[n], givenName = $"Rebuild{n}", familyName = tag, orgUnitId = unit, hireDate = hired,
            });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            people.Add(id);
        }
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Rebuild {tag}",
            draft => draft["compliance"] = new { dueWithinDays = 30, dueFrom = "hire", validityMonths = 12 });
        using (var granted = await admin.PostAsJsonAsync("/api/identity/role-assignments", new { userId = people[1], role = "Manager", scopeOrgUnitId = unit }))
            Assert.Equal(HttpStatusCode.Created, granted.StatusCode);
        Guid audience;
        using (var created = await admin.PostAsJsonAsync("/api/enrolment/audiences", new { name = $"Rebuild {tag}", rule = new { type = "orgUnit", orgUnitId = unit }, leavePolicy = "Keep" }))
        {
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            audience = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        }
        using (var published = await admin.PostAsJsonAsync($"/api/enrolment/audiences/{audience}/publish", new { }))
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        using (var batch = await admin.PostAsJsonAsync("/api/enrolment/enrolments/batch", new { userIds = people, courseId = course }))
            Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        await Task.Delay(1100);
        var between = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        await Task.Delay(1100);
        var first = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={people[0]}")).GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/enrolment/enrolments/{first}/complete", new { reason = "attended" })).StatusCode);
        // The second person gets the first as manager (a move, in identity's audit trail).
        using (var moved = await admin.PutAsJsonAsync($"/api/identity/users/{people[1]}",
                   new { email = emails[1], givenName = "Rebuild1", familyName = tag, orgUnitId = unit, hireDate = hired, managerId = people[0] }))
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        // On the platform: the first person is mailed a password reset and signs in twice (identity logs each sign-in).
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        await People.SetPasswordAsync(platform.App, emails[0], password);
        for (var n = 0; n < 2; n++) await Oidc.SignInAsync(platform.App, emails[0], password);
        var now = await CountsReachAsync(admin, $"/api/analytics/reports/completion?orgUnitId={unit}", t => t.Completed == 1 && t.Overdue == 2, "the read model");
        var then = await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={unit}&asOf={between}");
        Assert.Equal((3, 0, 3), (Totals(then).Assigned, Totals(then).Completed, Totals(then).Overdue));
        // The rows each source gave analytics: this test's people, unit, course, certification and role, and every import's end.
        var ids = string.Join(", ", people.Select(p => $"'{p}'"));
        (string Name, string Sql)[] sources =
        [
            ("people", $"""SELECT concat_ws('|', "UserId", "Email", "DisplayName", "OrgUnitId", "ManagerId", "Status", "Erased", "CreatedAt", "HireDate") FROM user_facts WHERE "UserId" IN ({ids}) ORDER BY 1"""),
            ("org units", $"SELECT concat_ws('|', id, name, parent_id, active) FROM org_units WHERE id = '{unit}'"),
            ("roles", $"""SELECT concat_ws('|', "AssignmentId", "UserId", "Role", "ScopeOrgUnitId", "Granted", "ChangedAt") FROM roles_held WHERE "UserId" IN ({ids}) ORDER BY 1"""),
            ("courses", $"""SELECT concat_ws('|', "ItemId", "Code", "Title", "CategoryId", "Version", "ValidityMonths", "PublishedAt", "ArchivedAt") FROM item_facts WHERE "ItemId" = '{course}'"""),
            ("certifications", $"""SELECT concat_ws('|', "CertificationId", "Cycle", "UserId", "CertifiedAt", "ExpiresAt", "ExpiredAt") FROM certification_facts WHERE "CourseId" = '{course}'"""),
            ("imports", """SELECT concat_ws('|', "ImportId", "Kind", "Outcome", "FileName", "TotalRows", "ErrorRows", "Created", "Updated", "Moved", "Deactivated", "By", "At") FROM import_runs ORDER BY 1"""),
            ("audience changes", $"""SELECT concat_ws('|', "UserId", "Change", "At") FROM audience_changes WHERE "AudienceId" = '{audience}' ORDER BY 1"""),
            ("sign-ins", $"""SELECT concat_ws('|', "UserId", "At") FROM sign_ins WHERE "UserId" IN ({ids}) ORDER BY 1"""),
            ("moves", $"""
                SELECT concat_ws('|', "UserId", "At", "FromOrgUnitId", "FromManagerId", "FromStatus", "ToOrgUnitId", "ToManagerId", "ToStatus")
                FROM placement_changes WHERE "UserId" IN ({ids}) ORDER BY 1
                """),
            ("email outcomes", $"""
                SELECT concat_ws('|', "EmailId", "UserId", "Type", "Status", "Attempts", "QueuedAt", "At") FROM email_facts
                WHERE "UserId" = '{people[0]}' AND "Type" = 'account-password-reset'
                """),
        ];
        async Task<List<List<string>>> RowsAsync() => [.. await Task.WhenAll(sources.Select(s => platform.App.RowsAsync(ResourceNames.AnalyticsDb, s.Sql)))];
        var rows = await Eventually.ReachesAsync(RowsAsync, r => r[2].Count == 1 && r[4].Count == 1 && r[6].Count == 3 && r[7].Count == 2 && r[8].Count == 1
            && r[9].Count == 1, Soon, "the role, the certification, the audience's three members, the two sign-ins, the move and the mail's outcome copied");
        Assert.All(rows.Take(5), r => Assert.NotEmpty(r));
        Assert.EndsWith($"|{unit}|{people[0]}|Active", rows[8][0]); // the move: a manager now, where there was none
        Assert.Contains("|Sent|", rows[9][0]);
        // A copy gone wrong (an event lost, say): the people's copies are not emptied, and the replay mends this one from
        // identity without logging the mending as a move. The org tree is not emptied either: the replay adds a unit lost.
        Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"""
            WITH mangled AS (UPDATE user_facts SET "OrgUnitId" = NULL, "DisplayName" = 'Mangled' WHERE "UserId" = '{people[2]}' RETURNING 1) SELECT count(*) FROM mangled
            """));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"WITH lost AS (DELETE FROM org_units WHERE id = '{unit}' RETURNING 1) SELECT count(*) FROM lost"));
        // Nor are the sign-ins and the mail outcomes (analytics alone holds what came before their sources' logs): the
        // replay adds the sign-in lost and keeps the other once, and mends an outcome lost. Nor are the moves: the replay
        // of identity's audit trail adds a move lost.
        Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"""
            WITH lost AS (DELETE FROM placement_changes WHERE "UserId" = '{people[1]}' RETURNING 1) SELECT count(*) FROM lost
            """));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"""
            WITH lost AS (DELETE FROM sign_ins WHERE "Id" = (SELECT min("Id") FROM sign_ins WHERE "UserId" = '{people[0]}') RETURNING 1) SELECT count(*) FROM lost
            """));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.AnalyticsDb, $"""
            WITH lost AS (DELETE FROM email_facts WHERE "UserId" = '{people[0]}' AND "Type" = 'account-password-reset' RETURNING 1) SELECT count(*) FROM lost
            """));

        // One rebuild at a time: another one (the authorisation matrix starts one) is waited out.
        var rebuild = await Eventually.ReachesAsync(async () =>
        {
            using var started = await admin.PostAsync("/api/analytics/operations/rebuilds", null);
            Assert.True(started.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"{(int)started.StatusCode}");
            return started.StatusCode == HttpStatusCode.Accepted ? started.Headers.Location!.ToString() : null;
        }, location => location is not null, Soon, "a rebuild started");
        var done = await Eventually.ReachesAsync(async () => await admin.GetFromJsonAsync<JsonElement>(rebuild),
            r => r.GetProperty("completedAt").ValueKind != JsonValueKind.Null, Soon, "the rebuild finishing");
        Assert.True(done.GetProperty("records").GetInt64() >= 4 + 3 + 1 + 1 + 1 + 3 + 2 + 1 + 1, done.ToString());
        Assert.All(done.GetProperty("sources").EnumerateArray(), s => Assert.True(s.GetProperty("complete").GetBoolean(), s.ToString()));
        Assert.Equal(LmsPlatform.Contracts.ReplaySources.All, done.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("source").GetString()));
        using (var late = await admin.PostAsync($"{rebuild}/abandon", null))
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode); // a finished rebuild is not abandoned

        var ledger = await platform.CountAsync(ResourceNames.EnrolmentDb, $"SELECT count(*) FROM ledger WHERE \"CourseId\" = '{course}' AND \"Action\" <> 'Expired'");
        Assert.Equal(ledger, await platform.CountAsync(ResourceNames.AnalyticsDb, $"SELECT count(*) FROM ledger_events WHERE \"CourseId\" = '{course}'"));
        // Every source's rows came back as they were (the tables were emptied, or the copy mangled: none could be left over).
        var again = await RowsAsync();
        for (var n = 0; n < sources.Length; n++) Assert.True(rows[n].SequenceEqual(again[n]), $"{sources[n].Name}: {string.Join("; ", rows[n])} became {string.Join("; ", again[n])}");
        Assert.Equal(0, await platform.CountAsync(ResourceNames.AnalyticsDb, $"SELECT count(*) FROM placement_changes WHERE \"UserId\" = '{people[2]}'"));
        // Now comes from the current figures, which are taken again a moment after the rebuild's last page.
        var expected = Totals(now);
        await CountsReachAsync(admin, $"/api/analytics/reports/completion?orgUnitId={unit}", t => t == expected, "the current figures after the rebuild");
        Assert.Equal(then.GetProperty("total").ToString(),
            (await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={unit}&asOf={between}")).GetProperty("total").ToString());
    }

    /// <summary>A CSV download's lines (UTF-8 text/csv, as an attachment).</summary>
    /// <summary>
    /// A person who moves department is counted where they sat on the report's date: as of before the move in the old
    /// department (their assignment, and their overdue line, with it), now in the new one; the manager they had then too.
    /// Deactivated later, they are left out now and still counted on a date they were active.
    /// </summary>
    [Fact]
    public async Task A_person_who_moved_department_and_left_is_counted_where_and_as_they_were_on_the_report_date()
    {
        var admin = platform.Gateway;
        var tag = "Moved" + Guid.NewGuid().ToString("N")[..6];
        var before = await Identity.OrgUnits.CreateAsync(admin, $"{tag} wards");
        var after = await Identity.OrgUnits.CreateAsync(admin, $"{tag} theatres");
        var boss = await Users.CreateAsync(admin, $"{tag}boss");
        var email = $"mover.{tag}@example.org";
        Guid mover;
        using (var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = "Mo", familyName = tag, orgUnitId = before, managerId = boss }))
            mover = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, mover);
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, $"Moving {tag}");
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(3);
        using (var enrolled = await admin.PostAsJsonAsync("/api/enrolment/enrolments", new { userId = mover, courseId = course, dueAt }))
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        await CountsReachAsync(admin, $"/api/analytics/reports/completion?orgUnitId={before}", c => c.Assigned == 1, "the assignment in the first department");
        // A moment while they are there, after the due date passed.
        if (dueAt.AddSeconds(1) - DateTimeOffset.UtcNow is { Ticks: > 0 } wait) await Task.Delay(wait);
        var whileThere = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1));

        // HR moves them, to another department and no manager.
        using (var moved = await admin.PutAsJsonAsync($"/api/identity/users/{mover}", new { email, givenName = "Mo", familyName = tag, orgUnitId = after }))
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await CountsReachAsync(admin, $"/api/analytics/reports/completion?orgUnitId={after}", c => c.Assigned == 1, "the assignment in the new department now");
        Assert.Equal(0, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={before}")).Assigned);

        // As of while they were there: the old department's, with its overdue line naming the department and manager of then.
        var asOf = Uri.EscapeDataString(whileThere.ToString("O"));
        var then = Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={before}&asOf={asOf}"));
        Assert.Equal((1L, 1L), (then.Assigned, then.Overdue));
        Assert.Equal(0, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={after}&asOf={asOf}")).Assigned);
        var line = Assert.Single((await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/overdue?orgUnitId={before}&asOf={asOf}"))
            .GetProperty("overdue").GetProperty("items").EnumerateArray());
        Assert.Equal((mover, before, boss), (line.GetProperty("userId").GetGuid(), line.GetProperty("orgUnitId").GetGuid(), line.GetProperty("managerId").GetGuid()));
        // The manager's people as of then: the mover reported to them then, and no longer does.
        Assert.Equal(1, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?managerId={boss}&asOf={asOf}")).Assigned);
        Assert.Equal(0, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?managerId={boss}")).Assigned);

        // They leave: deactivated now, they are not counted now, and still counted as of while they were active.
        var active = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(1));
        using (var deactivated = await admin.PostAsync($"/api/identity/users/{mover}/deactivate", null))
            Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        await CountsReachAsync(admin, $"/api/analytics/reports/completion?orgUnitId={after}", c => c.Assigned == 0, "the deactivated person left out now");
        var whileActive = Uri.EscapeDataString(active.ToString("O"));
        Assert.Equal(1, Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={after}&asOf={whileActive}")).Assigned);
        var past = Totals(await admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/completion?orgUnitId={before}&asOf={asOf}"));
        Assert.Equal((1L, 1L), (past.Assigned, past.Overdue)); // left out now, not from the past
    }

    private static async Task<List<string>> CsvAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        return [.. (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
    }

    private sealed record Counts(long Assigned, long NotStarted, long InProgress, long Completed, long Paused, long Overdue, long Required, long Compliant, double? CompletionRate);

    private static Counts Read(JsonElement row) => new(row.GetProperty("assigned").GetInt64(), row.GetProperty("notStarted").GetInt64(),
        row.GetProperty("inProgress").GetInt64(), row.GetProperty("completed").GetInt64(), row.GetProperty("paused").GetInt64(), row.GetProperty("overdue").GetInt64(),
        row.GetProperty("required").GetInt64(), row.GetProperty("compliant").GetInt64(),
        row.GetProperty("completionRate").ValueKind == JsonValueKind.Null ? null : row.GetProperty("completionRate").GetDouble());

    private static Counts Totals(JsonElement report) => Read(report.GetProperty("total"));

    private static Counts Row(JsonElement report, Guid key) =>
        Read(Assert.Single(report.GetProperty("rows").EnumerateArray(), r => r.GetProperty("key").ValueKind != JsonValueKind.Null && r.GetProperty("key").GetGuid() == key));

    private static async Task<JsonElement> CountsReachAsync(HttpClient client, string url, Func<Counts, bool> condition, string what)
    {
        JsonElement report = default;
        await Eventually.ReachesAsync(async () =>
        {
            report = await client.GetFromJsonAsync<JsonElement>(url);
            return Totals(report);
        }, condition, Soon, what);
        return report;
    }
}
