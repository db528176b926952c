using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Enrolment.Infrastructure;

public sealed class EnrolmentDbContext(DbContextOptions<EnrolmentDbContext> options) : ServiceDbContext(options)
{
    public DbSet<Learner> Learners => Set<Learner>();
    public DbSet<CourseEnrolment> Enrolments => Set<CourseEnrolment>();
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
            e.HasOne<Learner>().WithMany().HasForeignKey(x => x.UserId);
        });
    }
}

public sealed class EnrolmentDbContextFactory : IDesignTimeDbContextFactory<EnrolmentDbContext>
{
    public EnrolmentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EnrolmentDbContext>().UseNpgsql("Host=localhost").Options);
}
