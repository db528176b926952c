using LmsPlatform.Enrolment.Application;
using LmsPlatform.Enrolment.Model;

namespace LmsPlatform.UnitTests;

public class AudienceRuleTests
{
    private static readonly Guid Ops = Guid.NewGuid(), North = Guid.NewGuid(), Sales = Guid.NewGuid();
    private static readonly Guid Boss = Guid.NewGuid(), Lead = Guid.NewGuid(), Safety = Guid.NewGuid();

    private sealed class Facts : IAudienceFacts
    {
        public DateOnly Today => new(2026, 12, 4);
        public Dictionary<Guid, Guid?> Parents { get; } = new() { [Ops] = null, [North] = Ops, [Sales] = null };
        public Dictionary<Guid, Guid?> Managers { get; } = [];
        public HashSet<(Guid, Guid)> Completed { get; } = [];
        public Dictionary<(Guid, Guid), DateTimeOffset> Certified { get; } = [];
        public DateTimeOffset? CertificationExpiresAt(Guid userId, Guid courseId) => Certified.TryGetValue((userId, courseId), out var at) ? at : null;
        public bool IsWithin(Guid? orgUnitId, Guid root)
        {
            for (var unit = orgUnitId; unit is { } u; unit = Parents.GetValueOrDefault(u)) if (u == root) return true;
            return false;
        }
        public IReadOnlyList<Guid> ManagersOf(Guid userId)
        {
            var chain = new List<Guid>();
            for (var m = Managers.GetValueOrDefault(userId); m is { } id; m = Managers.GetValueOrDefault(id)) chain.Add(id);
            return chain;
        }
        public bool HasRole(Guid userId, string role) => role == "Manager" && userId == Boss;
        public bool IsMember(Guid audienceId, Guid userId) => false;
        public DateTimeOffset? CompletedAt(Guid userId, Guid courseId) => Completed.Contains((userId, courseId)) ? new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero) : null;
        public string NameOf(Guid id) => id == Ops ? "Operations" : id == North ? "North" : id == Boss ? "Bo Boss" : id.ToString()[..8];
    }

    private static Learner Person(Guid? orgUnit, string? jobTitle, DateOnly? hired = null, string status = "Active") => new()
    {
        UserId = Guid.NewGuid(), OrgUnitId = orgUnit, JobTitle = jobTitle, HireDate = hired, Status = status, DisplayName = jobTitle ?? "someone",
    };

    /// <summary>Operations (and below), except porters, or anyone hired in the last 30 days who has not done the safety course.</summary>
    private static RuleNode Rule() => RuleNode.Parse("""
        { "type": "any", "rules": [
            { "type": "all", "rules": [
                { "type": "orgUnit", "orgUnitId": "OPS" },
                { "type": "not", "rule": { "type": "jobTitle", "values": ["porter"] } } ] },
            { "type": "all", "rules": [
                { "type": "hireDate", "test": "withinDays", "days": 30 },
                { "type": "not", "rule": { "type": "completed", "courseId": "SAFETY" } } ] } ] }
        """.Replace("OPS", Ops.ToString()).Replace("SAFETY", Safety.ToString()), out var error) ?? throw new InvalidOperationException(error);

    [Fact]
    public void And_or_not_over_the_org_tree_job_titles_hire_dates_and_completions()
    {
        var facts = new Facts();
        var rule = Rule();
        Assert.True(rule.Matches(Person(North, "Nurse"), facts)); // below Operations
        Assert.False(rule.Matches(Person(North, "Porter"), facts)); // NOT, ignoring case
        Assert.False(rule.Matches(Person(Sales, "Nurse"), facts)); // elsewhere
        var starter = Person(Sales, "Nurse", hired: new DateOnly(2026, 11, 20));
        Assert.True(rule.Matches(starter, facts)); // a new starter
        facts.Completed.Add((starter.UserId, Safety));
        Assert.False(rule.Matches(starter, facts)); // ... until they have done the course
        Assert.False(rule.Matches(Person(Sales, "Nurse", hired: new DateOnly(2026, 10, 1)), facts)); // hired too long ago
    }

    [Fact]
    public void A_certification_expiring_within_the_days_or_expired_matches_and_such_rules_depend_on_the_date()
    {
        var facts = new Facts();
        var rule = RuleNode.Parse($$"""{ "type": "certificationExpiring", "courseId": "{{Safety}}", "withinDays": 60 }""", out var error)!;
        Assert.Null(error);
        var (soon, later, expired, none) = (Person(Sales, "A"), Person(Sales, "B"), Person(Sales, "C"), Person(Sales, "D"));
        facts.Certified[(soon.UserId, Safety)] = new DateTimeOffset(2027, 1, 20, 0, 0, 0, TimeSpan.Zero);
        facts.Certified[(later.UserId, Safety)] = new DateTimeOffset(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);
        facts.Certified[(expired.UserId, Safety)] = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal([true, false, true, false], new[] { soon, later, expired, none }.Select(p => rule.Matches(p, facts)));
        var trace = new List<RuleTrace>();
        rule.Matches(expired, facts, trace);
        Assert.Equal("it expired on 2026-11-01", trace.Single().Detail);
        Assert.True(rule.DependsOnTheDate);
        Assert.Contains(Safety, rule.CoursesReferred());
        Assert.True(Rule().DependsOnTheDate); // hired within 30 days
        Assert.False(RuleNode.Parse($$"""{ "type": "orgUnit", "orgUnitId": "{{Ops}}" }""", out _)!.DependsOnTheDate);
        Assert.Contains(RuleNode.Parse($$"""{ "type": "certificationExpiring", "courseId": "{{Safety}}", "withinDays": 0 }""", out _)!.Validate(),
            e => e.Field == "rule.withinDays");
    }

    [Fact]
    public void The_trace_answers_why_not_node_by_node_with_names()
    {
        var trace = new List<RuleTrace>();
        Assert.False(Rule().Matches(Person(North, "Porter"), new Facts(), trace));
        Assert.Equal(
            [
                (0, "Any of these (OR)", false, "0 of 2 met"),
                (1, "All of these (AND)", false, "1 of 2 met"),
                (2, "In Operations or below", true, "is in North"),
                (2, "Not (NOT)", false, "the condition below is met"),
                (3, "Job title is “porter”", true, "job title is “Porter”"),
                (1, "All of these (AND)", false, "1 of 2 met"),
                (2, "Hired within the last 30 days", false, "has no hire date"),
            ],
            trace.Take(7).Select(t => (t.Depth, t.Question, t.Result, t.Detail)));
        Assert.Equal(9, trace.Count);
    }

    [Fact]
    public void Managers_direct_or_up_the_chain()
    {
        var facts = new Facts();
        var person = Person(Sales, "Analyst");
        facts.Managers[person.UserId] = Lead;
        facts.Managers[Lead] = Boss;
        Assert.False(new ManagerCondition(Boss).Matches(person, facts));
        Assert.True(new ManagerCondition(Boss, Indirect: true).Matches(person, facts));
        Assert.True(new ManagerCondition(Lead).Matches(person, facts));
        Assert.True(new RoleCondition("manager").Matches(new Learner { UserId = Boss, Status = "Active" }, facts));
    }

    [Theory]
    [InlineData("""{ "type": "everyone" }""", "rule", "known 'type'")]
    [InlineData("""{ "type": "jobTitle", "values": ["a"], "colour": "red" }""", "rule", "is not a rule")]
    [InlineData("""[1, 2]""", "rule", "is not a rule")]
    public void Json_that_is_not_a_rule_is_refused_with_the_reason(string json, string _, string reason)
    {
        Assert.Null(RuleNode.Parse(json, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void The_type_may_come_anywhere_in_a_node_as_jsonb_stores_it()
    {
        var rule = RuleNode.Parse("""{ "rules": [ { "values": ["Nurse"], "type": "jobTitle" } ], "type": "all" }""", out var error);
        Assert.Null(error);
        Assert.Equal(new AllOf([new JobTitleCondition(["Nurse"])]).ToJson(), rule!.ToJson());
    }

    [Fact]
    public void Each_refusal_names_the_path_to_its_field()
    {
        var rule = RuleNode.Parse("""
            { "type": "all", "rules": [ { "type": "jobTitle", "values": [] }, { "type": "not", "rule": { "type": "hireDate", "test": "withinDays" } },
              { "type": "any", "rules": [] }, { "type": "role", "role": "Pope" } ] }
            """, out _)!;
        Assert.Equal(
            [("rule.rules[0].values", true), ("rule.rules[1].rule.days", true), ("rule.rules[2].rules", true), ("rule.rules[3].role", true)],
            rule.Validate().Select(e => (e.Field, e.Message.Length > 0)));
        var deep = Enumerable.Range(0, RuleNode.MostDepth).Aggregate((RuleNode)new JobTitleCondition(["x"]), (inner, _) => new NotRule(inner));
        Assert.Contains(deep.Validate(), e => e.Message.Contains("nests deeper"));
    }

    [Fact]
    public void Audiences_are_evaluated_after_the_audiences_they_are_built_on()
    {
        var settings = (string name, RuleNode rule) => new AudienceSettings(name, null, rule, [], LeavePolicy.Keep, 0, 10);
        var basic = Audience.Create(settings("basic", new JobTitleCondition(["Nurse"])), DateTimeOffset.UtcNow);
        var middle = Audience.Create(settings("middle", new AudienceCondition(basic.Id)), DateTimeOffset.UtcNow);
        var top = Audience.Create(settings("top", new AllOf([new AudienceCondition(middle.Id), new AudienceCondition(basic.Id)])), DateTimeOffset.UtcNow);
        var rules = new[] { top, middle, basic }.ToDictionary(a => a.Id, a => a.Draft());
        Assert.Equal(["basic", "middle", "top"], AudienceSync.InDependencyOrder([top, middle, basic], rules).Select(a => a.Name));
    }

    [Fact]
    public void Publishing_makes_numbered_versions_and_pausing_stops_evaluation_until_a_full_one()
    {
        var audience = Audience.Create(new AudienceSettings("Nurses", null, new JobTitleCondition(["Nurse"]), [], LeavePolicy.Suspend, 3, 10), DateTimeOffset.UtcNow);
        Assert.False(audience.NeedsSync);
        audience.Publish(true, EnrolmentActor.Platform, DateTimeOffset.UtcNow);
        Assert.Equal(1, audience.Version);
        Assert.True(audience.NeedsSync);
        Assert.Throws<ServiceDefaults.Domain.DomainRuleException>(() => audience.Publish(true, EnrolmentActor.Platform, DateTimeOffset.UtcNow));
        audience.MarkSynced(DateTimeOffset.UtcNow);
        Assert.False(audience.NeedsSync);
        audience.Pause(DateTimeOffset.UtcNow);
        audience.Resume(DateTimeOffset.UtcNow);
        Assert.True(audience.NeedsSync);
        Assert.StartsWith(audience.Id.ToString(), audience.SourceReference);
        Assert.Throws<ServiceDefaults.Domain.DomainRuleException>(() =>
            audience.Edit(new AudienceSettings("Nurses", null, new JobTitleCondition(["Nurse"]), [], LeavePolicy.Suspend, 365, 10), DateTimeOffset.UtcNow));
    }
}
