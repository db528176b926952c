using System.Text.Json;
using System.Text.Json.Nodes;
using LmsPlatform.ContentDelivery.Application.Xapi;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Xapi;

namespace LmsPlatform.UnitTests;

/// <summary>
/// What an AU may say in its session (cmi5 §9, the LMS's side) and what its statements satisfy: an AU, the blocks
/// around it, the course.
/// </summary>
public class Cmi5RulesTests
{
    private const string Au = "https://lms.example/xapi/cmi5/1/au/0", Cmi5 = Cmi5Verbs.Category, MoveOn = Cmi5Verbs.MoveOnCategory;
    private static readonly Guid Registration = Guid.NewGuid(), Session = Guid.NewGuid();
    private static readonly JsonObject Actor = new() { ["objectType"] = "Agent", ["account"] = new JsonObject { ["homePage"] = "https://lms.example", ["name"] = "ada" } };
    private static readonly Cmi5Launch Launch = new(Session, Registration, AgentKey.Of(Actor)!, "https://pub.example/au", Au, "Normal", 0.8, Initialized: true);

    private static JsonObject Say(string verb, JsonObject? result = null, string[]? categories = null, string target = Au)
    {
        var statement = new JsonObject
        {
            ["actor"] = Actor.DeepClone(), ["verb"] = new JsonObject { ["id"] = "http://adlnet.gov/expapi/verbs/" + verb }, ["object"] = new JsonObject { ["id"] = target },
            ["context"] = new JsonObject
            {
                ["registration"] = Registration.ToString(),
                ["contextActivities"] = new JsonObject { ["category"] = new JsonArray([.. (categories ?? [Cmi5]).Select(c => (JsonNode)new JsonObject { ["id"] = c })]) },
                ["extensions"] = new JsonObject { [Cmi5Verbs.SessionIdExtension] = Session.ToString() },
            },
        };
        if (result is not null) statement["result"] = result;
        return statement;
    }

    private static string? Check(Cmi5Launch launch, params JsonObject[] statements) =>
        Cmi5Rules.Check([.. statements.Select(s => JsonSerializer.SerializeToElement(s))], launch)?.Reason;

    private static string? Check(params JsonObject[] statements) => Check(Launch, statements);

    private static JsonObject Completed => Say("completed", new JsonObject { ["completion"] = true, ["duration"] = "PT1M" }, [Cmi5, MoveOn]);

