using LmsPlatform.ServiceDefaults.People;
using LmsPlatform.Enrolment.Model;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Enrolment.Infrastructure;

public sealed class EnrolmentDbContext(DbContextOptions<EnrolmentDbContext> options) : ServiceDbContext(options), IDomainEventSink, IDataProtectionKeyContext
{
    public DbSet<Learner> Learners => Set<Learner>();
    public DbSet<CourseEnrolment> Enrolments => Set<CourseEnrolment>();
    /// <summary>The completion ledger: append-only; an enrolment's state is the projection of its entries.</summary>
    public DbSet<LedgerEntry> Ledger => Set<LedgerEntry>();

    public DbSet<CourseCopy> Courses => Set<CourseCopy>();
    public DbSet<CourseVersionCopy> CourseVersions => Set<CourseVersionCopy>();
    public DbSet<ActivityResult> ActivityResults => Set<ActivityResult>();
    public DbSet<PathCopy> Paths => Set<PathCopy>();
    public DbSet<PathEnrolment> PathEnrolments => Set<PathEnrolment>();
    public DbSet<EnrolmentImport> EnrolmentImports => Set<EnrolmentImport>();
    public DbSet<EnrolmentImportError> EnrolmentImportErrors => Set<EnrolmentImportError>();
    /// <summary>Requests for a place on a course that needs approval: the approvals queue, and why a self-enrolment exists.</summary>
    public DbSet<EnrolmentRequest> EnrolmentRequests => Set<EnrolmentRequest>();
    public DbSet<OrgUnitCopy> OrgUnits => Set<OrgUnitCopy>();
    public DbSet<RoleCopy> Roles => Set<RoleCopy>();
    public DbSet<Audience> Audiences => Set<Audience>();
    public DbSet<AudienceVersion> AudienceVersions => Set<AudienceVersion>();
    public DbSet<AudienceMember> AudienceMembers => Set<AudienceMember>();
    /// <summary>The membership history: append-only, with the rule version behind each change.</summary>
    public DbSet<MembershipChange> MembershipChanges => Set<MembershipChange>();
    public DbSet<PendingEvaluation> PendingEvaluations => Set<PendingEvaluation>();
    public DbSet<ReconciliationRun> ReconciliationRuns => Set<ReconciliationRun>();
    public DbSet<Certification> Certifications => Set<Certification>();
    /// <summary>Every certification's history: append-only, cycle after cycle.</summary>
    public DbSet<CertificationChange> CertificationChanges => Set<CertificationChange>();
    public DbSet<Certificate> Certificates => Set<Certificate>();
    public DbSet<CompletionPending> CompletionsPending => Set<CompletionPending>();
    public DbSet<OverdueNotice> OverdueNotices => Set<OverdueNotice>();
    public DbSet<Announcement> Announcements => Set<Announcement>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    /// <summary>The keys that protect the credential signing key at rest.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>
    /// Each entry an enrolment writes is appended to the ledger in the same transaction as the new state, with its
    /// announcement (the relay turns it into the integration event). A finish or a reset is a learning fact audience
    /// rules may ask about, so the person is evaluated again; a completion is followed up (its certificate, its
    /// certification). A published audience version is kept with its number; a certification's changes are its
    /// history.
    /// </summary>
    public IEnumerable<object> RowsOf(object domainEvent)
    {
        switch (domainEvent)
        {
            case LedgerEntry entry:
                yield return entry;
                yield return new Announcement { Source = AnnouncementSource.Ledger, RowIds = [entry.Id] };
                if (entry.Action is LedgerAction.Completed or LedgerAction.Waived or LedgerAction.Reset)
                    yield return new PendingEvaluation { UserId = entry.UserId, Since = entry.RecordedAt };
                // Followed up: a completion's certificate and certifications, and the paths a completion or a waiver may complete.
                if (entry.Action is LedgerAction.Completed or LedgerAction.Waived)
                    yield return new CompletionPending { EnrolmentId = entry.EnrolmentId, Sequence = entry.Sequence };
                break;
            case AudienceVersion version:
                yield return version;
                break;
            case CertificationChange change:
                // A certification's status is a learning fact audience rules may ask about.
                yield return change;
                yield return new PendingEvaluation { UserId = change.UserId, Since = change.RecordedAt };
                break;
        }
    }

