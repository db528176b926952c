using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.UnitTests;

/// <summary>
/// The LRS's statement rules: xAPI's MUSTs (each fault refused with the path that names it), the formats, the keys a
/// statement is found by, the comparison a repeated id is judged by, and the output formats.
/// </summary>
public class XapiStatementTests
{
    private const string Valid = """
        {
          "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
          "actor": { "objectType": "Agent", "name": "Ada", "mbox": "mailto:ada@Example.COM" },
          "verb": { "id": "http://adlnet.gov/expapi/verbs/completed", "display": { "en-GB": "completed", "fr": "a terminé" } },
          "object": { "id": "https://lms.example/activities/fire-safety", "definition": { "name": { "en": "Fire safety" },
                      "type": "http://adlnet.gov/expapi/activities/course", "interactionType": "choice",
                      "choices": [ { "id": "a", "description": { "en": "A" } }, { "id": "b" } ], "correctResponsesPattern": [ "a" ],
                      "extensions": { "https://x.example/ext": null } } },
          "result": { "score": { "scaled": 0.9, "raw": 9, "min": 0, "max": 10 }, "success": true, "completion": true, "duration": "PT1H2M3.5S" },
          "context": { "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7", "platform": "LmsPlatform", "language": "en-GB",
                       "contextActivities": { "parent": { "id": "https://lms.example/courses/1" }, "category": [ { "id": "https://w3id.org/xapi/cmi5/context/categories/cmi5" } ] },
                       "instructor": { "account": { "homePage": "https://lms.example", "name": "42" } },
                       "extensions": { "https://x.example/anything": { "deep": [1, null] } } },
          "timestamp": "2026-12-05T09:00:00.123+01:00",
          "attachments": [ { "usageType": "http://adlnet.gov/expapi/attachments/signature", "display": { "en": "sig" }, "contentType": "application/octet-stream",
                             "length": 12, "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634" } ]
        }
        """;

    private static IReadOnlyList<string> Validate(string json, XapiVersion version = XapiVersion.V103) =>
        StatementValidator.Validate(JsonDocument.Parse(json).RootElement, version);

    /// <summary>The valid statement with one change: a property set (JSON text) or removed (null), by a dotted path.</summary>
    private static string With(string path, string? json)
    {
        var node = JsonNode.Parse(Valid)!;
        var parts = path.Split('.');
        var parent = parts[..^1].Aggregate(node, (n, p) => int.TryParse(p, out var i) ? n[i]! : n[p]!);
        if (json is null) parent.AsObject().Remove(parts[^1]);
        else parent[parts[^1]] = JsonNode.Parse(json);
        return node.ToJsonString();
    }

    [Fact]
    public void A_full_statement_is_valid_in_both_versions()
    {
        Assert.Empty(Validate(Valid));
        Assert.Empty(Validate(Valid, XapiVersion.V200));
    }

