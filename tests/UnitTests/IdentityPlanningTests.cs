using LmsPlatform.ServiceDefaults.Csv;
using System.Text;
using LmsPlatform.Identity.Imports;
using LmsPlatform.Identity.Model;
using LmsPlatform.Identity.Scim;

namespace LmsPlatform.UnitTests;

public class ScimFilterTests
{
    private static readonly User[] People =
    [
        Person("ada@example.org", "Ada", "Lovelace", "Analyst", UserStatus.Active, "E1"),
        Person("grace@example.org", "Grace", "Hopper", null, UserStatus.Active, "E2"),
        Person("alan@example.org", "Alan", "Turing", "Scientist", UserStatus.Deactivated, null),
    ];

    private static readonly Dictionary<string, System.Linq.Expressions.Expression<Func<User, object?>>> Attributes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["userName"] = u => u.Email, ["name.familyName"] = u => u.FamilyName, ["title"] = u => u.JobTitle,
        ["active"] = u => u.Status == UserStatus.Active, ["employeeNumber"] = u => u.ExternalId, ["meta.created"] = u => u.CreatedAt,
    };

    private static User Person(string email, string given, string family, string? title, UserStatus status, string? externalId)
    {
        var user = User.New(email, given, family, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        user.JobTitle = title;
        user.Status = status;
        user.ExternalId = externalId;
        return user;
    }

    [Theory]
    [InlineData("userName eq \"ADA@example.org\"", "Ada")]
    [InlineData("name.familyName sw \"ho\"", "Grace")]
    [InlineData("userName ew \"example.org\" and active eq false", "Alan")]
    [InlineData("title co \"ana\" or title eq \"scientist\"", "Ada,Alan")]
    [InlineData("not (title pr)", "Grace")]
    [InlineData("title ne \"Analyst\"", "Grace,Alan")]
    [InlineData("(active eq true) and not (employeeNumber eq \"E1\")", "Grace")]
    [InlineData("employeeNumber gt \"E1\"", "Grace")]
    [InlineData("meta.created ge \"2024-12-31T00:00:00Z\"", "Ada,Grace,Alan")]
    [InlineData("meta.created lt \"2024-12-31T00:00:00Z\"", "")]
    public void Filters_select_the_right_people(string filter, string expected)
    {
        var predicate = ScimFilter.Parse(filter, Attributes).Compile();
        Assert.Equal(expected, string.Join(",", People.Where(predicate).Select(p => p.GivenName)));
    }

    [Theory]
    [InlineData("userName eq")]
    [InlineData("userName zz \"x\"")]
    [InlineData("password eq \"x\"")]
    [InlineData("(userName eq \"x\"")]
    [InlineData("userName eq \"unterminated")]
    [InlineData("emails[type eq \"work\"] pr")]
    [InlineData("active eq \"yes\"")]
    public void Malformed_filters_are_refused_with_a_reason(string filter) =>
        Assert.Throws<ScimFilterException>(() => ScimFilter.Parse(filter, Attributes));
}

public class ImportPlanningTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static CsvContent Csv(string text) => CsvFile.Read(Encoding.UTF8.GetBytes(text), UserImportPlanner.Aliases, UserImportPlanner.Required);

    private static ExistingUser Existing(string externalId, string email, UserStatus status = UserStatus.Active) =>
        new(Guid.NewGuid(), externalId, User.Normalize(email), email, "Given", "Family", null, null, null, null, null, status);

    [Fact]
    public void A_manager_listed_after_their_report_still_resolves()
    {
        var plan = UserImportPlanner.Plan(Csv("external_id,email,given_name,family_name,manager\nR1,r@example.org,R,One,M1\nM1,m@example.org,M,One,\n"), [], new Dictionary<string, Guid>(), false, Now);
        Assert.Empty(plan.Errors);
        var manager = plan.Changes.Single(c => c.ExternalId == "M1").Id;
        Assert.Equal(manager, plan.References[plan.Changes.Single(c => c.ExternalId == "R1").Id].ManagerId);
    }

    [Fact]
    public void A_report_of_a_refused_manager_is_refused_too_so_no_one_points_at_a_missing_user()
    {
        var plan = UserImportPlanner.Plan(Csv("external_id,email,given_name,family_name,manager\nM1,bad-email,M,One,\nR1,r@example.org,R,One,M1\n"), [], new Dictionary<string, Guid>(), false, Now);
        Assert.Empty(plan.Changes);
        Assert.Equal([1, 2], plan.Errors.Select(e => e.Row).Order());
    }

    [Fact]
    public void Users_missing_from_a_full_extract_are_deactivated_but_not_those_on_bad_rows()
    {
        var existing = new[] { Existing("A", "a@example.org"), Existing("B", "b@example.org"), Existing("C", "c@example.org"), Existing("D", "d@example.org") };
        var plan = UserImportPlanner.Plan(Csv("external_id,email,given_name,family_name\nA,a@example.org,Given,Family\nB,broken,Given,Family\n"), existing, new Dictionary<string, Guid>(), true, Now);
        Assert.Equal(["C", "D"], plan.Changes.Where(c => c.Kind == ChangeKind.Deactivate).Select(c => c.ExternalId).Order());
        Assert.Equal(50, plan.DeactivationPercent);
        Assert.Equal(ChangeKind.Unchanged, plan.Changes.Single(c => c.ExternalId == "A").Kind);
    }

    [Fact]
    public void An_account_made_before_HR_knew_it_is_linked_by_email_and_a_taken_email_is_refused()
    {
        var unlinked = Existing("X", "old@example.org") with { ExternalId = null };
        var other = Existing("Z", "taken@example.org");
        var plan = UserImportPlanner.Plan(Csv("external_id,email,given_name,family_name\nN1,OLD@example.org,Given,Family\nN2,taken@example.org,Given,Family\n"), [unlinked, other], new Dictionary<string, Guid>(), false, Now);
        var linked = Assert.Single(plan.Changes);
        Assert.Equal(unlinked.Id, linked.Id);
        Assert.Contains("externalId", linked.Changed);
        Assert.Contains(plan.Errors, e => e is { Row: 2, Column: "email" });
    }

    [Fact]
    public void A_semicolon_file_with_a_BOM_and_loose_headers_is_read()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("Employee Number;E-mail Address;First Name;Surname\nE9;e9@example.org;Zoë;Ødegaard\n")).ToArray();
        var csv = CsvFile.Read(bytes, UserImportPlanner.Aliases, UserImportPlanner.Required);
        Assert.Null(csv.FileError);
        Assert.Equal("Zoë", Assert.Single(csv.Rows)["given_name"]);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_offset()
    {
        var csv = CsvFile.Read([.. "external_id,email\n"u8.ToArray(), 0x4A, 0xE9, 0x0A], UserImportPlanner.Aliases, UserImportPlanner.Required);
        Assert.Contains("offset", csv.FileError);
    }
}