    /// <summary>A bulk save's announcements folded into rows of many ids (a hundred thousand entries: twenty rows).</summary>
    public IEnumerable<object> Compact(IReadOnlyList<object> rows) =>
        rows.Where(r => r is not Announcement).Concat(Announcement.Fold(rows.OfType<Announcement>()));

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
            e.Property(c => c.SelfEnrolment).HasMaxLength(32).HasDefaultValue(Contracts.Catalogue.SelfEnrolmentPolicy.Closed);
        });
        modelBuilder.Entity<CourseVersionCopy>(e =>
        {
            e.ToTable("course_versions");
            e.HasKey(v => new { v.CourseId, v.Version });
        });
        modelBuilder.Entity<ActivityResult>(e =>
        {
            e.ToTable("activity_results");
            e.HasKey(r => new { r.EnrolmentId, r.ActivityId });
            e.Property(r => r.Completion).HasMaxLength(20);
            e.Property(r => r.Success).HasMaxLength(20);
        });
        modelBuilder.Entity<EnrolmentImport>(e =>
        {
            e.ToTable("enrolment_imports");
            e.HasKey(j => j.Id);
            e.HasIndex(j => j.CreatedAt);
            e.HasIndex(j => j.Status);
            e.Property(j => j.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(j => j.FileName).HasMaxLength(200);
            e.Property(j => j.Message).HasMaxLength(1000);
            e.Property(j => j.CreatedByName).HasMaxLength(200);
            e.Ignore(j => j.Actor);
        });
        modelBuilder.Entity<EnrolmentImportError>(e =>
        {
            e.ToTable("enrolment_import_errors");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.JobId, x.Row });
            e.Property(x => x.Column).HasMaxLength(50);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.HasOne<EnrolmentImport>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PathCopy>(e =>
        {
            e.ToTable("learning_paths");
            e.HasKey(p => p.PathId);
            e.Property(p => p.Code).HasMaxLength(64);
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.SelfEnrolment).HasMaxLength(32).HasDefaultValue(Contracts.Catalogue.SelfEnrolmentPolicy.Closed);
            e.OwnsMany(p => p.Courses, c => c.ToJson());
        });
        modelBuilder.Entity<PathEnrolment>(e =>
        {
            e.ToTable("path_enrolments");
            e.HasKey(p => p.Id);
            e.HasIndex(p => new { p.UserId, p.PathId }).IsUnique();
            e.HasIndex(p => p.PathId);
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.SourceReference).HasMaxLength(100);
            e.Property(p => p.ActorName).HasMaxLength(200);
            e.OwnsMany(p => p.Courses, c => c.ToJson());
            e.HasOne<Learner>().WithMany().HasForeignKey(p => p.UserId);
        });
        modelBuilder.Entity<EnrolmentRequest>(e =>
        {
            e.ToTable("enrolment_requests");
            e.HasKey(r => r.Id);
            // One pending request per person and course (decided ones are kept, any number).
            e.HasIndex(r => new { r.UserId, r.Kind, r.ItemId }).IsUnique().HasFilter("\"Status\" = 'Pending'");
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
            // The approvals queue: a manager's pending requests, and all pending ones for administrators.
            e.HasIndex(r => new { r.ApproverId, r.RequestedAt }).HasFilter("\"Status\" = 'Pending'");
            e.HasIndex(r => r.RequestedAt).HasFilter("\"Status\" = 'Pending'");
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.Approval).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.Note).HasMaxLength(300);
            e.Property(r => r.DecidedByName).HasMaxLength(200);
            e.Property(r => r.DecisionReason).HasMaxLength(500);
            e.Property(r => r.RowVersion).IsRowVersion();
            e.HasOne<Learner>().WithMany().HasForeignKey(r => r.UserId);
        });
        modelBuilder.Entity<CourseEnrolment>(e =>
        {
            e.ToTable("enrolments");
            e.HasIndex(x => new { x.UserId, x.CourseId }).IsUnique();
            e.HasIndex(x => x.CourseId);
            // The clock's question, "whose due date has passed", asked of open enrolments only.
            e.HasIndex(x => x.DueAt).HasFilter("\"Status\" IN ('Enrolled', 'InProgress') AND \"DueAt\" IS NOT NULL");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceReference).HasMaxLength(100);
            // Two writers that read the same state cannot both move it on.
            e.Property(x => x.Sequence).IsConcurrencyToken();
            e.HasOne<Learner>().WithMany().HasForeignKey(x => x.UserId);
        });
        modelBuilder.Entity<OrgUnitCopy>().MapOrgUnitCopy();
        modelBuilder.Entity<RoleCopy>(e =>
        {
            e.ToTable("roles");
            e.HasKey(r => r.AssignmentId);
            e.HasIndex(r => r.UserId);
            e.Property(r => r.Role).HasMaxLength(50);
        });
        modelBuilder.Entity<Audience>(e =>
        {
            e.ToTable("audiences");
            e.HasKey(a => a.Id);
            e.Property(a => a.Name).HasMaxLength(200);
            e.HasIndex(a => a.Name);
            e.Property(a => a.Description).HasMaxLength(1000);
            e.Property(a => a.DraftRule).HasColumnType("jsonb");
            e.Property(a => a.Rule).HasColumnType("jsonb");
            e.Property(a => a.LeavePolicy).HasConversion<string>().HasMaxLength(30);
            e.Property(a => a.RowVersion).IsRowVersion();
            e.Ignore(a => a.IsPublished);
            e.Ignore(a => a.NeedsSync);
            e.Ignore(a => a.HasUnpublishedChanges);
            e.Ignore(a => a.SourceReference);
        });
        modelBuilder.Entity<AudienceVersion>(e =>
        {
            e.ToTable("audience_versions");
            e.HasKey(v => new { v.AudienceId, v.Version });
            e.Property(v => v.Rule).HasColumnType("jsonb");
            e.Property(v => v.PublishedByName).HasMaxLength(200);
            e.HasOne<Audience>().WithMany().HasForeignKey(v => v.AudienceId);
        });
        modelBuilder.Entity<AudienceMember>(e =>
        {
            e.ToTable("audience_members");
            e.HasKey(m => new { m.AudienceId, m.UserId });
            e.HasIndex(m => m.UserId);
            e.HasOne<Audience>().WithMany().HasForeignKey(m => m.AudienceId);
        });
        modelBuilder.Entity<MembershipChange>(e =>
        {
            e.ToTable("audience_membership_history");
            e.HasKey(m => m.Id);
            e.HasIndex(m => new { m.AudienceId, m.UserId, m.At });
            e.Property(m => m.Change).HasConversion<string>().HasMaxLength(20);
            e.Property(m => m.Detail).HasMaxLength(300);
        });
        modelBuilder.Entity<PendingEvaluation>(e =>
        {
            e.ToTable("audience_pending");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<ReconciliationRun>(e =>
        {
            e.ToTable("audience_reconciliations");
            e.Property(r => r.Kind).HasMaxLength(20);
        });
        modelBuilder.Entity<Certification>(e =>
        {
            e.ToTable("certifications");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.UserId, c.CourseId }).IsUnique();
            e.HasIndex(c => c.WindowOpensAt).HasFilter("\"Status\" = 'Certified'");
            e.HasIndex(c => c.ExpiresAt).HasFilter("\"Status\" <> 'Expired'");
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
            e.HasOne<Learner>().WithMany().HasForeignKey(c => c.UserId);
        });
        modelBuilder.Entity<CertificationChange>(e =>
        {
            e.ToTable("certification_history");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.CertificationId, c.RecordedAt });
            e.Property(c => c.Change).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Detail).HasMaxLength(300);
            e.HasOne<Certification>().WithMany().HasForeignKey(c => c.CertificationId);
        });
        modelBuilder.Entity<Certificate>(e =>
        {
            e.ToTable("certificates");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.EnrolmentId, c.CompletedAt }).IsUnique();
            e.HasIndex(c => c.UserId);
            e.Property(c => c.HolderName).HasMaxLength(200);
            e.Property(c => c.ItemCode).HasMaxLength(64);
            e.Property(c => c.ItemTitle).HasMaxLength(200);
        });
        modelBuilder.Entity<CompletionPending>(e =>
        {
            e.ToTable("completion_pending");
            e.HasKey(p => p.Id);
            e.Property(p => p.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<Announcement>(e =>
        {
            e.ToTable("announcements_pending");
            e.HasKey(a => a.Id);
            e.Property(a => a.Id).UseIdentityAlwaysColumn();
            e.Property(a => a.Source).HasConversion<string>().HasMaxLength(20);
        });
        modelBuilder.Entity<OverdueNotice>(e =>
        {
            e.ToTable("overdue_notices");
            e.HasKey(n => new { n.EnrolmentId, n.DueAt });
        });
        modelBuilder.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => k.KeyId);
            e.Property(k => k.KeyId).HasMaxLength(64);
        });
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");
        modelBuilder.AddReplayTable();
        modelBuilder.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.EnrolmentId, x.Sequence }).IsUnique();
            e.HasIndex(x => new { x.UserId, x.At });
            e.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceKind).HasConversion<string>().HasMaxLength(20);
            e.Property(x => x.SourceReference).HasMaxLength(100);
            e.Property(x => x.ActorName).HasMaxLength(200);
            e.Property(x => x.Reason).HasMaxLength(500);
            e.HasOne<CourseEnrolment>().WithMany().HasForeignKey(x => x.EnrolmentId);
        });
    }
}

public sealed class EnrolmentDbContextFactory : IDesignTimeDbContextFactory<EnrolmentDbContext>
{
    public EnrolmentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<EnrolmentDbContext>().UseNpgsql("Host=localhost").Options);
}
