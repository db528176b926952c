using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Notification.Model;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Notification.Infrastructure;

/// <summary>A course or learning path as messages name it (from catalogue's publications).</summary>
public sealed class ItemCopy
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public required string Title { get; set; }
    public required string Code { get; set; }
}

public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : ServiceDbContext(options), IDomainEventSink
{
    /// <summary>An email's outcome is logged with the change that reached it.</summary>
    public IEnumerable<object> RowsOf(object domainEvent) =>
        domainEvent is Contracts.Notification.EmailDeliveryChanged outcome ? [EmailOutcome.Of(outcome)] : [];

    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<UserNotification> Notifications => Set<UserNotification>();
    public DbSet<EmailMessage> Emails => Set<EmailMessage>();
    public DbSet<EmailOutcome> EmailOutcomes => Set<EmailOutcome>();
    public DbSet<Preference> Preferences => Set<Preference>();
    public DbSet<TemplateVersion> Templates => Set<TemplateVersion>();
    public DbSet<ItemCopy> Items => Set<ItemCopy>();
    public DbSet<Assignment> Assignments => Set<Assignment>();
    public DbSet<ReminderPolicy> ReminderPolicies => Set<ReminderPolicy>();
    public DbSet<DigestItem> DigestItems => Set<DigestItem>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddReplayTable();
        modelBuilder.Entity<Recipient>(e =>
        {
            e.MapPersonCopy("recipients");
            e.Property(r => r.Language).HasMaxLength(20);
            e.Property(r => r.TimeZone).HasMaxLength(64);
            e.Property(r => r.Digest).HasConversion<string>().HasMaxLength(10);
        });
        modelBuilder.Entity<EmailOutcome>(e =>
        {
            e.ToTable("email_outcomes");
            e.Property(o => o.Type).HasMaxLength(64);
            e.Property(o => o.Status).HasMaxLength(20);
        });
        modelBuilder.Entity<Assignment>(e =>
        {
            e.ToTable("assignments");
            e.HasKey(a => a.EnrolmentId);
            e.Property(a => a.EnrolmentId).ValueGeneratedNever();
            e.Property(a => a.Status).HasConversion<string>().HasMaxLength(10);
            // What the scheduler looks through: open assignments with a due date, by due date.
            e.HasIndex(a => a.DueAt).HasFilter("\"Status\" = 'Open' AND \"DueAt\" IS NOT NULL").HasDatabaseName("ix_assignments_open_due");
            e.HasIndex(a => a.UserId);
        });
        modelBuilder.Entity<ReminderPolicy>(e =>
        {
            e.ToTable("reminder_policies");
            e.HasIndex(p => p.CourseId).IsUnique().AreNullsDistinct(false);
        });
        modelBuilder.Entity<DigestItem>(e =>
        {
            e.ToTable("digest_items");
            e.Property(d => d.Type).HasMaxLength(64);
            e.Property(d => d.Subject).HasMaxLength(200);
            e.Property(d => d.Text).HasMaxLength(4000);
            e.Property(d => d.Link).HasMaxLength(500);
            e.Property(d => d.DedupeKey).HasMaxLength(200);
            e.HasIndex(d => d.DedupeKey).IsUnique();
            e.HasIndex(d => d.DueAt).HasFilter("\"SentInEmailId\" IS NULL").HasDatabaseName("ix_digest_items_pending");
            e.HasIndex(d => d.UserId);
        });
        modelBuilder.Entity<UserNotification>(e =>
        {
            e.ToTable("notifications");
            e.Property(n => n.Channel).HasConversion<string>().HasMaxLength(20);
            e.Property(n => n.Type).HasMaxLength(64);
            e.Property(n => n.Subject).HasMaxLength(200);
            e.Property(n => n.Body).HasMaxLength(4000);
            e.Property(n => n.Link).HasMaxLength(500);
            e.Property(n => n.DedupeKey).HasMaxLength(200);
            e.HasIndex(n => new { n.UserId, n.CreatedAt });
            e.HasIndex(n => n.UserId).HasFilter("\"ReadAt\" IS NULL").HasDatabaseName("ix_notifications_unread");
            e.HasIndex(n => n.DedupeKey).IsUnique();
            e.HasOne<Recipient>().WithMany().HasForeignKey(n => n.UserId);
        });
        modelBuilder.Entity<EmailMessage>(e =>
        {
            e.ToTable("emails");
            e.Property(m => m.Type).HasMaxLength(64);
            e.Property(m => m.ToAddress).HasMaxLength(254);
            e.Property(m => m.Subject).HasMaxLength(200);
            e.Property(m => m.UnsubscribeUrl).HasMaxLength(600);
            e.Property(m => m.DedupeKey).HasMaxLength(200);
            e.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(m => m.LastError).HasMaxLength(1000);
            // Whoever holds the lease owns the row's outcome: an update made under a lease that has since passed to another sender fails.
            e.Property(m => m.LeasedUntil).IsConcurrencyToken();
            e.Ignore(m => m.MessageId);
            e.HasIndex(m => m.DedupeKey).IsUnique();
            // The senders' queue: only what is still to send is in this index.
            e.HasIndex(m => m.NextAttemptAt).HasFilter("\"Status\" IN ('Queued', 'Retrying')").HasDatabaseName("ix_emails_due");
            e.HasIndex(m => new { m.Status, m.CreatedAt });
            e.HasIndex(m => new { m.UserId, m.CreatedAt });
        });
        modelBuilder.Entity<Preference>(e =>
        {
            e.ToTable("preferences");
            e.HasKey(p => new { p.UserId, p.Type, p.Channel });
            e.Property(p => p.Type).HasMaxLength(64);
            e.Property(p => p.Channel).HasConversion<string>().HasMaxLength(20);
        });
        modelBuilder.Entity<TemplateVersion>(e =>
        {
            e.ToTable("template_versions");
            e.Property(t => t.Type).HasMaxLength(64);
            e.Property(t => t.Language).HasMaxLength(20);
            e.Property(t => t.Subject).HasMaxLength(200);
            e.HasIndex(t => new { t.Type, t.Language, t.Version }).IsUnique();
        });
        modelBuilder.Entity<ItemCopy>(e =>
        {
            e.ToTable("items");
            e.Property(i => i.Kind).HasMaxLength(20);
            e.Property(i => i.Title).HasMaxLength(300);
            e.Property(i => i.Code).HasMaxLength(64);
        });
    }
}

public sealed class NotificationDbContextFactory : IDesignTimeDbContextFactory<NotificationDbContext>
{
    public NotificationDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<NotificationDbContext>().UseNpgsql("Host=localhost").Options);
}
