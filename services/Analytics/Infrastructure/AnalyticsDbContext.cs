using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Analytics.Model;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Analytics.Infrastructure;

public sealed class AnalyticsDbContext(DbContextOptions<AnalyticsDbContext> options) : ServiceDbContext(options)
{
    public DbSet<UserFact> Users => Set<UserFact>();
    public DbSet<OrgUnitCopy> OrgUnits => Set<OrgUnitCopy>();
    public DbSet<ItemFact> Items => Set<ItemFact>();
    public DbSet<LedgerEventCopy> LedgerEvents => Set<LedgerEventCopy>();
    public DbSet<EnrolmentState> EnrolmentStates => Set<EnrolmentState>();
    public DbSet<CertificationFact> Certifications => Set<CertificationFact>();
    public DbSet<SavedReport> Reports => Set<SavedReport>();
    public DbSet<ReadModelRebuild> Rebuilds => Set<ReadModelRebuild>();
    public DbSet<AssignmentFigure> AssignmentFigures => Set<AssignmentFigure>();
    public DbSet<PeopleFigure> PeopleFigures => Set<PeopleFigure>();
    public DbSet<CertificationFigure> CertificationFigures => Set<CertificationFigure>();
    public DbSet<WeekFigure> WeekFigures => Set<WeekFigure>();
    public DbSet<ActivityFigure> ActivityFigures => Set<ActivityFigure>();
    public DbSet<FiguresSnapshot> FiguresSnapshots => Set<FiguresSnapshot>();
    public DbSet<CheckResult> CheckResults => Set<CheckResult>();
    public DbSet<RoleHeld> RolesHeld => Set<RoleHeld>();
    public DbSet<ReportSchedule> ReportSchedules => Set<ReportSchedule>();
    public DbSet<EmailFact> EmailFacts => Set<EmailFact>();
    public DbSet<AudienceChange> AudienceChanges => Set<AudienceChange>();
    public DbSet<ExportJob> ExportJobs => Set<ExportJob>();
    public DbSet<SignIn> SignIns => Set<SignIn>();
    public DbSet<ImportRun> ImportRuns => Set<ImportRun>();
    public DbSet<PlacementChange> PlacementChanges => Set<PlacementChange>();

    /// <summary>
    /// The people placed where they sat at <paramref name="asOf"/> (the SQL function <c>users_as_of</c>, made by the
    /// PlacementChanges migration): someone who moved after it gets the org unit and manager of their first move's
    /// "from"; everyone else is as they are now.
    /// </summary>
    public IQueryable<UserFact> UsersAsOf(DateTimeOffset asOf) => FromExpression(() => UsersAsOf(asOf));
    public DbSet<ExportFile> ExportFiles => Set<ExportFile>();

