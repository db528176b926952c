using LmsPlatform.ContentDelivery.Model;
using LmsPlatform.ContentDelivery.Model.Files;
using LmsPlatform.ContentDelivery.Model.Packages;
using LmsPlatform.ContentDelivery.Model.Runtime;
using LmsPlatform.ContentDelivery.Model.Xapi;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace LmsPlatform.ContentDelivery.Infrastructure;

public sealed class ContentDbContext(DbContextOptions<ContentDbContext> options) : ServiceDbContext(options)
{
    public DbSet<ContentItem> ContentItems => Set<ContentItem>();
    public DbSet<ContentPackage> Packages => Set<ContentPackage>();
    public DbSet<CourseActivityCopy> CourseActivities => Set<CourseActivityCopy>();
    public DbSet<EnrolmentCopy> Enrolments => Set<EnrolmentCopy>();
    public DbSet<ScormAttempt> Attempts => Set<ScormAttempt>();
    public DbSet<MediaProgress> MediaProgress => Set<MediaProgress>();
    public DbSet<LaunchProblem> LaunchProblems => Set<LaunchProblem>();
    public DbSet<ResumableUpload> Uploads => Set<ResumableUpload>();
    public DbSet<StoredStatement> Statements => Set<StoredStatement>();
    public DbSet<XapiActivity> XapiActivities => Set<XapiActivity>();
    public DbSet<XapiAttachment> XapiAttachments => Set<XapiAttachment>();
    public DbSet<XapiDocument> XapiDocuments => Set<XapiDocument>();
    public DbSet<XapiClient> XapiClients => Set<XapiClient>();
    public DbSet<StatementProgress> StatementProgress => Set<StatementProgress>();
    public DbSet<Cmi5Registration> Cmi5Registrations => Set<Cmi5Registration>();
    public DbSet<Cmi5Session> Cmi5Sessions => Set<Cmi5Session>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<ContentItem>(e =>
        {
            e.ToTable("content_items");
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Url).HasMaxLength(2000);
            e.Property(c => c.FileName).HasMaxLength(200);
            e.Property(c => c.MediaType).HasMaxLength(100);
            e.HasIndex(c => c.PackageId);
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
        modelBuilder.Entity<CourseActivityCopy>(e =>
        {
            e.ToTable("course_activities");
            e.HasKey(a => new { a.CourseId, a.Version, a.ActivityId });
            e.HasIndex(a => a.ContentItemId);
            e.Property(a => a.Kind).HasMaxLength(20);
            e.Property(a => a.Title).HasMaxLength(200);
        });
        modelBuilder.Entity<EnrolmentCopy>(e =>
        {
            e.ToTable("enrolments");
            e.HasKey(x => x.EnrolmentId);
            e.HasIndex(x => new { x.UserId, x.CourseId });
        });
        modelBuilder.Entity<ResumableUpload>(e =>
        {
            e.ToTable("uploads");
            e.HasKey(u => u.Id);
            e.HasIndex(u => u.ExpiresAt);
            e.Property(u => u.FileName).HasMaxLength(200);
            e.Property(u => u.Title).HasMaxLength(200);
            e.Property(u => u.Sha256).HasMaxLength(64);
            e.Property(u => u.RowVersion).IsRowVersion();
            e.Ignore(u => u.StoragePrefix);
        });
        modelBuilder.Entity<LaunchProblem>(e =>
        {
            e.ToTable("launch_problems");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.AttemptId, p.ItemId, p.Kind }).IsUnique();
            e.HasIndex(p => p.At);
            e.Property(p => p.ItemId).HasMaxLength(200);
            e.Property(p => p.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Detail).HasMaxLength(500);
        });
        modelBuilder.Entity<MediaProgress>(e =>
        {
            e.ToTable("media_progress");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.EnrolmentId, p.ActivityId }).IsUnique();
            e.HasIndex(p => p.UserId);
            e.Property(p => p.Watched).HasColumnType("jsonb").HasConversion(JsonColumn<List<WatchedSpan>>.Converter, JsonColumn<List<WatchedSpan>>.Comparer);
            e.Property(p => p.RowVersion).IsRowVersion();
            e.Ignore(p => p.Completed);
        });
        modelBuilder.Entity<ScormAttempt>(e =>
        {
            e.ToTable("scorm_attempts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.EnrolmentId, a.ActivityId, a.Number }).IsUnique();
            e.HasIndex(a => a.UserId);
            e.Property(a => a.Completion).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.Success).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.Scos).HasColumnType("jsonb").HasConversion(JsonColumn<List<ScoState>>.Converter, JsonColumn<List<ScoState>>.Comparer);
            e.Property(a => a.RowVersion).IsRowVersion();
            e.Ignore(a => a.Finished);
            e.Ignore(a => a.TotalSeconds);
        });
        // The LRS. Statements are found by one GIN index over their keys (StatementFacts) and paged by their arrival order.
        modelBuilder.Entity<StoredStatement>(e =>
        {
            e.ToTable("xapi_statements");
            e.HasKey(s => s.Seq);
            e.Property(s => s.Seq).UseIdentityAlwaysColumn();
            e.HasIndex(s => s.Id).IsUnique();
            e.HasIndex(s => s.Keys).HasMethod("gin");
            e.HasIndex(s => s.Stored);
            e.HasIndex(s => s.RefersTo).HasFilter("refers_to IS NOT NULL");
            e.HasIndex(s => s.Voids).HasFilter("voids IS NOT NULL");
            e.Property(s => s.Statement).HasColumnType("json");
        });
        modelBuilder.Entity<XapiActivity>(e =>
        {
            e.ToTable("xapi_activities");
            e.HasKey(a => a.Id);
            e.Property(a => a.Definition).HasColumnType("jsonb");
        });
        modelBuilder.Entity<XapiAttachment>(e =>
        {
            e.ToTable("xapi_attachments");
            e.HasKey(a => a.Sha2);
            e.Property(a => a.ContentType).HasMaxLength(255);
        });
        modelBuilder.Entity<XapiDocument>(e =>
        {
            e.ToTable("xapi_documents");
            e.HasKey(d => d.Id);
            e.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(d => new { d.Kind, d.ActivityId, d.AgentKey, d.Registration, d.DocumentId }).IsUnique().AreNullsDistinct(false);
            e.Property(d => d.ContentType).HasMaxLength(255);
            e.Property(d => d.ETag).HasMaxLength(64);
        });
        modelBuilder.Entity<XapiClient>(e =>
        {
            e.ToTable("xapi_clients");
            e.HasKey(c => c.Id);
            e.HasIndex(c => c.Key).IsUnique();
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Key).HasMaxLength(40);
            e.Property(c => c.SecretHash).HasMaxLength(64);
        });
        modelBuilder.Entity<StatementProgress>(e =>
        {
            e.ToTable("xapi_progress");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.EnrolmentId, p.ActivityId }).IsUnique();
            e.HasIndex(p => p.UserId);
            e.Ignore(p => p.Satisfied);
        });
        modelBuilder.Entity<Cmi5Registration>(e =>
        {
            e.ToTable("cmi5_registrations");
            e.HasKey(r => r.Id);
            e.HasIndex(r => new { r.EnrolmentId, r.ActivityId, r.Number }).IsUnique();
            e.HasIndex(r => r.UserId);
            e.Property(r => r.Aus).HasColumnType("jsonb").HasConversion(JsonColumn<List<Cmi5AuState>>.Converter, JsonColumn<List<Cmi5AuState>>.Comparer);
            e.Property(r => r.RowVersion).IsRowVersion();
            e.Ignore(r => r.Satisfied);
        });
        modelBuilder.Entity<Cmi5Session>(e =>
        {
            e.ToTable("cmi5_sessions");
            e.HasKey(s => s.Id);
            e.HasIndex(s => s.RegistrationId);
            e.HasIndex(s => s.FetchTokenHash).IsUnique();
            e.HasIndex(s => s.UserId);
            // The sessions whose AU has not initialised, by launch time: the broken-content list reads them.
            e.HasIndex(s => s.LaunchedAt).HasFilter("\"InitializedAt\" IS NULL").HasDatabaseName("ix_cmi5_sessions_not_initialized");
            e.Property(s => s.AuId).HasMaxLength(2000);
            e.Property(s => s.AuActivityId).HasMaxLength(2000);
            e.Property(s => s.Mode).HasMaxLength(10);
            e.Property(s => s.FetchTokenHash).HasMaxLength(64);
            e.Property(s => s.SecretHash).HasMaxLength(64);
            e.Property(s => s.RowVersion).IsRowVersion();
            e.Ignore(s => s.Open);
            e.Ignore(s => s.Key);
        });
        // The LRS's statement store is written and read with SQL of its own (StatementStore): plain snake_case names.
        foreach (var type in new[] { typeof(StoredStatement), typeof(XapiActivity), typeof(XapiAttachment), typeof(XapiDocument), typeof(XapiClient) })
            foreach (var property in modelBuilder.Entity(type).Metadata.GetProperties())
                property.SetColumnName(System.Text.RegularExpressions.Regex.Replace(property.Name, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant());
    }
}

/// <summary>
/// A value stored whole as one JSON document (an attempt's activities, the stretches of a video played): it is only
/// ever read and written with its row. Compared by its JSON, so a change inside it is saved.
/// </summary>
internal static class JsonColumn<T> where T : class, new()
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static readonly ValueConverter<T, string> Converter = new(v => JsonSerializer.Serialize(v, Json), v => JsonSerializer.Deserialize<T>(v, Json) ?? new T());

    public static readonly ValueComparer<T> Comparer = new(
        (a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
        v => JsonSerializer.Serialize(v, Json).GetHashCode(),
        v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, Json), Json)!);
}

public sealed class ContentDbContextFactory : IDesignTimeDbContextFactory<ContentDbContext>
{
    public ContentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ContentDbContext>().UseNpgsql("Host=localhost").Options);
}
