using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Identity;

public static class Imports
{
    public static async Task<JsonElement> UploadAsync(HttpClient admin, string csv, string kind = "users", bool deactivateMissing = false, byte[]? raw = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(raw ?? Encoding.UTF8.GetBytes(csv)), "file", "hr.csv");
        using var response = await admin.PostAsync($"/api/identity/imports?kind={kind}&deactivateMissing={deactivateMissing}", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var job = await response.Content.ReadFromJsonAsync<JsonElement>();
        return await WaitAsync(admin, job.GetProperty("id").GetGuid(), "Planned", "Failed");
    }

    /// <summary>
    /// Uploads <paramref name="count"/> new people (emails <c>{tag}.{i}@example.org</c>, the given name
    /// <paramref name="givenName"/>), checks the dry run plans them all, and asks for the apply without waiting for it.
    /// </summary>
    public static async Task<(string Tag, Guid Id)> StartNewPeopleAsync(HttpClient admin, int count, string givenName)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var csv = new StringBuilder("external_id,email,given_name,family_name\n");
        for (var i = 0; i < count; i++) csv.Append($"{tag}-{i},{tag}.{i}@example.org,{givenName},{i}\n");
        var plan = await UploadAsync(admin, csv.ToString());
        Assert.Equal(count, plan.GetProperty("toCreate").GetInt32());
        var id = plan.GetProperty("id").GetGuid();
        using var apply = await admin.PostAsync($"/api/identity/imports/{id}/apply", null);
        Assert.Equal(HttpStatusCode.Accepted, apply.StatusCode);
        return (tag, id);
    }

    public static async Task<JsonElement> WaitAsync(HttpClient admin, Guid id, params string[] statuses) =>
        await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>($"/api/identity/imports/{id}"),
            j => statuses.Contains(j.GetProperty("status").GetString()), TimeSpan.FromSeconds(60), $"import {id} to reach {string.Join("/", statuses)}");

    public static async Task<JsonElement> ApplyAsync(HttpClient admin, JsonElement job, bool confirm = false)
    {
        var id = job.GetProperty("id").GetGuid();
        using var response = await admin.PostAsync($"/api/identity/imports/{id}/apply?confirmDeactivations={confirm}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await WaitAsync(admin, id, "Completed", "Failed", "Planned");
    }
}

/// <summary>HR CSV imports: a dry run first, bad rows reported and left out, idempotent re-runs.</summary>
public class ImportTests(PlatformFixture platform)
{
    [Fact]
    public async Task Bad_rows_are_reported_by_row_and_column_and_never_stop_the_good_ones()
    {
        var admin = platform.Gateway;
        var t = Guid.NewGuid().ToString("N")[..8];
        var csv = $"""
            Employee Number,Email,First Name,Last Name,Job Title,Location,Hire Date,Manager,Status
            {t}-1,boss.{t}@example.org,Ada,Boss,Director,London,2020-01-06,,active
            {t}-2,worker.{t}@example.org,Bo,Worker,Analyst,"Leeds, UK",2023-05-01,{t}-1,active
            {t}-3,not-an-email,Cy,Broken,Analyst,Leeds,2023-05-01,{t}-1,active
            {t}-4,date.{t}@example.org,Di,Date,Analyst,Leeds,01/05/2023,{t}-1,active
            {t}-5,dup1.{t}@example.org,Ed,One,Analyst,Leeds,2023-05-01,,active
            {t}-5,dup2.{t}@example.org,Ed,Two,Analyst,Leeds,2023-05-01,,active
            {t}-6,orphan.{t}@example.org,Fi,Orphan,Analyst,Leeds,2023-05-01,nobody-{t},active
            {t}-7,"quote.{t}@example.org,Gu,Quote,Analyst,Leeds,2023-05-01,,active
            """;
        var job = await Imports.UploadAsync(admin, csv);
        Assert.Equal("Planned", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("toCreate").GetInt32());
        Assert.True(job.GetProperty("errorRows").GetInt32() >= 5, job.GetRawText());
        Assert.Equal(2, job.GetProperty("preview").GetArrayLength());

        var id = job.GetProperty("id").GetGuid();
        var report = await admin.GetStringAsync($"/api/identity/imports/{id}/errors");
        Assert.StartsWith("row,column,reason", report);
        Assert.Contains("3,email,is not a valid email address", report);
        Assert.Contains("4,hire_date,", report);
        Assert.Contains($"5,external_id,\"'{t}-5' appears on rows 5, 6\"", report); // quoted: the reason holds a comma
        Assert.Contains($"7,manager_external_id,no user has the external id 'nobody-{t}'", report);

        // Nothing was written by the dry run.
        Assert.Equal(0, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"ExternalId\" LIKE '{t}-%'"));

