using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Enrolment;

/// <summary>
/// Bulk enrolment and historical completions by CSV: a dry run that changes nothing and says what each row would do,
/// an application that does exactly that, a row-level report of the refused rows, and a second run that changes nothing.
/// </summary>
public class EnrolmentImportTests(PlatformFixture platform)
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_csv_is_planned_then_applied_row_by_row_and_completions_of_the_past_land_on_their_day()
    {
        var admin = platform.Gateway;
        var course = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Data protection");
        var code = (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{course}")).GetProperty("code").GetString()!;
        var tag = Guid.NewGuid().ToString("N")[..8];
        async Task<(Guid Id, string Email, string Number)> PersonAsync(string name)
        {
            var (email, number) = ($"{name}.{tag}@example.org", $"E-{name}-{tag}");
            using var created = await admin.PostAsJsonAsync("/api/identity/users", new { email, givenName = name, familyName = "Import", externalId = number });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            await EnrolmentClient.LearnerCopyAsync(admin, id);
            return (id, email, number);
        }
        var ada = await PersonAsync("ada");
        var bo = await PersonAsync("bo");
        var leaver = await PersonAsync("leaver");
        using (var deactivated = await admin.PostAsync($"/api/identity/users/{leaver.Id}/deactivate", null))
            Assert.True(deactivated.IsSuccessStatusCode);
        await Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/learners/{leaver.Id}")).GetProperty("status").GetString(),
            s => s == "Deactivated", Soon, "the leaver's copy deactivated");

        var due = DateTime.UtcNow.AddDays(40).ToString("yyyy-MM-dd");
        var enrolments = $"""
            Email;Course code;Due date;Note
            {ada.Email};{code};{due};new regulation
            {ada.Email.ToUpperInvariant()};{code};{due};new regulation
            nobody.{tag}@example.org;{code};;
            {bo.Email};NO-SUCH-COURSE;;
            {bo.Email};{code};2020-01-01;
            {leaver.Email};{code};;
            """;
        var planned = await PlannedAsync(admin, "enrolments", enrolments);
        Assert.Equal((6, 1, 1, 4), (planned.GetProperty("totalRows").GetInt32(), planned.GetProperty("toEnrol").GetInt32(),
            planned.GetProperty("unchanged").GetInt32(), planned.GetProperty("errorRows").GetInt32()));
        Assert.Equal(0, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={ada.Id}")).GetProperty("totalCount").GetInt32());
        var id = planned.GetProperty("id").GetGuid();
        var errors = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/imports/{id}/errors");
        Assert.Equal([(3, "email"), (4, "course"), (5, "dueDate"), (6, "email")],
            errors.EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("column").GetString()!)));
        Assert.Contains("is deactivated", errors[3].GetProperty("reason").GetString());

        var applied = await AppliedAsync(admin, id);
        Assert.Equal((1, 1, 4, 6), (applied.GetProperty("toEnrol").GetInt32(), applied.GetProperty("unchanged").GetInt32(),
            applied.GetProperty("errorRows").GetInt32(), applied.GetProperty("processedRows").GetInt32()));
        var enrolment = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={ada.Id}")).GetProperty("items")[0];
        Assert.Equal(("Import", id.ToString()), (enrolment.GetProperty("source").GetString(), enrolment.GetProperty("sourceReference").GetString()));
        Assert.Equal(due, enrolment.GetProperty("dueAt").GetDateTimeOffset().ToString("yyyy-MM-dd"));
        using (var report = new HttpRequestMessage(HttpMethod.Get, $"/api/enrolment/imports/{id}/errors"))
        {
            report.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
            using var csv = await admin.SendAsync(report);
            var lines = (await csv.Content.ReadAsStringAsync()).Trim().Split("\r\n"); // RFC 4180 line ends
            Assert.Equal("row,column,reason", lines[0]);
            Assert.Equal(5, lines.Length);
            Assert.StartsWith("4,course,no such course: NO-SUCH-COURSE", lines[2]);
        }
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/enrolment/imports/{id}/apply", null)).StatusCode);

        // Completions of the past, by employee number: ada's completes her enrolment, bo's enrols and completes him on
        // that day (the ledger's "as of" agrees), the leaver's record is kept; a date to come is refused.
        var completions = $"""
            employeeNumber,course,completedOn
            {ada.Number},{code},2026-06-01
            {bo.Number},{code},2026-05-04
            {leaver.Number},{code},2025-11-20
            {bo.Number},{code},2099-01-01
            """;
        var history = await PlannedAsync(admin, "completions", completions);
        Assert.Equal((2, 1, 1), (history.GetProperty("toEnrol").GetInt32(), history.GetProperty("toComplete").GetInt32(), history.GetProperty("errorRows").GetInt32()));
        var done = await AppliedAsync(admin, history.GetProperty("id").GetGuid());
        Assert.Equal((2, 1, 1), (done.GetProperty("toEnrol").GetInt32(), done.GetProperty("toComplete").GetInt32(), done.GetProperty("errorRows").GetInt32()));
        var bos = (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={bo.Id}")).GetProperty("items")[0].GetProperty("id").GetGuid();
        var asOf = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{bos}?asOf=2026-05-10T00:00:00Z");
        Assert.Equal("Completed", asOf.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/enrolment/enrolments/{bos}?asOf=2026-05-01T00:00:00Z")).StatusCode);
        var adas = await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{enrolment.GetProperty("id").GetGuid()}");
        Assert.Equal(("Completed", "2026-06-01"), (adas.GetProperty("status").GetString(), adas.GetProperty("completedAt").GetDateTimeOffset().ToString("yyyy-MM-dd")));
        Assert.Equal(1, (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments?userId={leaver.Id}&status=completed")).GetProperty("totalCount").GetInt32());

        // The same file again changes nothing.
        var again = await PlannedAsync(admin, "completions", completions);
        Assert.Equal((0, 0, 3), (again.GetProperty("toEnrol").GetInt32(), again.GetProperty("toComplete").GetInt32(), again.GetProperty("unchanged").GetInt32()));

        // A file that names no course is refused as a whole.
        var refused = await UploadAsync(admin, "enrolments", "email\nsomeone@example.org\n");
        var failed = await Eventually.ReachesAsync(() => JobAsync(admin, refused), j => j.GetProperty("status").GetString() == "Failed", Soon, "refused file");
        Assert.Contains("naming the course", failed.GetProperty("message").GetString());
    }

    private static async Task<Guid> UploadAsync(HttpClient admin, string kind, string csv)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(csv)) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", $"{kind}.csv");
        using var response = await admin.PostAsync($"/api/enrolment/imports?kind={kind}", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
    }

    private static async Task<JsonElement> JobAsync(HttpClient admin, Guid id) => await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/imports/{id}");

    private static async Task<JsonElement> PlannedAsync(HttpClient admin, string kind, string csv)
    {
        var id = await UploadAsync(admin, kind, csv);
        return await Eventually.ReachesAsync(() => JobAsync(admin, id), j => j.GetProperty("status").GetString() is "Planned" or "Failed", Soon, "the dry run");
    }

    private static async Task<JsonElement> AppliedAsync(HttpClient admin, Guid id)
    {
        using (var apply = await admin.PostAsync($"/api/enrolment/imports/{id}/apply", null))
            Assert.Equal(HttpStatusCode.Accepted, apply.StatusCode);
        return await Eventually.ReachesAsync(() => JobAsync(admin, id), j => j.GetProperty("status").GetString() is "Completed" or "Failed", Soon, "applied");
    }
}
