using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Content;

/// <summary>
/// SCORM packages uploaded through the gateway: a real package is inspected, extracted into the object store and
/// described (standard, activities, launch files); a malformed or malicious one is refused with a report naming each
/// problem; only content managers upload.
/// </summary>
public class PackageTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_real_package_is_imported_and_bad_ones_are_refused_with_a_report()
    {
        var admin = platform.Gateway;
        using (var imported = await UploadAsync(admin, Sample("RuntimeBasicCalls_SCORM20043rdEdition.zip"), "golf.zip", "Golf, 2004"))
        {
            var text = await imported.Content.ReadAsStringAsync();
            Assert.True(imported.StatusCode == HttpStatusCode.Created, text);
            var package = JsonDocument.Parse(text).RootElement;
            Assert.Equal(("Golf, 2004", "scorm2004", "3rd Edition"),
                (package.GetProperty("title").GetString(), package.GetProperty("standard").GetString(), package.GetProperty("edition").GetString()));
            var activity = Assert.Single(package.GetProperty("activities").EnumerateArray());
            Assert.Equal(("shared/launchpage.html", true), (activity.GetProperty("path").GetString(), activity.GetProperty("isSco").GetBoolean()));
            Assert.True(package.GetProperty("fileCount").GetInt32() > 30);
            var id = package.GetProperty("id").GetGuid();
            Assert.Equal(id, (await admin.GetFromJsonAsync<JsonElement>($"/api/content/packages/{id}")).GetProperty("id").GetGuid());
        }

        // Malformed XML: refused, the line named.
        using (var malformed = await UploadAsync(admin, Sample("MalformedXml_SCORM12.zip"), "bad.zip"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
            var problem = await malformed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("The package was refused", problem.GetProperty("title").GetString());
            Assert.Equal("manifest.xml", problem.GetProperty("problems")[0].GetProperty("code").GetString());
        }

        // A zip-slip entry: refused before anything is extracted, the entry named.
        using var slip = new MemoryStream();
        using (var zip = new ZipArchive(slip, ZipArchiveMode.Create, leaveOpen: true))
        {
            zip.CreateEntry("imsmanifest.xml");
            using var evil = new StreamWriter(zip.CreateEntry("../../etc/cron.d/evil").Open());
            evil.Write("* * * * * root rm -rf /");
        }
        using (var refused = await UploadAsync(admin, slip.ToArray(), "slip.zip"))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problems = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems").EnumerateArray().ToList();
            Assert.Contains(problems, p => p.GetProperty("code").GetString() == "archive.path" && p.GetProperty("path").GetString() == "../../etc/cron.d/evil");
        }

        // Not a zip, and no file at all: clear field errors.
        using (var notZip = await UploadAsync(admin, "just text"u8.ToArray(), "notes.txt"))
            Assert.Equal("archive.unreadable", (await notZip.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("problems")[0].GetProperty("code").GetString());
        using (var empty = await admin.PostAsync("/api/content/packages", new MultipartFormDataContent { { new StringContent("x"), "title" } }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
            Assert.True((await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("file", out _));
        }

        // A learner may not upload.
        var (_, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "packagelearner");
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        using (var forbidden = await UploadAsync(learner, Sample("RuntimeBasicCalls_SCORM12.zip"), "golf.zip"))
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    private static byte[] Sample(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "scorm", name));

    private static Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] zip, string fileName, string? title = null)
    {
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var form = new MultipartFormDataContent { { file, "file", fileName } };
        if (title is not null) form.Add(new StringContent(title), "title");
        return client.PostAsync("/api/content/packages", form);
    }
}