    [Fact]
    public void A_proper_session_passes()
    {
        Assert.Null(Check(Launch with { Initialized = false }, Say("initialized"), Say("experienced", categories: [], target: "https://pub.example/page/1"), Completed,
            Say("passed", new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.9 }, ["duration"] = "PT2M" }, [Cmi5, MoveOn]),
            Say("terminated", new JsonObject { ["duration"] = "PT3M" })));
    }

    [Theory]
    [InlineData("completed", """{"completion":true}""", true, "carries result.duration")]
    [InlineData("terminated", """{}""", false, "carries result.duration")]
    [InlineData("passed", """{"success":true,"score":{"scaled":0.9}}""", true, "carries result.duration")]
    [InlineData("completed", """{"completion":true,"duration":"PT1M"}""", false, "holds the moveOn category")]
    [InlineData("terminated", """{"duration":"PT1M"}""", true, "only a defined statement with success or completion holds the moveOn category")]
    [InlineData("completed", """{"completion":true,"success":true,"duration":"PT1M"}""", true, "carries no score and no success")]
    [InlineData("terminated", """{"duration":"PT1M","score":{"scaled":1}}""", false, "carries no score and no success")]
    [InlineData("failed", """{"success":false,"completion":true,"duration":"PT1M"}""", true, "carries no completion")]
    public void The_result_of_a_defined_statement_follows_its_verb(string verb, string result, bool moveOn, string reason) =>
        Assert.Contains(reason, Check(Say(verb, JsonNode.Parse(result)!.AsObject(), moveOn ? [Cmi5, MoveOn] : [Cmi5])));

    [Fact]
    public void Without_the_cmi5_category_a_statement_is_allowed_and_uncounted_and_the_LMS_verbs_are_the_LMS_s()
    {
        var allowed = Say("completed", new JsonObject { ["completion"] = true }, []);
        Assert.Null(Check(allowed)); // a cmi5 allowed statement, whatever its verb
        Assert.False(Cmi5Rules.IsDefined(JsonSerializer.SerializeToElement(allowed)));
        Assert.True(Cmi5Rules.IsDefined(JsonSerializer.SerializeToElement(Completed)));
        Assert.Contains("only a defined statement", Check(Say("completed", new JsonObject { ["completion"] = true, ["duration"] = "PT1M" }, [MoveOn])));
        var satisfied = Say("satisfied");
        satisfied["verb"]!["id"] = Cmi5Verbs.Satisfied;
        Assert.Contains("only the LMS says", Check(satisfied));
        Assert.Contains("is not one", Check(Say("experienced")));
        Assert.Contains("object is the AU's activityId", Check(Say("terminated", new JsonObject { ["duration"] = "PT1M" }, target: "https://pub.example/other")));
        // The same verb about another activity, without the category, is a cmi5 allowed statement and does not count.
        Assert.Null(Check(Say("completed", new JsonObject { ["completion"] = true }, [], "https://pub.example/chapter/1")));
        Assert.Contains("moveOn category", Check(Say("completed", new JsonObject { ["completion"] = true }, [MoveOn], "https://pub.example/chapter/1")));
    }

    [Fact]
    public void Nothing_follows_terminated_in_the_batch_or_after_it()
    {
        var terminated = Say("terminated", new JsonObject { ["duration"] = "PT1M" });
        Assert.Contains("the session was terminated", Check(terminated, Say("experienced", categories: [], target: "https://pub.example/page/2")));
        Assert.Contains("the session was terminated", Check(Launch with { Terminated = true }, Completed));
    }

    [Fact]
    public void The_mastery_score_and_the_registration_s_history_decide_passed_and_failed()
    {
        Assert.Contains("below the mastery score", Check(Say("passed", new JsonObject { ["success"] = true, ["score"] = new JsonObject { ["scaled"] = 0.5 }, ["duration"] = "PT1M" }, [Cmi5, MoveOn])));
        Assert.Contains("completed already", Check(Launch with { Completed = true }, Completed));
        Assert.Contains("cannot be failed after", Check(Launch with { Passed = true }, Say("failed", new JsonObject { ["success"] = false, ["duration"] = "PT1M" }, [Cmi5, MoveOn])));
        Assert.Contains("in Browse mode", Check(Launch with { Mode = "Browse" }, Completed));
        Assert.Contains("first statement is \"initialized\"", Check(Launch with { Initialized = false }, Completed));
    }

    [Fact]
    public void Blocks_are_satisfied_innermost_first_when_their_last_AU_is_and_then_the_course()
    {
        var package = ContentPackage.Import(Guid.NewGuid(), null, "nested.zip", PackageInspection.Of(new MemoryStream(Cmi5StructureTests.Zip("""
            <?xml version="1.0" encoding="utf-8"?>
            <courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
              <course id="https://pub.example/course"><title><langstring>Course</langstring></title><description><langstring>-</langstring></description></course>
              <block id="https://pub.example/outer"><title><langstring>Outer</langstring></title><description><langstring>-</langstring></description>
                <au id="https://pub.example/a" moveOn="Completed"><title><langstring>A</langstring></title><description><langstring>-</langstring></description><url>a.html</url></au>
                <block id="https://pub.example/inner"><title><langstring>Inner</langstring></title><description><langstring>-</langstring></description>
                  <au id="https://pub.example/b" moveOn="Passed"><title><langstring>B</langstring></title><description><langstring>-</langstring></description><url>b.html</url></au>
                </block>
              </block>
              <block id="https://pub.example/optional"><title><langstring>Optional</langstring></title><description><langstring>-</langstring></description>
                <au id="https://pub.example/c"><title><langstring>C</langstring></title><description><langstring>-</langstring></description><url>c.html</url></au>
              </block>
            </courseStructure>
            """, "a.html", "b.html", "c.html"))), null, "Admin", DateTimeOffset.UtcNow);
        Assert.Equal(["https://pub.example/outer", "https://pub.example/inner"], package.Activities[1].Blocks!);
        var registration = Cmi5Registration.Start(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), package, 1, DateTimeOffset.UtcNow);
        Assert.Equal(["https://pub.example/optional"], registration.SatisfiedBlocks()); // its one AU is NotApplicable

        var passedB = registration.Received("https://pub.example/b", Cmi5Verbs.Passed, 0.9, DateTimeOffset.UtcNow);
        Assert.Equal(["https://pub.example/inner"], passedB.Blocks); // the outer block still waits for A
        Assert.False(passedB.Course);
        var again = registration.Received("https://pub.example/b", Cmi5Verbs.Failed, 0.1, DateTimeOffset.UtcNow);
        Assert.False(again.Any); // already satisfied: nothing is said twice
        var completedA = registration.Received("https://pub.example/a", Cmi5Verbs.Completed, null, DateTimeOffset.UtcNow);
        Assert.Equal(["https://pub.example/outer"], completedA.Blocks);
        Assert.True(completedA.Course);
        Assert.True(registration.Satisfied);
    }
}