        var applied = await Imports.ApplyAsync(admin, job);
        Assert.Equal("Completed", applied.GetProperty("status").GetString());
        Assert.Equal(2, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM users WHERE \"ExternalId\" LIKE '{t}-%'"));
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM users w JOIN users b ON w.\"ManagerId\" = b.\"Id\" WHERE w.\"ExternalId\" = '{t}-2' AND b.\"ExternalId\" = '{t}-1' AND w.\"Location\" = 'Leeds, UK'"));
        Assert.Equal(2, await platform.CountAsync(ResourceNames.IdentityDb, $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserCreated' AND payload->>'externalId' LIKE '{t}-%'"));

        // The same file again changes nothing: the import is an idempotent upsert by external id.
        var again = await Imports.UploadAsync(admin, csv);
        Assert.Equal(0, again.GetProperty("toCreate").GetInt32());
        Assert.Equal(0, again.GetProperty("toUpdate").GetInt32());
        Assert.Equal(2, again.GetProperty("unchanged").GetInt32());

        // A changed title is an update that names the attribute.
        var changed = await Imports.UploadAsync(admin, csv.Replace("Ada,Boss,Director", "Ada,Boss,CEO"));
        Assert.Equal(1, changed.GetProperty("toUpdate").GetInt32());
        await Imports.ApplyAsync(admin, changed);
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserUpdated' AND payload->'profile'->>'externalId' = '{t}-1' AND payload->'changed' = '[\"jobTitle\"]'::jsonb"));
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused_whole_with_the_reason()
    {
        var latin1 = Encoding.Latin1.GetBytes("external_id,email,given_name,family_name\nL1,jose@example.org,José,Núñez\n");
        var job = await Imports.UploadAsync(platform.Gateway, "", raw: latin1);
        Assert.Equal("Failed", job.GetProperty("status").GetString());
        Assert.Contains("not UTF-8", job.GetProperty("message").GetString());

        var missingColumns = await Imports.UploadAsync(platform.Gateway, "email,given_name\nx@example.org,X\n");
        Assert.Equal("Failed", missingColumns.GetProperty("status").GetString());
        Assert.Contains("external_id", missingColumns.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Org_units_import_builds_the_tree_with_parents_listed_after_children()
    {
        var t = Guid.NewGuid().ToString("N")[..8];
        var csv = $"""
            external_id,name,parent_external_id
            {t}-emea,EMEA,{t}-root
            {t}-root,Holding {t},
            {t}-uk,United Kingdom,{t}-emea
            {t}-loop,Loop,{t}-loop
            """;
        var job = await Imports.UploadAsync(platform.Gateway, csv, kind: "org-units");
        Assert.Equal(3, job.GetProperty("toCreate").GetInt32());
        Assert.Equal(1, job.GetProperty("errorRows").GetInt32());
        var applied = await Imports.ApplyAsync(platform.Gateway, job);
        Assert.Equal("Completed", applied.GetProperty("status").GetString());
        Assert.Equal(1, await platform.CountAsync(ResourceNames.IdentityDb,
            $"SELECT count(*) FROM org_units uk JOIN org_units r ON uk.\"Path\" LIKE r.\"Path\" || '%' WHERE uk.\"ExternalId\" = '{t}-uk' AND r.\"ExternalId\" = '{t}-root' AND uk.\"Id\" <> r.\"Id\""));
    }
}

/// <summary>
/// The deactivation safety threshold: a full HR extract that drops half the people is refused until an administrator
/// confirms it. The threshold counts everyone imported, so this runs first on the shared platform
/// (<see cref="FirstOnThePlatform"/>), before any other test imports anybody; it says so if it did not.
/// </summary>
public class ImportSafetyTests(PlatformFixture platform)
{
    private TestPlatform _app => platform.App;

    [Fact]
    public async Task An_import_that_would_deactivate_half_the_users_needs_confirmation()
    {
        var admin = platform.Gateway;
        Assert.True(await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM users WHERE \"ExternalId\" IS NOT NULL") == 0,
            "Another test imported people before this one: it must run first on the platform (FirstOnThePlatform).");
        var rows = Enumerable.Range(1, 10).Select(i => $"H{i},h{i}@example.org,Hr,Person{i}").ToList();
        var full = "external_id,email,given_name,family_name\n" + string.Join("\n", rows);
        var created = await Imports.ApplyAsync(admin, await Imports.UploadAsync(admin, full));
        Assert.Equal("Completed", created.GetProperty("status").GetString());

        var half = "external_id,email,given_name,family_name\n" + string.Join("\n", rows.Take(5));
        var plan = await Imports.UploadAsync(admin, half, deactivateMissing: true);
        Assert.Equal(5, plan.GetProperty("toDeactivate").GetInt32());
        Assert.Equal(50, plan.GetProperty("deactivationPercent").GetDouble());

        using var refused = await admin.PostAsync($"/api/identity/imports/{plan.GetProperty("id").GetGuid()}/apply", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("safety threshold", await refused.Content.ReadAsStringAsync());
        Assert.Equal(0, await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM users WHERE \"Status\" = 'Deactivated'"));

        var confirmed = await Imports.ApplyAsync(admin, plan, confirm: true);
        Assert.Equal("Completed", confirmed.GetProperty("status").GetString());
        Assert.Equal(5, await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM users WHERE \"Status\" = 'Deactivated' AND \"ExternalId\" IN ('H6','H7','H8','H9','H10')"));
        Assert.Equal(5, await Sql.CountAsync(_app, ResourceNames.IdentityDb, "SELECT count(*) FROM outbox_messages WHERE type LIKE '%UserDeactivated'"));
    }
}
