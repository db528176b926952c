using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.Contracts;

namespace LmsPlatform.IntegrationTests.Content;

/// <summary>
/// The xAPI LRS through the gateway at /xapi, as an outside tool and a signed-in person use it: Basic credentials made
/// by an administrator, batches stored whole or refused whole, queries by every filter with 'more' paging, voiding,
/// attachments in multipart/mixed, the document resources with ETag concurrency, and the version header's rules.
/// </summary>
public class XapiTests(PlatformFixture platform)
{
    private const string Completed = "http://adlnet.gov/expapi/verbs/completed";
    private const string Attempted = "http://adlnet.gov/expapi/verbs/attempted";

    public static async Task<HttpClient> LrsClientAsync(PlatformFixture platform, string name, string[]? scopes = null, string version = "2.0.0")
    {
        using var created = await platform.Gateway.PostAsJsonAsync("/api/content/xapi-clients", new { name, scopes = scopes ?? ["all"] });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.EndsWith("/xapi/", body.GetProperty("endpoint").GetString());
        return Lrs(platform, body.GetProperty("client").GetProperty("key").GetString()!, body.GetProperty("secret").GetString()!, version);
    }

    public static HttpClient Lrs(PlatformFixture platform, string key, string secret, string version = "2.0.0")
    {
        var client = platform.App.CreateHttpClient(ResourceNames.Gateway);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{key}:{secret}")));
        client.DefaultRequestHeaders.Add("X-Experience-API-Version", version);
        return client;
    }

    private static JsonObject Statement(string mbox, string verb, string activity, Guid? id = null, Guid? registration = null)
    {
        var statement = new JsonObject
        {
            ["actor"] = new JsonObject { ["mbox"] = $"mailto:{mbox}", ["name"] = mbox },
            ["verb"] = new JsonObject { ["id"] = verb, ["display"] = new JsonObject { ["en"] = verb[(verb.LastIndexOf('/') + 1)..] } },
            ["object"] = new JsonObject { ["id"] = activity, ["definition"] = new JsonObject { ["name"] = new JsonObject { ["en"] = "Fire safety" } } },
        };
        if (id is not null) statement["id"] = id.ToString();
        if (registration is not null) statement["context"] = new JsonObject { ["registration"] = registration.ToString() };
        return statement;
    }