    /// <summary>Moved on by every save (<see cref="ReadModelChanges"/>), so the current figures are taken again only after a change.</summary>
    public const string ChangesSequence = "read_model_changes";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<UserFact>().MapPersonCopy("user_facts").HasIndex(u => u.CreatedAt);
        modelBuilder.HasDbFunction(typeof(AnalyticsDbContext).GetMethod(nameof(UsersAsOf), [typeof(DateTimeOffset)])!).HasName("users_as_of");
        modelBuilder.Entity<OrgUnitCopy>().MapOrgUnitCopy();
        modelBuilder.Entity<ItemFact>(e =>
        {
            e.ToTable("item_facts");
            e.HasKey(i => i.ItemId);
            e.Property(i => i.Kind).HasMaxLength(20);
            e.Property(i => i.Code).HasMaxLength(64);
            e.Property(i => i.Title).HasMaxLength(300);
        });
        modelBuilder.Entity<LedgerEventCopy>(e =>
        {
            e.ToTable("ledger_events");
            e.HasKey(l => new { l.EnrolmentId, l.Sequence });
            e.Property(l => l.Action).HasConversion<string>().HasMaxLength(20);
            e.Property(l => l.Source).HasMaxLength(40);
            // Trends: the entries of a period.
            e.HasIndex(l => l.At).IncludeProperties(l => new { l.UserId, l.CourseId, l.Action });
        });
        modelBuilder.Entity<EnrolmentState>(e =>
        {
            e.ToTable("enrolment_states");
            e.HasKey(s => new { s.EnrolmentId, s.ValidFrom });
            e.Property(s => s.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(s => s.Source).HasMaxLength(40);
            // "Now": the open-ended ranges; "as of": a range lookup by date.
            e.HasIndex(s => new { s.CourseId, s.UserId }).HasFilter("\"ValidTo\" IS NULL").IncludeProperties(s => new { s.Status, s.DueAt })
                .HasDatabaseName("ix_enrolment_states_current");
            e.HasIndex(s => new { s.UserId, s.ValidFrom }).IncludeProperties(s => new { s.ValidTo, s.CourseId, s.Status, s.DueAt });
            // The overdue list now, longest overdue first: open ranges not finished, by due date.
            e.HasIndex(s => s.DueAt).HasFilter("\"ValidTo\" IS NULL AND \"DueAt\" IS NOT NULL AND \"Status\" IN ('Enrolled', 'InProgress')")
                .HasDatabaseName("ix_enrolment_states_open_due");
        });
        modelBuilder.Entity<CertificationFact>(e =>
        {
            e.ToTable("certification_facts");
            e.HasKey(c => new { c.CertificationId, c.Cycle });
            e.HasIndex(c => new { c.CourseId, c.ExpiresAt });
            e.HasIndex(c => c.UserId);
        });
        modelBuilder.Entity<ReadModelRebuild>(e =>
        {
            e.ToTable("read_model_rebuilds");
            e.Property(r => r.RequestedBy).HasMaxLength(200);
            e.Property(r => r.AbandonedBy).HasMaxLength(200);
            e.Ignore(r => r.Pages);
            e.Ignore(r => r.Records);
            e.OwnsMany(r => r.Sources, source =>
            {
                source.ToTable("read_model_rebuild_sources");
                source.WithOwner().HasForeignKey(x => x.RebuildId);
                source.HasKey(x => new { x.RebuildId, x.Source });
                source.Property(x => x.Source).HasMaxLength(40);
                source.Ignore(x => x.Complete);
            });
        });
        modelBuilder.HasSequence<long>(ChangesSequence);
        modelBuilder.Entity<AssignmentFigure>(e => { e.ToTable("current_assignment_figures"); e.HasIndex(f => f.OrgUnitId); });
        modelBuilder.Entity<PeopleFigure>(e => { e.ToTable("current_people_figures"); e.HasIndex(f => f.OrgUnitId); });
        modelBuilder.Entity<CertificationFigure>(e => { e.ToTable("current_certification_figures"); e.HasIndex(f => f.OrgUnitId); });
        modelBuilder.Entity<WeekFigure>(e => { e.ToTable("current_week_figures"); e.HasIndex(f => f.OrgUnitId); });
        modelBuilder.Entity<ActivityFigure>(e => { e.ToTable("current_activity_figures"); e.HasIndex(f => f.OrgUnitId); });
        modelBuilder.Entity<FiguresSnapshot>(e =>
        {
            e.ToTable("current_figures");
            e.Property(f => f.Id).ValueGeneratedNever();
        });
        modelBuilder.Entity<CheckResult>(e =>
        {
            e.ToTable("check_results");
            e.HasKey(c => new { c.Service, c.Key, c.Hour });
            e.Property(c => c.Service).HasMaxLength(40);
            e.Property(c => c.Key).HasMaxLength(80);
            e.Property(c => c.Cadence).HasMaxLength(10);
            e.Property(c => c.Title).HasMaxLength(200);
            e.Property(c => c.Status).HasMaxLength(10);
            e.Property(c => c.Link).HasMaxLength(300);
            e.Property(c => c.Detail).HasMaxLength(2000);
            e.HasIndex(c => c.Hour);
        });
        modelBuilder.Entity<EmailFact>(e =>
        {
            e.ToTable("email_facts");
            e.HasKey(f => f.EmailId);
            e.Property(f => f.Type).HasMaxLength(64);
            e.Property(f => f.Status).HasMaxLength(20);
            // The delivery report: the outcomes of a period.
            e.HasIndex(f => f.At).IncludeProperties(f => new { f.UserId, f.Type, f.Status, f.Attempts });
        });
        modelBuilder.Entity<AudienceChange>(e =>
        {
            e.ToTable("audience_changes");
            e.Property(c => c.Change).HasMaxLength(20);
            // A report by audience: each person's latest change by the date.
            e.HasIndex(c => new { c.AudienceId, c.UserId, c.At });
        });
        modelBuilder.Entity<PlacementChange>(e =>
        {
            e.ToTable("placement_changes");
            // Who moved after a date (a range of At), and a mover's first move after it (UserId, At).
            e.HasIndex(c => c.At);
            e.HasIndex(c => new { c.UserId, c.At }).IsUnique(); // a change is kept once
            e.Property(c => c.FromStatus).HasMaxLength(20);
            e.Property(c => c.ToStatus).HasMaxLength(20);
        });
        modelBuilder.Entity<ImportRun>(e =>
        {
            e.ToTable("import_runs");
            // An import refused, then applied once confirmed, ends twice; the same end copied twice is one row.
            e.HasIndex(r => new { r.ImportId, r.Outcome, r.At }).IsUnique();
            e.HasIndex(r => r.At);
            e.Property(r => r.Kind).HasMaxLength(20);
            e.Property(r => r.Outcome).HasMaxLength(20);
            e.Property(r => r.FileName).HasMaxLength(260);
            e.Property(r => r.Message).HasMaxLength(1000);
            e.Property(r => r.By).HasMaxLength(300);
        });
        modelBuilder.Entity<SignIn>(e =>
        {
            e.ToTable("sign_ins");
            // Whether a person signed in over a period: one probe of the index per person. A sign-in is kept once.
            e.HasIndex(i => new { i.UserId, i.At }).IsUnique();
        });
        modelBuilder.Entity<ExportJob>(e =>
        {
            e.ToTable("export_jobs");
            e.Property(j => j.Id).ValueGeneratedNever();
            e.Property(j => j.Report).HasMaxLength(20);
            e.Property(j => j.Format).HasMaxLength(10);
            e.Property(j => j.Status).HasMaxLength(20);
            e.Property(j => j.FileName).HasMaxLength(200);
            e.Property(j => j.Error).HasMaxLength(2000);
            e.HasIndex(j => new { j.OwnerId, j.CreatedAt });
            e.HasIndex(j => new { j.Status, j.CreatedAt });
        });
        modelBuilder.Entity<ExportFile>(e =>
        {
            e.ToTable("export_files");
            e.HasKey(f => new { f.JobId, f.Part });
            e.HasOne<ExportJob>().WithMany().HasForeignKey(f => f.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RoleHeld>(e =>
        {
            e.ToTable("roles_held");
            e.HasKey(r => r.AssignmentId);
            e.Property(r => r.AssignmentId).ValueGeneratedNever();
            e.Property(r => r.Role).HasMaxLength(40);
            e.HasIndex(r => r.UserId);
        });
        modelBuilder.Entity<ReportSchedule>(e =>
        {
            e.ToTable("report_schedules");
            e.Property(r => r.Name).HasMaxLength(200);
            e.Property(r => r.Report).HasMaxLength(20);
            e.Property(r => r.Frequency).HasConversion<string>().HasMaxLength(10);
            e.Property(r => r.OwnerName).HasMaxLength(200);
            e.Property(r => r.LastOutcome).HasMaxLength(300);
            e.Property(r => r.Query).HasColumnType("jsonb").HasConversion(
                q => System.Text.Json.JsonSerializer.Serialize(q, System.Text.Json.JsonSerializerOptions.Web),
                json => System.Text.Json.JsonSerializer.Deserialize<Application.ReportQuery>(json, System.Text.Json.JsonSerializerOptions.Web)!);
            e.HasIndex(r => r.NextRunAt);
            e.HasIndex(r => r.OwnerId);
        });
        modelBuilder.Entity<SavedReport>(e =>
        {
            e.ToTable("saved_reports");
            e.Property(r => r.Name).HasMaxLength(200);
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(40);
        });
    }
}

public sealed class AnalyticsDbContextFactory : IDesignTimeDbContextFactory<AnalyticsDbContext>
{
    public AnalyticsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AnalyticsDbContext>().UseNpgsql("Host=localhost").Options);
}
