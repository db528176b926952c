using LmsPlatform.Contracts;
using LmsPlatform.Contracts.Identity;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace LmsPlatform.ServiceDefaults.People;

/// <summary>
/// A service's copy of one of identity's users: the HR attributes audience rules, reminders and reports stand on, kept
/// from identity's user events (<see cref="PersonCopyConsumer{TEvent,TContext,TCopy}"/>). The rules for applying them
/// live here, once, for every service that keeps a copy.
/// <para>
/// Events arrive on one queue per event type, so a user's update can arrive before their creation, or a deactivation
/// before the update that preceded it. Each part of the copy remembers the time of the event it was last taken from
/// (<see cref="ProfileAt"/>, <see cref="StatusAt"/>) and an older event does not overwrite it; an event for a user not
/// yet copied creates the copy. Erasure is final: an erased copy keeps no personal data, whatever arrives after it.
/// </para>
/// </summary>
public abstract class PersonCopy
{
    public const string ErasedName = "Erased user";

    public Guid UserId { get; set; }
    public string Email { get; set; } = "";
    public string GivenName { get; set; } = "";
    public string FamilyName { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? ExternalId { get; set; }
    public string? JobTitle { get; set; }
    public string? Location { get; set; }
    public DateOnly? HireDate { get; set; }
    public Guid? ManagerId { get; set; }
    public Guid? OrgUnitId { get; set; }
    /// <summary>Identity's status: <c>Active</c>, <c>Suspended</c> or <c>Deactivated</c>.</summary>
    public string Status { get; set; } = Active;
    public bool Erased { get; set; }
    /// <summary>When identity created the user (from <see cref="UserCreated"/>).</summary>
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ProfileAt { get; set; }
    public DateTimeOffset? StatusAt { get; set; }

    public const string Active = "Active", Deactivated = "Deactivated";

    public bool IsActive => Status == Active;

    /// <summary>Where the person sits and whether they count: what a report as of a past date needs to know of before.</summary>
    public PersonPlacement Placement => new(OrgUnitId, ManagerId, Status);

    /// <summary>When one of identity's user events happened.</summary>
    public static DateTimeOffset TimeOf(IIntegrationEvent userEvent) => userEvent switch
    {
        UserCreated e => e.CreatedAt,
        UserUpdated e => e.UpdatedAt,
        UserDeactivated e => e.DeactivatedAt,
        UserReactivated e => e.ReactivatedAt,
        UserErased e => e.ErasedAt,
        _ => throw new NotSupportedException($"{userEvent.GetType().Name} is not a user event a person copy follows."),
    };

    /// <summary>Applies one of identity's user events to the copy.</summary>
    public void Apply(IIntegrationEvent userEvent)
    {
        switch (userEvent)
        {
            case UserCreated e: Apply(e); break;
            case UserUpdated e: ApplyProfile(e.Profile, e.UpdatedAt); break;
            case UserDeactivated e: ApplyStatus(Deactivated, e.DeactivatedAt); break;
            case UserReactivated e: ApplyStatus(Active, e.ReactivatedAt); break;
            case UserErased e: Apply(e); break;
            default: throw new NotSupportedException($"{userEvent.GetType().Name} is not a user event a person copy follows.");
        }
    }

    /// <summary>
    /// Applies a person as a replay sends them, like the events their state stands for: the profile and status as of
    /// when they were last set (a later event already applied wins), then the erasure if there was one.
    /// </summary>
    public void Apply(ReplayedPerson person)
    {
        CreatedAt = person.CreatedAt;
        ApplyProfile(person.Profile, person.ProfileAt);
        if (person.ErasedAt is { } erasedAt) Apply(new UserErased(person.UserId, erasedAt));
    }

    /// <summary>
    /// The user one of identity's user events is about: the aggregate its outbox row is ordered by (the first
    /// <see cref="Guid"/> of the event, <c>UserId</c> for every user event).
    /// </summary>
    public static Guid UserIdOf(IIntegrationEvent userEvent) => OutboxMessageFactory.OrderingKey(userEvent)
        ?? throw new NotSupportedException($"{userEvent.GetType().Name} is not a user event a person copy follows.");

    private void Apply(UserCreated created)
    {
        CreatedAt = created.CreatedAt;
        ApplyProfile(created.Profile ?? new UserProfile(created.Email, created.GivenName, created.FamilyName, created.ExternalId,
            null, null, null, null, null, Active), created.CreatedAt);
    }

    private void Apply(UserErased erased)
    {
        Erased = true;
        Email = "";
        GivenName = "";
        FamilyName = "";
        DisplayName = ErasedName;
        ExternalId = null;
        JobTitle = null;
        Location = null;
        HireDate = null;
        ProfileAt = Later(ProfileAt, erased.ErasedAt);
    }

    private void ApplyProfile(UserProfile profile, DateTimeOffset at)
    {
        ApplyStatus(profile.Status, at);
        if (ProfileAt is { } applied && applied > at) return;
        ProfileAt = at;
        // Where the person sits stays known after an erasure (reports count them); who they are does not.
        ManagerId = profile.ManagerId;
        OrgUnitId = profile.OrgUnitId;
        if (Erased) return;
        Email = profile.Email ?? ""; // a directory record may have none
        GivenName = profile.GivenName;
        FamilyName = profile.FamilyName;
        DisplayName = $"{profile.GivenName} {profile.FamilyName}".Trim();
        ExternalId = profile.ExternalId;
        JobTitle = profile.JobTitle;
        Location = profile.Location;
        HireDate = profile.HireDate;
    }

    private void ApplyStatus(string status, DateTimeOffset at)
    {
        if (StatusAt is { } applied && applied > at) return;
        StatusAt = at;
        Status = status;
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}

/// <summary>A person's org unit, manager and status at one moment.</summary>
public sealed record PersonPlacement(Guid? OrgUnitId, Guid? ManagerId, string Status);

public static class PersonCopyModel
{
    /// <summary>The copy's table and columns, the same in every service.</summary>
    public static EntityTypeBuilder<TCopy> MapPersonCopy<TCopy>(this EntityTypeBuilder<TCopy> e, string table) where TCopy : PersonCopy
    {
        e.ToTable(table);
        e.HasKey(p => p.UserId);
        e.Property(p => p.Email).HasMaxLength(254);
        e.Property(p => p.GivenName).HasMaxLength(100);
        e.Property(p => p.FamilyName).HasMaxLength(100);
        e.Property(p => p.DisplayName).HasMaxLength(201);
        e.Property(p => p.ExternalId).HasMaxLength(64);
        e.Property(p => p.JobTitle).HasMaxLength(200);
        e.Property(p => p.Location).HasMaxLength(200);
        e.Property(p => p.Status).HasMaxLength(20);
        e.Ignore(p => p.IsActive);
        e.Ignore(p => p.Placement);
        e.HasIndex(p => p.OrgUnitId);
        e.HasIndex(p => p.ManagerId);
        return e;
    }
}
