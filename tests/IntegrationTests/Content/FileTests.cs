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
/// refused, 415), the scan hook refuses the EICAR test file (422), a large file goes up in checked chunks; a learner's
/// audio is served with ranges and its progress (the stretches played) completes the enrolment at 90%; a PDF is read
/// by opening it.
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
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "InProgress");
        using (var bad = await platform.Anonymous.PostAsJsonAsync(progressUrl, new { position = 1, mystery = true }))
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode); // unknown properties are refused
        var resumed = await RuntimeTests.LaunchAsync(learner, enrolmentId, talk);
        Assert.Equal((5.0, 50), (resumed.GetProperty("position").GetDouble(), resumed.GetProperty("percent").GetInt32()));
        await ReportAsync(resumed.GetProperty("commitUrl").GetString()!, new { position = 10.0, duration = 10.0, played = new[] { new[] { 5.0, 10.0 } } });

        // The policy is read by opening it, which completes the course's last activity.
        var read = await RuntimeTests.LaunchAsync(learner, enrolmentId, policy);
        Assert.Equal(("document", "completed"), (read.GetProperty("standard").GetString(), read.GetProperty("completion").GetString()));
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");

        var attempts = await learner.GetFromJsonAsync<JsonElement>($"/api/content/attempts?enrolmentId={enrolmentId}");
        Assert.Equal([100, 100], attempts.EnumerateArray().Select(a => a.GetProperty("percent").GetInt32()).Order());
        Assert.All(attempts.EnumerateArray(), a => Assert.True(a.GetProperty("satisfied").GetBoolean()));

        async Task ReportAsync(string url, object report)
        {
            using var response = await platform.Anonymous.PostAsync(url, new StringContent(JsonSerializer.Serialize(report), Encoding.UTF8, "text/plain"));
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_large_file_goes_up_in_checked_chunks_resumes_after_a_break_and_is_checked_whole()
    {
        var admin = platform.Gateway;
        var wav = Media.Wav(3); // 48,044 bytes: chunks of 20,000
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(wav));
        using var begun = await admin.PostAsJsonAsync("/api/content/uploads", new { fileName = "lecture.wav", title = "Lecture", length = wav.Length, sha256 = sha });
        Assert.Equal(HttpStatusCode.Created, begun.StatusCode);
        var id = (await begun.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.OK, (await SendChunkAsync(id, wav, 0, 20_000)).StatusCode);
        // A chunk damaged on the way is refused, and nothing moves.
        using (var damaged = await SendChunkAsync(id, wav, 20_000, 20_000, damage: true))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, damaged.StatusCode);
        // After a break: the same chunk again is refused with where to go on from.
        using (var again = await SendChunkAsync(id, wav, 0, 20_000))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            Assert.Equal(20_000, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("offset").GetInt64());
        }
        Assert.Equal(20_000, (await admin.GetFromJsonAsync<JsonElement>($"/api/content/uploads/{id}")).GetProperty("offset").GetInt64());
        using (var early = await admin.PostAsync($"/api/content/uploads/{id}/complete", null))
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendChunkAsync(id, wav, 20_000, 20_000)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendChunkAsync(id, wav, 40_000, wav.Length - 40_000)).StatusCode);

        using var completed = await admin.PostAsync($"/api/content/uploads/{id}/complete", null);
        var result = await completed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        Assert.Equal("file", result.GetProperty("kind").GetString());
        var item = await admin.GetFromJsonAsync<JsonElement>(result.GetProperty("location").GetString());
        Assert.Equal(("Lecture", "audio/wav", (long)wav.Length), (item.GetProperty("title").GetString(), item.GetProperty("mediaType").GetString(), item.GetProperty("bytes").GetInt64()));
        Assert.Equal(0, await platform.CountAsync(ResourceNames.ContentDb, $"SELECT count(*) FROM uploads WHERE \"Id\" = '{id}' AND \"CompletedAt\" IS NULL"));

        // A whole that is not what was declared is refused; nothing is kept.
        using var liar = await admin.PostAsJsonAsync("/api/content/uploads", new { fileName = "other.wav", length = 100, sha256 = new string('0', 64) });
        var liarId = (await liar.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await SendChunkAsync(liarId, wav, 0, 100)).StatusCode);
        using (var refused = await admin.PostAsync($"/api/content/uploads/{liarId}/complete", null))
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);

        Task<HttpResponseMessage> SendChunkAsync(Guid upload, byte[] bytes, int offset, int count, bool damage = false)
        {
            var chunk = bytes.AsSpan(offset, count).ToArray();
            var digest = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(chunk));
            if (damage) chunk[^1] ^= 0xFF;
            var content = new ByteArrayContent(chunk);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var request = new HttpRequestMessage(HttpMethod.Put, $"/api/content/uploads/{upload}?offset={offset}") { Content = content };
            request.Headers.TryAddWithoutValidation("Content-Digest", $"sha-256=:{digest}:");
            return admin.SendAsync(request);
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
