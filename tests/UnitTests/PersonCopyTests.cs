using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.People;

namespace LmsPlatform.UnitTests;

/// <summary>The rules every service's copy of a person follows, whatever order identity's events arrive in.</summary>
public class PersonCopyTests
{
    private sealed class Copy : PersonCopy;

    private static readonly Guid Id = Guid.NewGuid();
    private static readonly Guid Sales = Guid.NewGuid(), Support = Guid.NewGuid();
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    private static UserProfile Profile(string given, Guid unit, string status = "Active") =>
        new($"{given.ToLowerInvariant()}@example.org", given, "Lee", "E-1", "Agent", "Leeds", new DateOnly(2025, 3, 1), null, unit, status);

    private static UserCreated Created(DateTimeOffset at) => new(Id, "ann@example.org", "Ann", "Lee", "E-1", at) { Profile = Profile("Ann", Sales) };

    [Fact]
    public void Events_in_order_leave_the_latest_state()
    {
        var copy = new Copy { UserId = Id };
        copy.Apply(Created(T0));
        copy.Apply(new UserUpdated(Id, ["orgUnitId", "givenName"], Profile("Anna", Support), T0.AddMinutes(1)));
        copy.Apply(new UserDeactivated(Id, "left", T0.AddMinutes(2)));
        Assert.Equal(("Anna Lee", Support, "Deactivated"), (copy.DisplayName, copy.OrgUnitId, copy.Status));
        Assert.Equal(T0, copy.CreatedAt);
        copy.Apply(new UserReactivated(Id, T0.AddMinutes(3)));
        Assert.True(copy.IsActive);
    }

    [Fact]
    public void An_update_that_overtook_the_creation_is_not_undone_by_it()
    {
        var copy = new Copy { UserId = Id };
        copy.Apply(new UserUpdated(Id, ["orgUnitId"], Profile("Anna", Support), T0.AddMinutes(1)));
        copy.Apply(Created(T0));
        Assert.Equal(("Anna", Support), (copy.GivenName, copy.OrgUnitId));
        Assert.Equal(T0, copy.CreatedAt);
    }

    [Fact]
    public void A_deactivation_that_overtook_an_earlier_update_stands()
    {
        var copy = new Copy { UserId = Id };
        copy.Apply(Created(T0));
        copy.Apply(new UserDeactivated(Id, "left", T0.AddMinutes(2)));
        copy.Apply(new UserUpdated(Id, ["jobTitle"], Profile("Ann", Sales) with { JobTitle = "Lead" }, T0.AddMinutes(1)));
        Assert.Equal("Deactivated", copy.Status); // the update's "Active" is older than the deactivation
        Assert.Equal("Lead", copy.JobTitle); // its profile is newer than the creation's
    }

    [Fact]
    public void An_erasure_is_final_even_when_the_creation_or_an_update_arrives_after_it()
    {
        var copy = new Copy { UserId = Id };
        copy.Apply(new UserErased(Id, T0.AddMinutes(5)));
        copy.Apply(Created(T0));
        copy.Apply(new UserUpdated(Id, ["orgUnitId"], Profile("Anna", Support), T0.AddMinutes(9)));
        Assert.True(copy.Erased);
        Assert.Equal(("", "", "", PersonCopy.ErasedName), (copy.Email, copy.GivenName, copy.FamilyName, copy.DisplayName));
        Assert.Null(copy.JobTitle);
        Assert.Null(copy.HireDate);
        Assert.Equal(Support, copy.OrgUnitId); // where they sat is not personal data: reports still count them
    }
}
