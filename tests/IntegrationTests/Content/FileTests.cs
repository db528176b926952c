using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LmsPlatform.Contracts;
using static LmsPlatform.IntegrationTests.Catalogue.CatalogueClient;

namespace LmsPlatform.IntegrationTests.Content;

/// <summary>
/// Documents and media through the gateway: an upload is what its bytes say (an executable or a name that lies is
/// refused, 415), the scan hook refuses the EICAR test file (422); a learner's audio is served with ranges and its
/// progress (the stretches played) completes the enrolment at 90%; a PDF is read by opening it.
/// </summary>
public class FileTests(PlatformFixture platform)
{
    [Fact]
    public async Task Uploads_are_checked_and_a_learners_media_and_documents_complete_their_enrolments()
    {
        var admin = platform.Gateway;
        using (var exe = await UploadAsync(admin, Encoding.Latin1.GetBytes("MZ\u0090\0\u0003\0\0\0 this is a program"), "setup.exe"))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, exe.StatusCode);
        using (var liar = await UploadAsync(admin, "%PDF-1.7\n%%EOF"u8.ToArray(), "intro.mp4"))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, liar.StatusCode);
            Assert.Contains("its content is a PDF", (await liar.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }
        using (var eicar = await UploadAsync(admin, Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"), "eicar.pdf"))
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, eicar.StatusCode); // not a PDF at all: refused before the scan
        using (var infected = await UploadAsync(admin, Encoding.ASCII.GetBytes("%PDF-1.7\n" + @"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"), "eicar.pdf"))
        {
            // The test signature inside a file that is otherwise a PDF: the scan refuses it.
            Assert.Equal(HttpStatusCode.UnprocessableEntity, infected.StatusCode);
            Assert.Contains("EICAR", (await infected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        }

        var audio = await UploadedAsync(admin, Media.Wav(10), "talk.wav", "A short talk");
        Assert.Equal(("Video", "audio/wav"), (audio.GetProperty("kind").GetString(), audio.GetProperty("mediaType").GetString()));
        var pdf = await UploadedAsync(admin, Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "policy.pdf", null);
        Assert.Equal(("File", "policy"), (pdf.GetProperty("kind").GetString(), pdf.GetProperty("title").GetString()));

        var courseId = await EnrollableCourseAsync(platform, "Listening", d => d["sections"] = new[]
        {
            new { title = "Listen", activities = new object[]
            {
                new { kind = "content", title = "The talk", contentItemId = audio.GetProperty("id").GetGuid(), required = true },
                new { kind = "content", title = "The policy", contentItemId = pdf.GetProperty("id").GetGuid(), required = true },
            } },
        });
        var activities = (await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseId}")).GetProperty("sections")[0].GetProperty("activities");
        var (talk, policy) = (activities[0].GetProperty("id").GetGuid(), activities[1].GetProperty("id").GetGuid());
        var (learnerId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "listener");
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, learnerId);
        var enrolmentId = await RuntimeTests.EnrolAsync(admin, learnerId, courseId);

        // The audio: served with ranges under the launch's token; played halfway, then to the end.
        var launch = await RuntimeTests.LaunchAsync(learner, enrolmentId, talk);
        Assert.Equal(("media", "audio/wav", 0.0), (launch.GetProperty("standard").GetString(), launch.GetProperty("mediaType").GetString(), launch.GetProperty("position").GetDouble()));
        using (var range = new HttpRequestMessage(HttpMethod.Get, launch.GetProperty("launchUrl").GetString()))
        {
            range.Headers.Range = new RangeHeaderValue(0, 11);
            using var partial = await platform.Anonymous.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal("RIFF", Encoding.ASCII.GetString(await partial.Content.ReadAsByteArrayAsync())[..4]);
        }
        var progressUrl = launch.GetProperty("commitUrl").GetString()!;
        await ReportAsync(progressUrl, new { position = 5.0, duration = 10.0, played = new[] { new[] { 0.0, 5.0 } } });
        await EnrolmentStatusAsync(admin, enrolmentId, "InProgress");
        using (var bad = await platform.Anonymous.PostAsJsonAsync(progressUrl, new { position = 1, mystery = true }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode); // unknown properties are refused
        var resumed = await RuntimeTests.LaunchAsync(learner, enrolmentId, talk);
        Assert.Equal((5.0, 50), (resumed.GetProperty("position").GetDouble(), resumed.GetProperty("percent").GetInt32()));
        await ReportAsync(resumed.GetProperty("commitUrl").GetString()!, new { position = 10.0, duration = 10.0, played = new[] { new[] { 5.0, 10.0 } } });

        // The policy is read by opening it, which completes the course's last activity.
        var read = await RuntimeTests.LaunchAsync(learner, enrolmentId, policy);
        Assert.Equal(("document", "completed"), (read.GetProperty("standard").GetString(), read.GetProperty("completion").GetString()));
        await EnrolmentStatusAsync(admin, enrolmentId, "Completed");

        var attempts = await learner.GetFromJsonAsync<JsonElement>($"/api/content/attempts?enrolmentId={enrolmentId}");
        Assert.Equal([100, 100], attempts.EnumerateArray().Select(a => a.GetProperty("percent").GetInt32()).Order());
        Assert.All(attempts.EnumerateArray(), a => Assert.True(a.GetProperty("satisfied").GetBoolean()));

        async Task ReportAsync(string url, object report)
        {
            using var response = await platform.Anonymous.PostAsync(url, new StringContent(JsonSerializer.Serialize(report), Encoding.UTF8, "text/plain"));
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        }
    }

    public static async Task<JsonElement> UploadedAsync(HttpClient admin, byte[] bytes, string fileName, string? title)
    {
        using var response = await UploadAsync(admin, bytes, fileName, title);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] bytes, string fileName, string? title = null)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", fileName } };
        if (title is not null) form.Add(new StringContent(title), "title");
        return client.PostAsync("/api/content/files", form);
    }

    private static Task EnrolmentStatusAsync(HttpClient admin, Guid enrolmentId, string status) =>
        Eventually.ReachesAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"/api/enrolment/enrolments/{enrolmentId}")).GetProperty("status").GetString(),
            s => s == status, TimeSpan.FromSeconds(30), $"the enrolment {status}");
}

/// <summary>Media made for tests.</summary>
public static class Media
{
    /// <summary>A WAV file of a quiet 440 Hz tone, 8 kHz mono 16-bit, so long.</summary>
    public static byte[] Wav(int seconds)
    {
        const int rate = 8000;
        var samples = rate * seconds;
        using var buffer = new MemoryStream();
        using var w = new BinaryWriter(buffer);
        w.Write("RIFF"u8); w.Write(36 + samples * 2); w.Write("WAVE"u8);
        w.Write("fmt "u8); w.Write(16); w.Write((short)1); w.Write((short)1); w.Write(rate); w.Write(rate * 2); w.Write((short)2); w.Write((short)16);
        w.Write("data"u8); w.Write(samples * 2);
        for (var i = 0; i < samples; i++) w.Write((short)(Math.Sin(2 * Math.PI * 440 * i / rate) * 2000));
        w.Flush();
        return buffer.ToArray();
    }
}
