using LmsPlatform.Contracts.Catalogue;
using LmsPlatform.Contracts.Enrolment;
using LmsPlatform.Enrolment.Model;

namespace LmsPlatform.UnitTests;

/// <summary>A learning path's rule (every required course and k of the optional ones) and the moment it was met.</summary>
public class PathEnrolmentTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Required1 = Guid.NewGuid(), Required2 = Guid.NewGuid(), Optional1 = Guid.NewGuid(), Optional2 = Guid.NewGuid(), Optional3 = Guid.NewGuid();

    private static PathEnrolment Enrolled(int optionalToComplete)
    {
        var path = new PathCopy { PathId = Guid.NewGuid(), Code = "P-1", Version = 3, OptionalToComplete = optionalToComplete };
        path.Courses = [new(Required1, true), new(Optional1, false), new(Required2, true), new(Optional2, false), new(Optional3, false)];
        return PathEnrolment.Enrol(Guid.NewGuid(), path, null, new EnrolmentSource(EnrolmentSourceKind.Manual, null, null), EnrolmentActor.Platform, T0);
    }

    [Fact]
    public void It_waits_for_every_required_course_and_enough_optional_ones()
    {
        var path = Enrolled(optionalToComplete: 2);
        Assert.Single(path.TakeDomainEvents().OfType<LearningPathEnrolled>());
        var done = new Dictionary<Guid, DateTimeOffset> { [Required1] = T0.AddDays(1), [Optional1] = T0.AddDays(2), [Optional2] = T0.AddDays(3) };
        Assert.False(path.CompleteIfMet(done)); // a required course is missing, however many optional ones
        done[Required2] = T0.AddDays(4);
        done.Remove(Optional2);
        Assert.False(path.CompleteIfMet(done)); // one optional of two
        Assert.Equal((2, 2, 1, 2), path.Progress(done.Keys.ToHashSet()));
        Assert.Equal(PathStatus.Enrolled, path.Status);
        Assert.Empty(path.TakeDomainEvents());
    }

    [Fact]
    public void It_is_met_when_the_last_course_that_counts_was_done_and_stays_met()
    {
        var path = Enrolled(optionalToComplete: 1);
        path.TakeDomainEvents();
        // The earliest optional completion counts: the path was met on day 5, when the second required course was done.
        var done = new Dictionary<Guid, DateTimeOffset>
        {
            [Required1] = T0.AddDays(1), [Optional3] = T0.AddDays(2), [Required2] = T0.AddDays(5), [Optional1] = T0.AddDays(9),
        };
        Assert.True(path.CompleteIfMet(done));
        Assert.Equal((PathStatus.Completed, T0.AddDays(5)), (path.Status, path.CompletedAt));
        var completed = Assert.Single(path.TakeDomainEvents().OfType<LearningPathCompleted>());
        Assert.Equal(T0.AddDays(5), completed.At);
        Assert.False(path.CompleteIfMet(done)); // once, not again
        Assert.Empty(path.TakeDomainEvents());
    }

    [Fact]
    public void A_leave_policy_suspends_an_open_path_resumes_it_and_withdraws_only_an_open_one()
    {
        var path = Enrolled(optionalToComplete: 0);
        path.TakeDomainEvents();
        Assert.False(path.Resume("back", T0)); // not suspended: nothing to resume
        Assert.True(path.Suspend("left", T0.AddDays(1)));
        Assert.False(path.Withdraw("left", T0.AddDays(1))); // only an open path is withdrawn
        Assert.False(path.CompleteIfMet(new Dictionary<Guid, DateTimeOffset> { [Required1] = T0, [Required2] = T0 })); // suspended paths do not complete
        Assert.True(path.Resume("back", T0.AddDays(2)));
        Assert.Equal(["Suspended", "Enrolled"], path.TakeDomainEvents().OfType<LearningPathEnrolmentChanged>().Select(e => e.Status));
        Assert.True(path.Withdraw("left", T0.AddDays(3)));
        Assert.Equal(PathStatus.Withdrawn, path.Status);
    }

    [Fact]
    public void A_path_pins_the_version_and_courses_it_was_assigned_on()
    {
        var copy = new PathCopy { PathId = Guid.NewGuid() };
        copy.Apply(new LearningPathPublished(copy.PathId, "P-2", 1, "Path", [new(Required1, 1, true)], 0, ComplianceSettings.None, T0));
        var path = PathEnrolment.Enrol(Guid.NewGuid(), copy, null, new EnrolmentSource(EnrolmentSourceKind.Manual, null, null), EnrolmentActor.Platform, T0);
        copy.Apply(new LearningPathPublished(copy.PathId, "P-2", 2, "Path", [new(Required1, 1, true), new(Required2, 2, true)], 0, ComplianceSettings.None, T0.AddDays(1)));
        Assert.Equal((1, 1), (path.Version, path.Courses.Count));
        Assert.Equal((2, 2), (copy.Version, copy.Courses.Count));
        Assert.True(path.CompleteIfMet(new Dictionary<Guid, DateTimeOffset> { [Required1] = T0.AddHours(1) }));
    }
}
