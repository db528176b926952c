using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.ContentDelivery.Infrastructure;

public sealed class ContentDbContext(DbContextOptions<ContentDbContext> options) : ServiceDbContext(options)
{
    public DbSet<ContentItem> ContentItems => Set<ContentItem>();
    public DbSet<ContentPackage> Packages => Set<ContentPackage>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ContentItem>(e =>
        {
            e.ToTable("content_items");
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Url).HasMaxLength(2000);
            e.HasIndex(c => c.CreatedAt);
        });
        modelBuilder.Entity<ContentPackage>(e =>
        {
            e.ToTable("packages");
            e.HasKey(p => p.Id);
            e.HasIndex(p => p.UploadedAt);
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.Standard).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Edition).HasMaxLength(50);
            e.Property(p => p.ManifestIdentifier).HasMaxLength(200);
            e.Property(p => p.FileName).HasMaxLength(200);
            e.Property(p => p.UploadedByName).HasMaxLength(200);
            e.OwnsMany(p => p.Activities, a => a.ToJson());
            e.Ignore(p => p.StoragePrefix);
        });
    }
}

public sealed class ContentDbContextFactory : IDesignTimeDbContextFactory<ContentDbContext>
{
    public ContentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ContentDbContext>().UseNpgsql("Host=localhost").Options);
}
