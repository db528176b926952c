using LmsPlatform.ServiceDefaults.People;
using System.Text.Json;
using LmsPlatform.Catalogue.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NpgsqlTypes;

namespace LmsPlatform.Catalogue.Infrastructure;

/// <summary>The catalogue's database. Its tables and columns are snake_case (search runs hand-written SQL against them).</summary>
public sealed class CatalogueDbContext(DbContextOptions<CatalogueDbContext> options) : ServiceDbContext(options)
{
    /// <summary>The text search configuration of the catalogue's tsvector and of every query against it.</summary>
    public const string TextSearchConfig = "english";

    public DbSet<Course> Courses => Set<Course>();
    public DbSet<CourseVersion> CourseVersions => Set<CourseVersion>();
    public DbSet<LearningPath> LearningPaths => Set<LearningPath>();
    public DbSet<LearningPathVersion> LearningPathVersions => Set<LearningPathVersion>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<OrgUnitCopy> OrgUnits => Set<OrgUnitCopy>();
    public DbSet<Prerequisite> Prerequisites => Set<Prerequisite>();
    public DbSet<CatalogueEntry> Entries => Set<CatalogueEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddReplayTable();
        modelBuilder.Entity<Course>(e =>
        {
            e.ToTable("courses");
            MapItem(e);
            e.HasOne<Course>().WithMany().HasForeignKey(c => c.ReplacedByCourseId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<LearningPath>(e =>
        {
            e.ToTable("learning_paths");
            MapItem(e);
        });
        modelBuilder.Entity<CourseVersion>(e =>
        {
            e.ToTable("course_versions");
            MapVersion(e);
            e.HasOne<Course>().WithMany().HasForeignKey(v => v.CourseId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(v => new { v.CourseId, v.Number }).IsUnique();
            e.HasIndex(v => v.CourseId).IsUnique().HasFilter("number IS NULL").HasDatabaseName("ux_course_versions_one_draft");
            e.Property(v => v.DeliveryType).HasConversion<string>().HasMaxLength(20);
            Json(e.Property(v => v.Sections));
            e.Ignore(v => v.Activities);
        });
        modelBuilder.Entity<LearningPathVersion>(e =>
        {
            e.ToTable("learning_path_versions");
            MapVersion(e);
            e.HasOne<LearningPath>().WithMany().HasForeignKey(v => v.LearningPathId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(v => new { v.LearningPathId, v.Number }).IsUnique();
            e.HasIndex(v => v.LearningPathId).IsUnique().HasFilter("number IS NULL").HasDatabaseName("ux_learning_path_versions_one_draft");
            Json(e.Property(v => v.Steps));
        });
        modelBuilder.Entity<Category>(e =>
        {
            e.ToTable("categories");
            e.Property(c => c.Name).HasMaxLength(100);
            e.Property(c => c.Path).HasMaxLength(1000).UseCollation("C");
            e.HasIndex(c => c.Path);
            e.HasIndex(c => new { c.ParentId, c.Name }).IsUnique().AreNullsDistinct(false);
            e.HasOne<Category>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.Property(c => c.RowVersion).IsRowVersion();
        });
        modelBuilder.Entity<OrgUnitCopy>().MapOrgUnitCopy();
        modelBuilder.Entity<Prerequisite>(e =>
        {
            e.ToTable("prerequisites");
            e.HasKey(p => new { p.ItemId, p.RequiredItemId });
            e.HasIndex(p => p.RequiredItemId);
            e.Property(p => p.ItemKind).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.RequiredItemKind).HasConversion<string>().HasMaxLength(20);
        });
        modelBuilder.Entity<CatalogueEntry>(e =>
        {
            e.ToTable("catalogue_entries");
            e.Property(c => c.Id).ValueGeneratedNever();
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Code).HasMaxLength(32);
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.Summary).HasMaxLength(2000);
            e.Property(c => c.Language).HasMaxLength(16);
            e.Property(c => c.DeliveryType).HasConversion<string>().HasMaxLength(20);
            e.Property<NpgsqlTsVector>("SearchVector").HasComputedColumnSql(
                $"setweight(to_tsvector('{TextSearchConfig}', coalesce(title, '')), 'A') || " +
                $"setweight(to_tsvector('{TextSearchConfig}', coalesce(summary, '')), 'B') || " +
                $"setweight(to_tsvector('{TextSearchConfig}', coalesce(description, '')), 'C')", stored: true);
            e.HasIndex("SearchVector").HasMethod("gin");
            e.HasIndex(c => c.Tags).HasMethod("gin");
            e.HasIndex(c => c.AudienceOrgUnitIds).HasMethod("gin");
            e.HasIndex(c => c.CategoryId);
            e.HasIndex(c => c.PublishedAt);
        });
    }

    private static void MapItem<T>(EntityTypeBuilder<T> e) where T : CatalogueItem
    {
        e.Property(c => c.Code).HasMaxLength(32);
        e.HasIndex(c => c.Code).IsUnique();
        e.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
        e.HasIndex(c => new { c.OwnerUserId, c.Status });
        e.HasIndex(c => c.CreatedAt);
        e.Property(c => c.RowVersion).IsRowVersion();
    }

    private static void MapVersion<T>(EntityTypeBuilder<T> e) where T : ItemVersion
    {
        e.Property(v => v.Title).HasMaxLength(200);
        e.Property(v => v.Summary).HasMaxLength(2000);
        e.Property(v => v.Description).HasMaxLength(20000);
        e.Property(v => v.Language).HasMaxLength(16);
        e.HasOne<Category>().WithMany().HasForeignKey(v => v.CategoryId).OnDelete(DeleteBehavior.Restrict);
        Json(e.Property(v => v.Compliance));
        e.Property(v => v.SelfEnrolment).HasMaxLength(32).HasDefaultValue(Contracts.Catalogue.SelfEnrolmentPolicy.Closed);
        e.Property(v => v.RowVersion).IsRowVersion();
        e.Ignore(v => v.ETag);
        e.Ignore(v => v.IsDraft);
    }

    /// <summary>Stores a value as jsonb, compared by its JSON so that EF notices changes inside lists.</summary>
    private static void Json<T>(PropertyBuilder<T> property) => property
        .HasColumnType("jsonb")
        .HasConversion(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web),
            s => JsonSerializer.Deserialize<T>(s, JsonSerializerOptions.Web)!,
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, JsonSerializerOptions.Web) == JsonSerializer.Serialize(b, JsonSerializerOptions.Web),
                v => JsonSerializer.Serialize(v, JsonSerializerOptions.Web).GetHashCode(),
                v => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(v, JsonSerializerOptions.Web), JsonSerializerOptions.Web)!));
}

public sealed class CatalogueDbContextFactory : IDesignTimeDbContextFactory<CatalogueDbContext>
{
    public CatalogueDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CatalogueDbContext>().UseNpgsql("Host=localhost").UseSnakeCaseNamingConvention().Options);
}
