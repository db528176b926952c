using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.UnitTests;

/// <summary>
/// Every service's model matches its migrations. The services skip this comparison at start (it builds and diffs a
/// second model: about a second of CPU each), so this is where a forgotten migration is caught.
/// </summary>
public class MigrationsTests
{
    public static readonly TheoryData<string> Contexts =
    [
        nameof(Identity.Infrastructure.IdentityDbContext), nameof(Catalogue.Infrastructure.CatalogueDbContext),
        nameof(Enrolment.Infrastructure.EnrolmentDbContext), nameof(ContentDelivery.Infrastructure.ContentDbContext),
        nameof(Notification.Infrastructure.NotificationDbContext), nameof(Analytics.Infrastructure.AnalyticsDbContext),
    ];

    [Theory]
    [MemberData(nameof(Contexts))]
    public void The_model_has_no_changes_without_a_migration(string context)
    {
        using DbContext db = context switch
        {
            nameof(Identity.Infrastructure.IdentityDbContext) => Create(new Identity.Infrastructure.IdentityDbContextFactory()),
            nameof(Catalogue.Infrastructure.CatalogueDbContext) => Create(new Catalogue.Infrastructure.CatalogueDbContextFactory()),
            nameof(Enrolment.Infrastructure.EnrolmentDbContext) => Create(new Enrolment.Infrastructure.EnrolmentDbContextFactory()),
            nameof(ContentDelivery.Infrastructure.ContentDbContext) => Create(new ContentDelivery.Infrastructure.ContentDbContextFactory()),
            nameof(Notification.Infrastructure.NotificationDbContext) => Create(new Notification.Infrastructure.NotificationDbContextFactory()),
            nameof(Analytics.Infrastructure.AnalyticsDbContext) => Create(new Analytics.Infrastructure.AnalyticsDbContextFactory()),
            _ => throw new ArgumentOutOfRangeException(nameof(context)),
        };
        Assert.NotEmpty(db.Database.GetMigrations());
        Assert.False(db.Database.HasPendingModelChanges(), $"{context} has model changes without a migration: add one (README, 'Adding a migration').");
    }

    private static TContext Create<TContext>(IDesignTimeDbContextFactory<TContext> factory) where TContext : DbContext => factory.CreateDbContext([]);
}
