using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Analytics.Infrastructure;

public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : ServiceDbContext(options)
{
    public DbSet<UserFact> Users => Set<UserFact>();
    public DbSet<OrgUnitCopy> OrgUnits => Set<OrgUnitCopy>();
    public DbSet<ItemFact> Items => Set<ItemFact>();
    public DbSet<LedgerEventCopy> LedgerEvents => Set<LedgerEventCopy>();
    public DbSet<EnrolmentState> EnrolmentStates => Set<EnrolmentState>();
    public DbSet<CertificationFact> Certifications => Set<CertificationFact>();
    public DbSet<SavedReport> Reports => Set<SavedReport>();
    public DbSet<ReadModelRebuild> Rebuilds => Set<ReadModelRebuild>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<UserFact>().MapPersonCopy("user_facts").HasIndex(u => u.CreatedAt);
        modelBuilder.Entity<OrgUnitCopy>().MapOrgUnitCopy();
        modelBuilder.Entity<ItemFact>(e =>
        {
            e.ToTable("item_facts");
            e.HasKey(i => i.ItemId);
            e.Property(i => i.Kind).HasMaxLength(20);
            e.Property(i => i.Code).HasMaxLength(64);
            e.Property(i => i.Title).HasMaxLength(300);
        });
        modelBuilder.Entity<LedgerEventCopy>(e =>
        {
            e.ToTable("ledger_events");
            e.HasKey(l => new { l.EnrolmentId, l.Sequence });
            e.Property(l => l.Action).HasConversion<string>().HasMaxLength(20);
            e.Property(l => l.Source).HasMaxLength(40);
        });
        modelBuilder.Entity<EnrolmentState>(e =>
        {
            e.ToTable("enrolment_states");
            e.HasKey(s => new { s.EnrolmentId, s.ValidFrom });
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.Source).HasMaxLength(40);
            // "Now": the open-ended ranges; "as of": a range lookup by date.
            e.HasIndex(s => new { s.CourseId, s.UserId }).HasFilter("\"ValidTo\" IS NULL").IncludeProperties(s => new { s.Status, s.DueAt })
                .HasDatabaseName("ix_enrolment_states_current");
            e.HasIndex(s => new { s.UserId, s.ValidFrom }).IncludeProperties(s => new { s.ValidTo, s.CourseId, s.Status, s.DueAt });
        });
        modelBuilder.Entity<CertificationFact>(e =>
        {
            e.ToTable("certification_facts");
            e.HasKey(c => new { c.CertificationId, c.Cycle });
            e.HasIndex(c => new { c.CourseId, c.ExpiresAt });
            e.HasIndex(c => c.UserId);
        });
        modelBuilder.Entity<ReadModelRebuild>(e =>
        {
            e.ToTable("read_model_rebuilds");
            e.Property(r => r.RequestedBy).HasMaxLength(200);
        });
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