    private static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> QueryAsync(HttpClient lrs, string query)
    {
        using var response = await lrs.GetAsync("/xapi/statements?" + query);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.True(response.Headers.Contains("X-Experience-API-Consistent-Through"));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Agent(string mbox) => Uri.EscapeDataString($$"""{"mbox":"mailto:{{mbox}}"}""");

    [Fact]
    public async Task A_tool_stores_batches_whole_and_finds_them_by_every_filter()
    {
        using var lrs = await LrsClientAsync(platform, "Simulator");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var ada = $"ada-{tag}@example.com";
        var bo = $"bo-{tag}@example.com";
        var course = $"https://lms.example/{tag}/course";
        var registration = Guid.NewGuid();

        // The version header is required (its answer names the version that served), and credentials are.
        using (var noVersion = new HttpRequestMessage(HttpMethod.Get, "/xapi/statements"))
        {
            noVersion.Headers.Authorization = lrs.DefaultRequestHeaders.Authorization;
            using var refused = await platform.Anonymous.SendAsync(noVersion);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("2.0.0", refused.Headers.GetValues("X-Experience-API-Version").Single());
        }
        using (var anonymous = await platform.Anonymous.GetAsync("/xapi/statements"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var about = await platform.Anonymous.GetAsync("/xapi/about"))
            Assert.Contains("2.0.0", (await about.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").EnumerateArray().Select(v => v.GetString()));

        // A batch with one bad statement is refused whole, naming the fault; nothing of it is stored.
        var good = Statement(ada, Completed, course);
        var bad = Statement(bo, "completed", course);
        using (var refused = await lrs.PostAsync("/xapi/statements", Json(new JsonArray(good.DeepClone(), bad))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("[1].verb.id: must be an absolute IRI", await refused.Content.ReadAsStringAsync());
        }
        Assert.Empty((await QueryAsync(lrs, $"agent={Agent(ada)}")).GetProperty("statements").EnumerateArray());

        // A good batch: ids in order, 12 statements by two people.
        var batch = new JsonArray();
        for (var i = 0; i < 10; i++) batch.Add(Statement(ada, i % 2 == 0 ? Attempted : Completed, $"{course}/lesson-{i}", registration: registration));
        batch.Add(Statement(bo, Completed, $"{course}/lesson-0"));
        var withParent = Statement(bo, Attempted, $"{course}/quiz");
        withParent["context"] = new JsonObject { ["contextActivities"] = new JsonObject { ["parent"] = new JsonObject { ["id"] = course } } };
        batch.Add(withParent);
        using var posted = await lrs.PostAsync("/xapi/statements", Json(batch));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var ids = (await posted.Content.ReadFromJsonAsync<Guid[]>())!;
        Assert.Equal(12, ids.Length);

        // Filters: agent, verb, activity (and related), registration, ascending, limit with 'more'.
        var adas = (await QueryAsync(lrs, $"agent={Agent(ada)}")).GetProperty("statements").EnumerateArray().ToList();
        Assert.Equal(10, adas.Count);
        Assert.Equal(ids[9].ToString(), adas[0].GetProperty("id").GetString()); // newest first
        Assert.Equal(5, (await QueryAsync(lrs, $"agent={Agent(ada)}&verb={Uri.EscapeDataString(Completed)}")).GetProperty("statements").GetArrayLength());
        Assert.Equal(2, (await QueryAsync(lrs, $"activity={Uri.EscapeDataString(course + "/lesson-0")}")).GetProperty("statements").GetArrayLength());
        Assert.Equal(0, (await QueryAsync(lrs, $"activity={Uri.EscapeDataString(course)}")).GetProperty("statements").GetArrayLength());
        var related = (await QueryAsync(lrs, $"activity={Uri.EscapeDataString(course)}&related_activities=true")).GetProperty("statements");
        Assert.Equal(ids[11].ToString(), related.EnumerateArray().Single().GetProperty("id").GetString());
        Assert.Equal(10, (await QueryAsync(lrs, $"registration={registration}")).GetProperty("statements").GetArrayLength());
        var first = await QueryAsync(lrs, $"agent={Agent(ada)}&limit=4&ascending=true");
        Assert.Equal(ids[0].ToString(), first.GetProperty("statements")[0].GetProperty("id").GetString());
        var seen = first.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("id").GetString()).ToList();
        var more = first.GetProperty("more").GetString()!;
        while (more.Length > 0)
        {
            Assert.StartsWith("/xapi/statements?more=", more);
            var page = await QueryAsync(lrs, more["/xapi/statements?".Length..]);
            seen.AddRange(page.GetProperty("statements").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
            more = page.GetProperty("more").GetString()!;
        }
        Assert.Equal(ids[..10].Select(i => i.ToString()), seen);

        // One statement: stored with the LRS's own properties, context activities as arrays, Last-Modified its stored time.
        using (var one = await lrs.GetAsync($"/xapi/statements?statementId={ids[11]}"))
        {
            Assert.Equal(HttpStatusCode.OK, one.StatusCode);
            Assert.NotNull(one.Content.Headers.LastModified);
            var statement = await one.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(JsonValueKind.Array, statement.GetProperty("context").GetProperty("contextActivities").GetProperty("parent").ValueKind);
            Assert.Equal("Simulator", statement.GetProperty("authority").GetProperty("name").GetString());
            Assert.Equal("2.0.0", statement.GetProperty("version").GetString());
            Assert.True(statement.TryGetProperty("stored", out _));
        }
        using (var mixed = await lrs.GetAsync($"/xapi/statements?statementId={ids[0]}&verb={Uri.EscapeDataString(Completed)}"))
            Assert.Equal(HttpStatusCode.BadRequest, mixed.StatusCode);
        using (var unknown = await lrs.GetAsync($"/xapi/statements?Agent={Agent(ada)}"))
            Assert.Contains("'Agent' is spelt 'agent'", await unknown.Content.ReadAsStringAsync());

        // The same id again: the same statement is accepted and changes nothing; a different one is a conflict.
        var again = (JsonObject)batch[0]!.DeepClone();
        again["id"] = ids[0].ToString();
        using (var same = await lrs.PutAsync($"/xapi/statements?statementId={ids[0]}", Json(again)))
            Assert.Equal(HttpStatusCode.NoContent, same.StatusCode);
        again["verb"]!["id"] = Completed;
        using (var conflict = await lrs.PutAsync($"/xapi/statements?statementId={ids[0]}", Json(again)))
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);

        // Voiding: the voided statement leaves every query and is read only by voidedStatementId; the voiding one is returned.
        var voiding = new JsonObject
        {
            ["actor"] = new JsonObject { ["mbox"] = $"mailto:{ada}" },
            ["verb"] = new JsonObject { ["id"] = "http://adlnet.gov/expapi/verbs/voided" },
            ["object"] = new JsonObject { ["objectType"] = "StatementRef", ["id"] = ids[1].ToString() },
        };
        using (var voided = await lrs.PostAsync("/xapi/statements", Json(voiding))) Assert.Equal(HttpStatusCode.OK, voided.StatusCode);
        using (var gone = await lrs.GetAsync($"/xapi/statements?statementId={ids[1]}")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var kept = await lrs.GetAsync($"/xapi/statements?voidedStatementId={ids[1]}")) Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        var afterVoiding = (await QueryAsync(lrs, $"agent={Agent(ada)}&verb={Uri.EscapeDataString(Completed)}")).GetProperty("statements").EnumerateArray().ToList();
        Assert.DoesNotContain(afterVoiding, s => s.GetProperty("id").GetString() == ids[1].ToString());
        // The voiding statement refers to a 'completed' statement, so it is found by that statement's filters too.
        Assert.Contains(afterVoiding, s => s.GetProperty("verb").GetProperty("id").GetString() == "http://adlnet.gov/expapi/verbs/voided");

        // The activity's definition as the LRS knows it, and a Person.
        using (var activity = await lrs.GetAsync($"/xapi/activities?activityId={Uri.EscapeDataString(course + "/lesson-0")}"))
            Assert.Equal("Fire safety", (await activity.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("definition").GetProperty("name").GetProperty("en").GetString());
        using (var person = await lrs.GetAsync($"/xapi/agents?agent={Agent(ada)}"))
            Assert.Equal("Person", (await person.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("objectType").GetString());
    }

    [Fact]
    public async Task Attachments_travel_in_multipart_mixed_and_are_matched_by_sha2()
    {
        using var lrs = await LrsClientAsync(platform, "Recorder", version: "1.0.3");
        var bytes = Encoding.UTF8.GetBytes("a certificate of attendance");
        var sha2 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var statement = Statement($"att-{Guid.NewGuid():N}@example.com", Completed, "https://lms.example/attachments");
        statement["attachments"] = new JsonArray(new JsonObject
        {
            ["usageType"] = "https://lms.example/usage/certificate", ["display"] = new JsonObject { ["en"] = "Certificate" },
            ["contentType"] = "text/plain", ["length"] = bytes.Length, ["sha2"] = sha2,
        });

        // Without its part it is refused; with a part whose bytes differ from the hash, too.
        using (var missing = await lrs.PostAsync("/xapi/statements", Json(statement))) Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using (var wrong = await lrs.PostAsync("/xapi/statements", Multipart(statement, Encoding.UTF8.GetBytes("something else"), sha2)))
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        using var posted = await lrs.PostAsync("/xapi/statements", Multipart(statement, bytes, sha2));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal("1.0.3", posted.Headers.GetValues("X-Experience-API-Version").Single());
        var id = (await posted.Content.ReadFromJsonAsync<Guid[]>())![0];

        using var read = await lrs.GetAsync($"/xapi/statements?statementId={id}&attachments=true");
        Assert.Equal("multipart/mixed", read.Content.Headers.ContentType?.MediaType);
        var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(read.Content.Headers.ContentType!.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'),
            await read.Content.ReadAsStreamAsync());
        var json = await reader.ReadNextSectionAsync();
        Assert.Equal("1.0.0", (await JsonDocument.ParseAsync(json!.Body)).RootElement.GetProperty("version").GetString());
        var part = await reader.ReadNextSectionAsync();
        Assert.Equal(sha2, part!.Headers!["X-Experience-API-Hash"].ToString());
        using var content = new MemoryStream();
        await part.Body.CopyToAsync(content);
        Assert.Equal(bytes, content.ToArray());
    }

    [Fact]
    public async Task A_browser_form_post_in_the_1_0_3_alternate_syntax_stores_and_reads_and_2_0_refuses_it()
    {
        using var lrs = await LrsClientAsync(platform, "Form poster", version: "1.0.3");
        var authorization = lrs.DefaultRequestHeaders.Authorization!.ToString();
        var id = Guid.NewGuid();
        var statement = Statement($"form-{Guid.NewGuid():N}@example.com", Completed, "https://lms.example/forms");
        FormUrlEncodedContent Form(params (string, string)[] fields) =>
            new([.. fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2))]);
        // The request carries no headers of its own: they are form fields, as a cross-origin browser form sends them.
        using (var put = await platform.Anonymous.PostAsync("/xapi/statements?method=PUT", Form(("Authorization", authorization),
                   ("X-Experience-API-Version", "1.0.3"), ("Content-Type", "application/json"), ("statementId", id.ToString()), ("content", statement.ToJsonString()))))
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        using (var get = await platform.Anonymous.PostAsync("/xapi/statements?method=GET", Form(("Authorization", authorization),
                   ("X-Experience-API-Version", "1.0.3"), ("statementId", id.ToString()))))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(id.ToString(), (await get.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        }
        using (var modern = await platform.Anonymous.PostAsync("/xapi/statements?method=GET", Form(("Authorization", authorization),
                   ("X-Experience-API-Version", "2.0.0"), ("statementId", id.ToString()))))
            Assert.Equal(HttpStatusCode.BadRequest, modern.StatusCode);
    }

    [Fact]
    public async Task A_signed_statement_is_stored_with_its_signature_and_one_whose_payload_differs_is_refused()
    {
        using var lrs = await LrsClientAsync(platform, "Signer", version: "1.0.3");
        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=Signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var id = Guid.NewGuid();
        var signed = Statement($"signed-{Guid.NewGuid():N}@example.com", Completed, "https://lms.example/signed", id);
        var header = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            new JsonObject { ["alg"] = "RS256", ["x5c"] = new JsonArray(Convert.ToBase64String(certificate.RawData)) }.ToJsonString()));
        var payload = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(signed.ToJsonString()));
        var jws = Encoding.ASCII.GetBytes(header + "." + payload + "." + System.Buffers.Text.Base64Url.EncodeToString(
            key.SignData(Encoding.ASCII.GetBytes(header + "." + payload), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)));
        var sha2 = Convert.ToHexStringLower(SHA256.HashData(jws));
        JsonObject WithSignature(JsonObject statement)
        {
            var copy = statement.DeepClone().AsObject();
            copy["attachments"] = new JsonArray(new JsonObject
            {
                ["usageType"] = "http://adlnet.gov/expapi/attachments/signature", ["display"] = new JsonObject { ["en"] = "Signature" },
                ["contentType"] = "application/octet-stream", ["length"] = jws.Length, ["sha2"] = sha2,
            });
            return copy;
        }

        // The same signature on a statement that says something else: refused, with the reason, and nothing stored.
        var tampered = signed.DeepClone().AsObject();
        tampered["verb"] = new JsonObject { ["id"] = Attempted };
        using (var refused = await lrs.PostAsync("/xapi/statements", Multipart(WithSignature(tampered), jws, sha2, "application/octet-stream")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("payload is not this statement", await refused.Content.ReadAsStringAsync());
        }
        using (var absent = await lrs.GetAsync($"/xapi/statements?statementId={id}")) Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);

        using var stored = await lrs.PostAsync("/xapi/statements", Multipart(WithSignature(signed), jws, sha2, "application/octet-stream"));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        var read = await QueryAsync(lrs, $"statementId={id}");
        Assert.Equal(sha2, read.GetProperty("attachments")[0].GetProperty("sha2").GetString());
    }

    private static MultipartContent Multipart(JsonNode statement, byte[] attachment, string sha2, string contentType = "text/plain")
    {
        var multipart = new MultipartContent("mixed");
        multipart.Add(Json(statement));
        var part = new ByteArrayContent(attachment);
        part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        part.Headers.Add("Content-Transfer-Encoding", "binary");
        part.Headers.Add("X-Experience-API-Hash", sha2);
        multipart.Add(part);
        return multipart;
    }

    [Fact]
    public async Task Documents_are_kept_merged_and_guarded_by_their_etags()
    {
        using var lrs = await LrsClientAsync(platform, "Stateful");
        var agent = Agent($"doc-{Guid.NewGuid():N}@example.com");
        var activity = Uri.EscapeDataString("https://lms.example/documents");
        var state = $"/xapi/activities/state?activityId={activity}&agent={agent}&stateId=bookmark";

        using (var missing = await lrs.GetAsync(state)) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var noAgent = await lrs.GetAsync($"/xapi/activities/state?activityId={activity}&stateId=bookmark")) Assert.Equal(HttpStatusCode.BadRequest, noAgent.StatusCode);
        using (var put = await lrs.PutAsync(state, new StringContent("""{"page":3,"notes":"x"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        using (var merge = await lrs.PostAsync(state, new StringContent("""{"page":4,"score":80}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.NoContent, merge.StatusCode);
        string etag;
        using (var read = await lrs.GetAsync(state))
        {
            var document = await read.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((4, "x", 80), (document.GetProperty("page").GetInt32(), document.GetProperty("notes").GetString(), document.GetProperty("score").GetInt32()));
            etag = read.Headers.ETag!.Tag;
            Assert.Equal(42, etag.Length); // a quoted SHA-1
            Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(await read.Content.ReadAsByteArrayAsync())), etag.Trim('"'));
        }
        using (var notJson = await lrs.PostAsync(state, new StringContent("plain", Encoding.UTF8, "text/plain"))) Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        using (var list = await lrs.GetAsync($"/xapi/activities/state?activityId={activity}&agent={agent}"))
            Assert.Equal(["bookmark"], (await list.Content.ReadFromJsonAsync<string[]>())!);

        // A profile: created once; replaced only with If-Match; two writers with the same ETag, one wins.
        var profile = $"/xapi/activities/profile?activityId={activity}&profileId=settings-{Guid.NewGuid():N}";
        using (var created = await lrs.SendAsync(Conditional(HttpMethod.Put, profile, "v1", ifNoneMatch: "*"))) Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        using (var twice = await lrs.SendAsync(Conditional(HttpMethod.Put, profile, "v1", ifNoneMatch: "*"))) Assert.Equal(HttpStatusCode.PreconditionFailed, twice.StatusCode);
        using (var blind = await lrs.PutAsync(profile, new StringContent("v2"))) Assert.Equal(HttpStatusCode.Conflict, blind.StatusCode);
        string current;
        using (var read = await lrs.GetAsync(profile)) current = read.Headers.ETag!.Tag;
        var writers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => lrs.SendAsync(Conditional(HttpMethod.Put, profile, $"writer {i}", ifMatch: current))));
        Assert.Equal(1, writers.Count(w => w.StatusCode == HttpStatusCode.NoContent));
        Assert.Equal(5, writers.Count(w => w.StatusCode == HttpStatusCode.PreconditionFailed));
        using (var stale = await lrs.SendAsync(Conditional(HttpMethod.Delete, profile, null, ifMatch: current))) Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        using (var read = await lrs.GetAsync(profile)) current = read.Headers.ETag!.Tag;
        using (var deleted = await lrs.SendAsync(Conditional(HttpMethod.Delete, profile, null, ifMatch: current))) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var gone = await lrs.GetAsync(profile)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static HttpRequestMessage Conditional(HttpMethod method, string path, string? body, string? ifMatch = null, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        return request;
    }

