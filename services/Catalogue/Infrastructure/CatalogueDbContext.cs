using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Catalogue.Infrastructure;

public sealed class CatalogueDbContext(DbContextOptions<CatalogueDbContext> options) : ServiceDbContext(options)
{
    public DbSet<Course> Courses => Set<Course>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Course>(e =>
        {
            e.ToTable("courses");
            e.Property(c => c.Code).HasMaxLength(32);
            e.HasIndex(c => c.Code).IsUnique();
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.Summary).HasMaxLength(2000);
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(c => c.CreatedAt);
        });
    }
}

public sealed class CatalogueDbContextFactory : IDesignTimeDbContextFactory<CatalogueDbContext>
{
    public CatalogueDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CatalogueDbContext>().UseNpgsql("Host=localhost").Options);
}
