using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Notification.Infrastructure;

public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : ServiceDbContext(options)
{
    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<UserNotification> Notifications => Set<UserNotification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Recipient>().MapPersonCopy("recipients");
        modelBuilder.Entity<UserNotification>(e =>
        {
            e.ToTable("notifications");
            e.Property(n => n.Channel).HasConversion<string>().HasMaxLength(20);
            e.Property(n => n.Subject).HasMaxLength(200);
            e.Property(n => n.Body).HasMaxLength(4000);
            e.HasIndex(n => new { n.UserId, n.CreatedAt });
            e.HasOne<Recipient>().WithMany().HasForeignKey(n => n.UserId);
        });
    }
}

public sealed class NotificationDbContextFactory : IDesignTimeDbContextFactory<NotificationDbContext>
{
    public NotificationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotificationDbContext>().UseNpgsql("Host=localhost").Options);
}
