using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Identity.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : ServiceDbContext(options)
{
    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.Email).HasMaxLength(254);
            e.Property(u => u.NormalizedEmail).HasMaxLength(254);
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
            e.Property(u => u.GivenName).HasMaxLength(100);
            e.Property(u => u.FamilyName).HasMaxLength(100);
            e.Property(u => u.ExternalId).HasMaxLength(64);
            e.HasIndex(u => u.ExternalId).IsUnique();
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(u => u.CreatedAt);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>: no database is needed to create a migration.</summary>
public sealed class IdentityDbContextFactory : IDesignTimeDbContextFactory<IdentityDbContext>
{
    public IdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<IdentityDbContext>().UseNpgsql("Host=localhost").Options);
}