    [Theory]
    [InlineData("actor", null, "actor: is required")]
    [InlineData("verb", null, "verb: is required")]
    [InlineData("object", null, "object: is required")]
    [InlineData("id", "\"not-a-uuid\"", "id: must be a UUID")]
    [InlineData("id", "\"\"", "id: must be a UUID")]
    [InlineData("Actor", "{}", "Actor: is not a property of a Statement (the name is 'actor')")]
    [InlineData("color", "\"red\"", "color: is not a property of a Statement")]
    [InlineData("result.success", "\"true\"", "result.success: must be true or false")]
    [InlineData("result.score.scaled", "\"0.5\"", "result.score.scaled: must be a JSON number")]
    [InlineData("result.score.scaled", "1.5", "result.score.scaled: must be between -1 and 1")]
    [InlineData("result.score.raw", "11", "result.score.raw: must lie between min and max")]
    [InlineData("result.score.min", "10", "result.score.max: must be greater than min")]
    [InlineData("result.duration", "\"1 hour\"", "result.duration: must be an ISO 8601 duration")]
    [InlineData("result.response", "null", "result.response: must not be null")]
    [InlineData("actor.mbox", "\"ada@example.com\"", "actor.mbox: must be a mailto: IRI")]
    [InlineData("actor.openid", "\"https://openid.example/ada\"", "actor: an Agent must have exactly one of mbox, mbox_sha1sum, openid and account (2 given)")]
    [InlineData("actor.objectType", "\"agent\"", "actor.objectType: must be \"Agent\" or \"Group\"")]
    [InlineData("actor.member", "[]", "actor.member: only a Group has members")]
    [InlineData("verb.id", "\"completed\"", "verb.id: must be an absolute IRI")]
    [InlineData("verb.display", "{\"en_GB\": \"done\"}", "verb.display.en_GB: is not an RFC 5646 language tag")]
    [InlineData("object.objectType", "\"activity\"", "object.objectType: must be Activity, Agent, Group, SubStatement or StatementRef")]
    [InlineData("object.id", "\"fire-safety\"", "object.id: must be an absolute IRI")]
    [InlineData("object.definition.interactionType", "\"essay\"", "object.definition.interactionType: must be one of")]
    [InlineData("object.definition.choices", "[{\"id\":\"a\"},{\"id\":\"a\"}]", "object.definition.choices[1].id: 'a' is used twice in one list")]
    [InlineData("object.definition.extensions", "{\"not an iri\": 1}", "object.definition.extensions.not an iri: an extension's key must be an absolute IRI")]
    [InlineData("context.registration", "\"x\"", "context.registration: must be a UUID")]
    [InlineData("context.contextActivities", "{}", "context.contextActivities: must not be empty")]
    [InlineData("context.contextActivities.sibling", "[]", "context.contextActivities.sibling: is not a property of contextActivities")]
    [InlineData("context.team", "{\"mbox\":\"mailto:team@example.com\"}", "context.team: must be a Group")]
    [InlineData("context.language", "\"english please\"", "context.language: must be an RFC 5646 language tag")]
    [InlineData("context.statement", "{\"id\":\"fd41c918-b88b-4b20-a0a5-a4c32391aaa0\"}", "context.statement.objectType: is required")]
    [InlineData("context.contextAgents", "[]", "context.contextAgents: is not a property of a Context (xAPI 1.0.3)")]
    [InlineData("timestamp", "\"yesterday\"", "timestamp: must be an ISO 8601 timestamp")]
    [InlineData("timestamp", "\"2026-12-05T09:00:00-00:00\"", "timestamp: must be an ISO 8601 timestamp")]
    [InlineData("version", "\"2.0.0\"", "version: must be a 1.0.x version")]
    [InlineData("authority", "{\"objectType\":\"Group\",\"member\":[{\"mbox\":\"mailto:a@example.com\"}]}", "authority: a Group authority must have exactly two members")]
    [InlineData("attachments.0.sha2", "\"abc\"", "attachments[0].sha2: must be a SHA-2 hash in hexadecimal")]
    [InlineData("attachments.0.length", "1.5", "attachments[0].length: must be a whole number of octets")]
    [InlineData("attachments.0.usageType", null, "attachments[0].usageType: is required")]
    [InlineData("attachments.0.contentType", "\"pdf\"", "attachments[0].contentType: must be a MIME type")]
    public void Each_must_of_the_data_model_is_refused_with_its_path(string path, string? json, string expected)
    {
        var faults = Validate(With(path, json));
        Assert.Contains(faults, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_twice_in_one_object_is_refused_even_where_any_value_is_allowed()
    {
        var json = Valid.Replace("\"https://x.example/anything\": {", "\"https://x.example/anything\": 1, \"https://x.example/anything\": {");
        Assert.Contains("context.extensions.https://x.example/anything: appears twice in one object", Validate(json));
    }

    [Theory]
    [InlineData("""{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},{"account":{"homePage":"https://x.example","name":"b"}}]}""", true)]
    [InlineData("""{"objectType":"Group","name":"Team"}""", false)] // neither an identifier nor members
    [InlineData("""{"objectType":"Group","member":[{"objectType":"Group","mbox":"mailto:g@example.com"}]}""", false)]
    [InlineData("""{"objectType":"Group","mbox":"mailto:g@example.com","openid":"https://g.example"}""", false)]
    [InlineData("""{"account":{"homePage":"https://x.example"}}""", false)]
    [InlineData("""{"account":{"homePage":"https://x.example","name":"a","extra":1}}""", false)]
    [InlineData("""{"mbox_sha1sum":"ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}""", true)]
    public void Actors_have_one_identifier_and_groups_have_agents(string actor, bool valid) =>
        Assert.Equal(valid, Validate(With("actor", actor)).Count == 0);

    [Fact]
    public void A_voiding_statement_must_refer_to_a_statement()
    {
        var voiding = With("verb", $$"""{"id":"{{StatementValidator.VoidedVerb}}"}""");
        Assert.Contains(Validate(voiding), f => f.StartsWith("object: a voiding statement's object must be a StatementRef"));
        var proper = With("object", """{"objectType":"StatementRef","id":"e05aa883-acaf-40ad-bf54-02c8ce485fb0"}""");
        Assert.Empty(Validate(JsonNode.Parse(proper)!.AsObject().Also(n => { n["verb"] = JsonNode.Parse($$"""{"id":"{{StatementValidator.VoidedVerb}}"}"""); n["context"]!.AsObject().Remove("platform"); }).ToJsonString()));
    }

    [Fact]
    public void Revision_and_platform_belong_only_to_statements_about_activities()
    {
        var aboutAgent = With("object", """{"objectType":"Agent","mbox":"mailto:bo@example.com"}""");
        Assert.Contains(Validate(aboutAgent), f => f.StartsWith("context.platform: is allowed only when the statement's object is an Activity"));
    }

    [Fact]
    public void A_substatement_has_no_id_stored_version_or_authority_and_no_substatement_inside()
    {
        const string sub = """{"objectType":"SubStatement","actor":{"mbox":"mailto:a@example.com"},"verb":{"id":"http://x.example/v"},"object":{"id":"http://x.example/a"}}""";
        var valid = With("object", sub);
        Assert.Empty(Validate(JsonNode.Parse(valid)!.AsObject().Also(n => n["context"]!.AsObject().Remove("platform")).ToJsonString()));
        var withId = With("object", sub.Replace("{\"objectType\":\"SubStatement\",", "{\"objectType\":\"SubStatement\",\"id\":\"fd41c918-b88b-4b20-a0a5-a4c32391aaa0\","));
        Assert.Contains(Validate(withId), f => f.StartsWith("object.id: is not a property of a SubStatement"));
        var nested = With("object", sub.Replace("\"object\":{\"id\":\"http://x.example/a\"}", $"\"object\":{sub}"));
        Assert.Contains(Validate(nested), f => f.StartsWith("object.object: a SubStatement must not hold another SubStatement"));
    }

    [Fact]
    public void Version_2_accepts_context_agents_and_groups_and_checks_them()
    {
        var agents = With("context.contextAgents", """[{"objectType":"contextAgent","agent":{"mbox":"mailto:m@example.com"},"relevantTypes":["https://x.example/mentor"]}]""");
        Assert.Empty(Validate(agents, XapiVersion.V200));
        var wrongType = With("context.contextAgents", """[{"objectType":"Agent","agent":{"mbox":"mailto:m@example.com"}}]""");
        Assert.Contains(Validate(wrongType, XapiVersion.V200), f => f.StartsWith("context.contextAgents[0].objectType: must be \"contextAgent\""));
        var emptyTypes = With("context.contextGroups", """[{"objectType":"contextGroup","group":{"objectType":"Group","mbox":"mailto:g@example.com"},"relevantTypes":[]}]""");
        Assert.Contains(Validate(emptyTypes, XapiVersion.V200), f => f.StartsWith("context.contextGroups[0].relevantTypes: must be a non-empty array"));
        Assert.Empty(Validate(With("version", "\"2.0.0\""), XapiVersion.V200));
    }

    [Theory]
    [InlineData("2026-12-05T09:00:00Z", true)]
    [InlineData("2026-12-05T09:00:00.123456789+05:30", true)]
    [InlineData("2008-09-15 15:53:00.601+00:00", true)]
    [InlineData("20081205T090000Z", true)]
    [InlineData("2026-12-05T09:00", true)]
    [InlineData("2026-12-05", false)]
    [InlineData("2026-13-05T09:00:00Z", false)]
    [InlineData("2026-12-05T09:00:00-0000", false)]
    [InlineData("2026-12-05T09:00:00-00", false)]
    public void Timestamps_are_iso_8601_without_a_negative_zero(string value, bool valid) =>
        Assert.Equal(valid, XapiFormats.TryParseTimestamp(value, out _));

    [Theory]
    [InlineData("PT1H30M", true)]
    [InlineData("P1Y2M3DT4H5M6.78S", true)]
    [InlineData("P3W", true)]
    [InlineData("P", false)]
    [InlineData("PT", false)]
    [InlineData("P0001-02-03T04:05:06", false)]
    public void Durations_are_iso_8601(string value, bool valid) => Assert.Equal(valid, XapiFormats.IsDuration(value));

    [Theory]
    [InlineData("1.0.3", XapiVersion.V103)]
    [InlineData("1.0", XapiVersion.V103)]
    [InlineData("1.0.0", XapiVersion.V103)]
    [InlineData("2.0.0", XapiVersion.V200)]
    [InlineData("1.1.0", null)]
    [InlineData("0.95", null)]
    [InlineData("", null)]
    public void The_version_header_chooses_the_rules(string header, XapiVersion? expected) => Assert.Equal(expected, XapiVersions.FromHeader(header));

    [Fact]
    public void A_statement_is_found_by_its_agents_verb_activities_and_registration_and_a_group_by_its_members()
    {
        var group = With("actor", """{"objectType":"Group","member":[{"mbox":"mailto:a@example.com"},{"mbox":"mailto:b@Example.com"}]}""");
        var facts = StatementFacts.Of(JsonDocument.Parse(group).RootElement);
        Assert.Contains("a:mbox:mailto:b@example.com", facts.Keys);
        Assert.Contains("v:http://adlnet.gov/expapi/verbs/completed", facts.Keys);
        Assert.Contains("o:https://lms.example/activities/fire-safety", facts.Keys);
        Assert.Contains("O:https://lms.example/courses/1", facts.Keys); // a context activity: related only
        Assert.DoesNotContain("o:https://lms.example/courses/1", facts.Keys);
        Assert.Contains("A:account:https://lms.example|42", facts.Keys); // the instructor: related only
        Assert.DoesNotContain("a:account:https://lms.example|42", facts.Keys);
        Assert.Contains("r:ec531277-b57b-4c15-8d91-d292c5b2b8f7", facts.Keys);
    }

    [Fact]
    public void The_same_statement_again_compares_equal_and_a_different_one_does_not()
    {
        var authority = JsonSerializer.SerializeToElement(JsonNode.Parse("""{"account":{"homePage":"https://lms.example","name":"tool"}}"""));
        string Stored(string json) => StatementDocument.Signature(JsonDocument.Parse(
            StatementDocument.CompleteJson(JsonDocument.Parse(json).RootElement, Guid.NewGuid(), DateTimeOffset.UtcNow, authority, XapiVersion.V103)).RootElement, true);
        Assert.Equal(Stored(Valid), Stored(Valid));
        // What may differ: the email domain's case, verb display, definitions, timestamp's zone, group member order.
        var relaxed = Valid.Replace("ada@Example.COM", "ada@example.com").Replace("\"fr\": \"a terminé\"", "\"de\": \"abgeschlossen\"")
            .Replace("\"Fire safety\"", "\"Brandschutz\"").Replace("09:00:00.123+01:00", "08:00:00.123Z");
        Assert.NotEqual(Valid, relaxed);
        Assert.Equal(Stored(Valid), Stored(relaxed));
        var different = Valid.Replace("\"raw\": 9", "\"raw\": 8");
        Assert.NotEqual(Stored(Valid), Stored(different));
    }

    [Fact]
    public void The_lrs_completes_a_statement_and_context_activities_become_arrays()
    {
        var sent = JsonDocument.Parse(With("id", null)).RootElement;
        var id = Guid.NewGuid();
        var stored = StatementDocument.Complete(sent, id, new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero),
            JsonNode.Parse("""{"objectType":"Agent","account":{"homePage":"https://lms.example","name":"tool"}}""")!, XapiVersion.V103);
        Assert.Equal(id.ToString(), stored["id"]!.GetValue<string>());
        Assert.Equal("2026-12-05T09:00:00.000Z", stored["stored"]!.GetValue<string>());
        Assert.Equal("1.0.0", stored["version"]!.GetValue<string>());
        Assert.IsType<JsonArray>(stored["context"]!["contextActivities"]!["parent"]);
        Assert.Equal("tool", stored["authority"]!["account"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public void The_ids_format_keeps_identifiers_and_canonical_keeps_one_language()
    {
        var ids = JsonNode.Parse(Valid)!.AsObject();
        StatementDocument.ToIds(ids);
        Assert.Null(ids["actor"]!["name"]);
        Assert.Null(ids["verb"]!["display"]);
        Assert.Null(ids["object"]!["definition"]);
        Assert.Equal("mailto:ada@Example.COM", ids["actor"]!["mbox"]!.GetValue<string>());

        var canonical = JsonNode.Parse(Valid)!.AsObject();
        StatementDocument.ToCanonical(canonical, _ => JsonNode.Parse("""{"name":{"en":"Fire safety","fr":"Sécurité incendie"}}""")!.AsObject(), ["fr-FR", "en"]);
        Assert.Equal("""{"fr":"a terminé"}""", canonical["verb"]!["display"]!.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal("Sécurité incendie", canonical["object"]!["definition"]!["name"]!["fr"]!.GetValue<string>());
    }
}

internal static class NodeExtensions
{
    public static T Also<T>(this T value, Action<T> change)
    {
        change(value);
        return value;
    }
}
