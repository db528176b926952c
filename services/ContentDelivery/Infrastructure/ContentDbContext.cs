using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.ContentDelivery.Infrastructure;

public sealed class ContentDbContext(DbContextOptions<ContentDbContext> options) : ServiceDbContext(options)
{
    public DbSet<ContentItem> ContentItems => Set<ContentItem>();

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
    }
}

public sealed class ContentDbContextFactory : IDesignTimeDbContextFactory<ContentDbContext>
{
    public ContentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ContentDbContext>().UseNpgsql("Host=localhost").Options);
}
