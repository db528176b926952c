using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;
using LmsPlatform.IntegrationTests.Identity;
using LmsPlatform.Testing;

namespace LmsPlatform.IntegrationTests.Notification;

/// <summary>
/// Mail under faults, on the fault tests' platform: the SMTP server away during a send, and notification killed
/// in the middle of one. Every mail arrives after the fault, and is counted at the SMTP server.
/// </summary>
[Collection(FaultPlatformCollection.Name)]
public class MailOutageTests(FaultPlatformFixture fault)
{
    private TestPlatform App => fault.App;

    /// <summary>Imports <paramref name="count"/> people and invites them all: one invitation mail each.</summary>
    private async Task<List<string>> InviteManyAsync(HttpClient admin, string tag, int count)
    {
        var csv = new StringBuilder("external_id,email,given_name,family_name,status\n");
        for (var i = 0; i < count; i++) csv.Append($"{tag}-{i},{tag}.{i}@example.org,P{i},Mail{tag},active\n");
        Assert.Equal("Completed", (await Imports.ApplyAsync(admin, await Imports.UploadAsync(admin, csv.ToString()))).GetProperty("status").GetString());
        var ids = new List<Guid>();
        for (var page = 1; ids.Count < count; page++)
            ids.AddRange((await admin.GetFromJsonAsync<JsonElement>($"/api/identity/users?search=Mail{tag}&pageSize=200&page={page}")).GetProperty("items")
                .EnumerateArray().Select(u => u.GetProperty("id").GetGuid()));
        using var invited = await admin.PostAsJsonAsync("/api/identity/invitations", new { userIds = ids });
        Assert.Equal(HttpStatusCode.OK, invited.StatusCode);
        Assert.Equal(count, (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("invited").GetInt32());
        return [.. Enumerable.Range(0, count).Select(i => $"{tag}.{i}@example.org")];
    }

    /// <summary>How many invitation mails each address received, once every address has one (or the time is up).</summary>
    private async Task<Dictionary<string, int>> ReceivedAsync(IReadOnlyCollection<string> addresses, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Dictionary<string, int> counts = [];
        do
        {
            using var mail = App.CreateHttpClient(ResourceNames.Mail);
            try
            {
                var received = await mail.GetFromJsonAsync<JsonElement>("/api/messages?take=1000&bodies=false");
                counts = addresses.ToDictionary(a => a, a => received.EnumerateArray().Count(m =>
                    m.GetProperty("to").EnumerateArray().Any(t => t.GetString() == a) && m.GetProperty("subject").GetString() == "You are invited to learning"));
                if (counts.Values.All(c => c > 0)) return counts;
            }
            catch (HttpRequestException) { }
            await Task.Delay(500);
        } while (DateTime.UtcNow < deadline);
        return counts;
    }

    /// <summary>Where the fault tests' figures are kept for the record (artifacts/measurements, beside the screenshots).</summary>
    private static string MeasurementsFolder() =>
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "measurements")).FullName;

    [Fact]
    public async Task Mail_sent_while_the_smtp_server_is_down_arrives_once_when_it_returns()
    {
        using var admin = Oidc.WithToken(App.CreateHttpClient(ResourceNames.Gateway), await PlatformFixture.AdminTokenAsync(App));
        var tag = "down" + Guid.NewGuid().ToString("N")[..6];
        await App.StopResourceAsync(ResourceNames.Mail);
        var addresses = await InviteManyAsync(admin, tag, 60);

        // The attempts fail and wait, with the reason in the delivery log.
        await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/notification/deliveries?status=Retrying&type=account-invitation"),
            page => page.GetProperty("totalCount").GetInt32() > 0, TimeSpan.FromSeconds(90), "failed attempts retrying");
        var retrying = (await admin.GetFromJsonAsync<JsonElement>("/api/notification/deliveries?status=Retrying&type=account-invitation")).GetProperty("items")[0];
        Assert.False(string.IsNullOrEmpty(retrying.GetProperty("lastError").GetString()));

        // Several backoff steps (15 s doubling): 40 s here; LMS_MAIL_OUTAGE_SECONDS=120 gives the two minutes.
        var outage = int.TryParse(Environment.GetEnvironmentVariable("LMS_MAIL_OUTAGE_SECONDS"), out var seconds) ? seconds : 40;
        await Task.Delay(TimeSpan.FromSeconds(outage));
        await App.StartResourceAsync(ResourceNames.Mail);
        var back = System.Diagnostics.Stopwatch.StartNew();

        var counts = await ReceivedAsync(addresses, TimeSpan.FromSeconds(60 + 2 * outage));
        Assert.All(counts, c => Assert.True(c.Value == 1, $"{c.Key} received {c.Value}"));
        await File.AppendAllTextAsync(Path.Combine(MeasurementsFolder(), "mail-faults.txt"),
            $"{DateTimeOffset.UtcNow:u} SMTP server down {outage} s with {addresses.Count} invitations queued: all {counts.Count} arrived, none twice; the last {back.Elapsed.TotalSeconds:0} s after it returned\n");
        await Eventually.ReachesAsync(() => admin.GetFromJsonAsync<JsonElement>("/api/notification/deliveries?status=Sent&type=account-invitation&pageSize=200"),
            page => page.GetProperty("items").EnumerateArray().Count(d => d.GetProperty("to").GetString()!.StartsWith(tag)) == addresses.Count,
            TimeSpan.FromSeconds(30), "every invitation marked sent");
    }

    [Fact]
    public async Task Notification_killed_in_the_middle_of_a_send_delivers_every_mail_after_its_restart()
    {
        using var admin = Oidc.WithToken(App.CreateHttpClient(ResourceNames.Gateway), await PlatformFixture.AdminTokenAsync(App));
        var tag = "kill" + Guid.NewGuid().ToString("N")[..6];
        var addresses = await InviteManyAsync(admin, tag, 400);

        // Kill it (SIGKILL) once sending has begun and before it has ended.
        var started = await ReceivedAsyncPartly(addresses, 10);
        Assert.True(started < addresses.Count, "the send was over before the kill");
        var pid = App.Kill(ResourceNames.NotificationApi);
        await App.WaitForRestartAsync(ResourceNames.NotificationApi, pid, TimeSpan.FromSeconds(90));

        var counts = await ReceivedAsync(addresses, TimeSpan.FromMinutes(3));
        Assert.All(counts, c => Assert.True(c.Value >= 1, $"{c.Key} received nothing"));
        // At most the mail each connection was handing over at the kill can go twice (RFC 1047): count it.
        var twice = counts.Count(c => c.Value > 1);
        Assert.True(twice <= 4, $"{twice} mails arrived twice");
        await File.AppendAllTextAsync(Path.Combine(MeasurementsFolder(), "mail-faults.txt"),
            $"{DateTimeOffset.UtcNow:O} notification killed after {started} of {addresses.Count} mails had arrived; all arrived; {twice} arrived twice\n");
    }

    private async Task<int> ReceivedAsyncPartly(IReadOnlyCollection<string> addresses, int atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            using var mail = App.CreateHttpClient(ResourceNames.Mail);
            var set = addresses.ToHashSet();
            var received = (await mail.GetFromJsonAsync<JsonElement>("/api/messages?take=1000&bodies=false")).EnumerateArray()
                .Count(m => m.GetProperty("to").EnumerateArray().Any(t => set.Contains(t.GetString()!)));
            if (received >= atLeast) return received;
            await Task.Delay(20);
        }
        throw new TimeoutException("sending did not begin");
    }
}