    [Fact]
    public async Task A_person_writes_with_their_token_and_reads_only_their_own_and_scopes_limit_a_client()
    {
        var (learnerId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, platform.Gateway, "xapi-learner");
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        learner.DefaultRequestHeaders.Add("X-Experience-API-Version", "2.0.0");
        var activity = $"https://lms.example/own/{Guid.NewGuid():N}";
        using (var own = await learner.PostAsync("/xapi/statements", Json(Statement("me@example.com", Completed, activity))))
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        using var tool = await LrsClientAsync(platform, "Other tool");
        using (var theirs = await tool.PostAsync("/xapi/statements", Json(Statement("me@example.com", Attempted, activity))))
            Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);

        // The person's statements carry them as the authority (an account on the platform), and they see only those.
        var mine = (await QueryAsync(learner, $"activity={Uri.EscapeDataString(activity)}")).GetProperty("statements").EnumerateArray().ToList();
        var statement = Assert.Single(mine);
        Assert.Equal(learnerId.ToString(), statement.GetProperty("authority").GetProperty("account").GetProperty("name").GetString());
        Assert.Equal(2, (await QueryAsync(tool, $"activity={Uri.EscapeDataString(activity)}")).GetProperty("statements").GetArrayLength());

        // A write-only client reads nothing; a revoked one is refused.
        using var writer = await LrsClientAsync(platform, "Write only", [XapiScopeWrite]);
        using (var read = await writer.GetAsync("/xapi/statements")) Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        using var created = await platform.Gateway.PostAsJsonAsync("/api/content/xapi-clients", new { name = "Revoked" });
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        using (var revoke = await platform.Gateway.PostAsync($"/api/content/xapi-clients/{body.GetProperty("client").GetProperty("id").GetString()}/revoke", null))
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        using var revoked = Lrs(platform, body.GetProperty("client").GetProperty("key").GetString()!, body.GetProperty("secret").GetString()!);
        using (var refused = await revoked.GetAsync("/xapi/statements")) Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using (var learnerMakesClients = await learner.GetAsync("/api/content/xapi-clients")) Assert.Equal(HttpStatusCode.Forbidden, learnerMakesClients.StatusCode);
    }

    private const string XapiScopeWrite = "statements/write";

    [Fact]
    public async Task A_statement_that_completes_an_xapi_activity_completes_the_enrolment_once()
    {
        var admin = platform.Gateway;
        var iri = $"https://simulator.example/{Guid.NewGuid():N}/fire-drill";
        using var item = await admin.PostAsJsonAsync("/api/content/items", new { title = "Fire drill simulator", kind = "xapi", url = iri });
        Assert.Equal(HttpStatusCode.Created, item.StatusCode);
        var itemId = (await item.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var courseId = await Catalogue.CatalogueClient.EnrollableCourseAsync(platform, "Fire drill", d => d["sections"] = new[]
        {
            new { title = "Drill", activities = new object[] { new { kind = "content", title = "Simulator", contentItemId = itemId, required = true } } },
        });
        var course = await admin.GetFromJsonAsync<JsonElement>($"/api/catalogue/courses/{courseId}");
        var activityId = course.GetProperty("sections")[0].GetProperty("activities")[0].GetProperty("id").GetGuid();
        var (learnerId, _, tokens) = await Identity.People.CreateSignedInAsync(platform.App, admin, "simulated");
        using var learner = Identity.Oidc.WithToken(platform.App.CreateHttpClient(ResourceNames.Gateway), tokens.AccessToken);
        await Enrolment.EnrolmentClient.LearnerCopyAsync(admin, learnerId);
        var enrolmentId = await RuntimeTests.EnrolAsync(admin, learnerId, courseId);
        // The learner's launch sends them to the tool (once content has heard of the enrolment).
        var launch = await RuntimeTests.LaunchAsync(learner, enrolmentId, activityId);
        Assert.Equal(("link", iri), (launch.GetProperty("standard").GetString(), launch.GetProperty("launchUrl").GetString()));

        // The simulator names the learner by their platform account, as the LRS names people.
        using var created = await admin.PostAsJsonAsync("/api/content/xapi-clients", new { name = "Simulator", scopes = new[] { "statements/write" } });
        var credential = await created.Content.ReadFromJsonAsync<JsonElement>();
        var homePage = credential.GetProperty("endpoint").GetString()![..^"/xapi/".Length];
        using var simulator = Lrs(platform, credential.GetProperty("client").GetProperty("key").GetString()!, credential.GetProperty("secret").GetString()!);
        JsonObject Said(string verb, bool? success = null)
        {
            var statement = new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["actor"] = new JsonObject { ["account"] = new JsonObject { ["homePage"] = homePage, ["name"] = learnerId.ToString() } },
                ["verb"] = new JsonObject { ["id"] = verb },
                ["object"] = new JsonObject { ["id"] = iri },
            };
            if (success is not null) statement["result"] = new JsonObject { ["success"] = success, ["score"] = new JsonObject { ["scaled"] = 0.92 } };
            return statement;
        }
        using (var attempted = await simulator.PostAsync("/xapi/statements", Json(Said(Attempted)))) Assert.Equal(HttpStatusCode.OK, attempted.StatusCode);
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "InProgress");
        var passed = Said("http://adlnet.gov/expapi/verbs/passed", success: true);
        using (var done = await simulator.PostAsync("/xapi/statements", Json(passed))) Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        await Enrolment.EnrolmentClient.StatusAsync(admin, enrolmentId, "Completed");
        // The same statement again is stored once and announces nothing again.
        using (var again = await simulator.PostAsync("/xapi/statements", Json(passed))) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, await platform.CountAsync(ResourceNames.ContentDb,
            $"SELECT count(*) FROM outbox_messages WHERE type LIKE '%ActivityProgressRecorded' AND payload::jsonb->>'enrolmentId' = '{enrolmentId}'"));
    }
}
