using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.IntegrationTests.Identity;

namespace LmsPlatform.IntegrationTests.Analytics;

/// <summary>
/// The provisioning health report: HR imports reach analytics as they end (a department import applied, a people
/// import applied with a bad row left out, a file that cannot be read failed), each listed with its rows and counted in
/// its period; the people of a department are counted for the gaps in their records; and a report covering only a part
/// of the organisation shows no imports (they are the whole organisation's), and its export has none.
/// </summary>
public class ProvisioningTests(PlatformFixture platform)
{
    [Fact]
    public async Task Imports_applied_failed_and_their_people_reach_the_provisioning_report()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..8];
        var units = await Imports.ApplyAsync(admin, await Imports.UploadAsync(admin, $"external_id,name\n{t}-ward,Ward {t}\n", kind: "org-units"));
        Assert.Equal("Completed", units.GetProperty("status").GetString());
        // Two people in the ward (the second managed by the first), a row with a bad email left out.
        var people = await Imports.ApplyAsync(admin, await Imports.UploadAsync(admin, $"""
            external_id,email,given_name,family_name,department,manager
            {t}-1,lead.{t}@example.org,Lea,Lead,{t}-ward,
            {t}-2,nurse.{t}@example.org,Nia,Nurse,{t}-ward,{t}-1
            {t}-3,not-an-email,Bad,Row,{t}-ward,
            """));
        Assert.Equal("Completed", people.GetProperty("status").GetString());
        var failed = await Imports.UploadAsync(admin, "no,header,we,know\n1,2,3,4\n");
        Assert.Equal("Failed", failed.GetProperty("status").GetString());
        var ward = (await admin.GetFromJsonAsync<JsonElement>($"/api/identity/org-units?search=Ward%20{t}")).GetProperty("items")[0].GetProperty("id").GetGuid();

        var report = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/analytics/reports/provisioning"),
            r => new[] { units, people, failed }.All(job => Run(r, job) is not null),
            TimeSpan.FromSeconds(60), "the three imports in the report");
        Assert.True(report.GetProperty("importsShown").GetBoolean());
        var applied = Run(report, people)!.Value;
        Assert.Equal(("applied", "users", 3, 1, 2, 0), (applied.GetProperty("outcome").GetString(), applied.GetProperty("kind").GetString(),
            applied.GetProperty("totalRows").GetInt32(), applied.GetProperty("errorRows").GetInt32(), applied.GetProperty("created").GetInt32(),
            applied.GetProperty("deactivated").GetInt32()));
        Assert.Equal(("applied", "orgUnits", 1), (Run(report, units)!.Value.GetProperty("outcome").GetString(), Run(report, units)!.Value.GetProperty("kind").GetString(),
            Run(report, units)!.Value.GetProperty("created").GetInt32()));
        var broken = Run(report, failed)!.Value;
        Assert.Equal(("failed", 0), (broken.GetProperty("outcome").GetString(), broken.GetProperty("created").GetInt32()));
        Assert.False(string.IsNullOrWhiteSpace(broken.GetProperty("message").GetString()));
        // The last period holds today's imports: at least these three ends and their rows.
        var today = report.GetProperty("periods").EnumerateArray().Last();
        Assert.True(today.GetProperty("applied").GetInt32() >= 2 && today.GetProperty("failed").GetInt32() >= 1 && today.GetProperty("created").GetInt32() >= 3
                    && today.GetProperty("errorRows").GetInt32() >= 1, today.ToString());
        Assert.Contains(report.GetProperty("definitions").EnumerateArray(), d => d.GetProperty("key").GetString() == "neverSignedIn");

        // The ward's people: two, one without a manager, none without email, neither ever signed in.
        var byWard = await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/analytics/reports/provisioning?orgUnitId={ward}"),
            r => r.GetProperty("people").GetProperty("people").GetInt64() == 2 && r.GetProperty("people").GetProperty("withoutManager").GetInt64() == 1,
            TimeSpan.FromSeconds(30), "the ward's two people, one managed");
        var figures = byWard.GetProperty("people");
        Assert.Equal((0L, 0L, 2L), (figures.GetProperty("withoutOrgUnit").GetInt64(), figures.GetProperty("withoutEmail").GetInt64(), figures.GetProperty("neverSignedIn").GetInt64()));
        // A department's report shows no imports, and exports none.
        Assert.False(byWard.GetProperty("importsShown").GetBoolean());
        Assert.Empty(byWard.GetProperty("runs").EnumerateArray());
        var wardCsv = (await admin.GetStringAsync($"/api/analytics/reports/provisioning/export?orgUnitId={ward}")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(wardCsv);

        // Everyone's export: a row per import, these among them.
        var csv = await admin.GetStringAsync("/api/analytics/reports/provisioning/export?format=csv");
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ImportId,Kind,Outcome,FileName", lines[0].TrimStart('\uFEFF'));
        Assert.Contains(lines, l => l.StartsWith(people.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal) && l.Contains(",applied,"));
        Assert.Contains(lines, l => l.StartsWith(failed.GetProperty("id").GetGuid().ToString(), StringComparison.Ordinal) && l.Contains(",failed,"));
        using (var badFormat = await admin.GetAsync("/api/analytics/reports/provisioning/export?format=pdf"))
            Assert.Equal(HttpStatusCode.BadRequest, badFormat.StatusCode);
    }

    private static JsonElement? Run(JsonElement report, JsonElement job) =>
        report.GetProperty("runs").EnumerateArray().Where(r => r.GetProperty("importId").GetGuid() == job.GetProperty("id").GetGuid())
            .Select(r => (JsonElement?)r).FirstOrDefault();
}
