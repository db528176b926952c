using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Enrolment.Infrastructure;

public sealed class EnrolmentDbContext(DbContextOptions<EnrolmentDbContext> options) : ServiceDbContext(options), IDomainEventSink
{
    public DbSet<Learner> Learners => Set<Learner>();
    public DbSet<CourseEnrolment> Enrolments => Set<CourseEnrolment>();
    /// <summary>The completion ledger: append-only; an enrolment's state is the projection of its entries.</summary>
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    /// <summary>Each entry an enrolment writes is appended to the ledger in the same transaction as the new state.</summary>
    public void Handle(object domainEvent)
    {
        if (domainEvent is LedgerEntry entry) Ledger.Add(entry);
    }
    public DbSet<CourseCopy> Courses => Set<CourseCopy>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Learner>().MapPersonCopy("learners");
        modelBuilder.Entity<CourseCopy>(e =>
        {
            e.ToTable("courses");
            e.HasKey(c => c.CourseId);
            e.Property(c => c.Code).HasMaxLength(64);
            e.Property(c => c.Title).HasMaxLength(200);
        });
        modelBuilder.Entity<CourseEnrolment>(e =>
        {
            e.ToTable("enrolments");
            e.HasIndex(x => new { x.UserId, x.CourseId }).IsUnique();
            e.HasIndex(x => x.CourseId);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceReference).HasMaxLength(100);
            // Two writers that read the same state cannot both move it on.
            e.Property(x => x.Sequence).IsConcurrencyToken();
            e.HasOne<Learner>().WithMany().HasForeignKey(x => x.UserId);
        });
        modelBuilder.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.EnrolmentId, x.Sequence }).IsUnique();
            e.HasIndex(x => new { x.UserId, x.At });
            e.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceReference).HasMaxLength(100);
            e.Property(x => x.ActorName).HasMaxLength(200);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.HasOne<CourseEnrolment>().WithMany().HasForeignKey(x => x.EnrolmentId);
        });
    }
}

public sealed class EnrolmentDbContextFactory : IDesignTimeDbContextFactory<EnrolmentDbContext>
{
    public EnrolmentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EnrolmentDbContext>().UseNpgsql("Host=localhost").Options);
}
