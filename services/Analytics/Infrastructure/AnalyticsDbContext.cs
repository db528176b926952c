using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Analytics.Infrastructure;

public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : ServiceDbContext(options)
{
    public DbSet<UserFact> Users => Set<UserFact>();
    public DbSet<SavedReport> Reports => Set<SavedReport>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<UserFact>().MapPersonCopy("user_facts").HasIndex(u => u.CreatedAt);
        modelBuilder.Entity<SavedReport>(e =>
        {
            e.ToTable("saved_reports");
            e.Property(r => r.Name).HasMaxLength(200);
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(40);
        });
    }
}

public sealed class AnalyticsDbContextFactory : IDesignTimeDbContextFactory<AnalyticsDbContext>
{
    public AnalyticsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AnalyticsDbContext>().UseNpgsql("Host=localhost").Options);
}
