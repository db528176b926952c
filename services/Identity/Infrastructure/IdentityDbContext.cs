using LmsPlatform.ServiceDefaults.Csv;
using LmsPlatform.Identity.Model;
using LmsPlatform.ServiceDefaults.Domain;
using LmsPlatform.ServiceDefaults.Messaging;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace LmsPlatform.Identity.Infrastructure;

/// <summary>
/// identitydb: ASP.NET Core Identity's user tables, OpenIddict's applications, authorizations, scopes and tokens, the
/// organisation, the audit log, imports, signing keys and data-protection keys, plus the outbox and inbox.
/// </summary>
public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options)
    : IdentityUserContext<User, Guid>(options), IServiceDbContext, IDataProtectionKeyContext, IDomainEventSink
{
    /// <summary>An aggregate's <see cref="Audited"/> event becomes an audit entry, and a sign-in an entry of the sign-in log, saved with the change they record.</summary>
    public IEnumerable<object> RowsOf(object domainEvent) => domainEvent switch
    {
        Audited audited => [AuditExtensions.Entry(audited)],
        Contracts.Identity.UserSignedIn signedIn => [SignInEntry.Of(signedIn)],
        _ => [],
    };

    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<OrgUnit> OrgUnits => Set<OrgUnit>();
    public DbSet<RoleAssignment> RoleAssignments => Set<RoleAssignment>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<SignInEntry> SignIns => Set<SignInEntry>();
    public DbSet<PasswordResetTicket> PasswordResetTickets => Set<PasswordResetTicket>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();
    public DbSet<ClientGrant> ClientGrants => Set<ClientGrant>();
    public DbSet<ImportJob> ImportJobs => Set<ImportJob>();
    public DbSet<ImportRowError> ImportRowErrors => Set<ImportRowError>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.AddMessagingTables().AddReplayTable();
        modelBuilder.UseOpenIddict<Guid>();

        modelBuilder.Entity<User>(e =>
        {
            e.ToTable("users");
            // A directory record provisioned by SCIM may have no email; the user name is always there.
            e.Property(u => u.Email).HasMaxLength(254);
            e.Property(u => u.NormalizedEmail).HasMaxLength(254);
            e.Property(u => u.UserName).HasMaxLength(256).IsRequired();
            e.Property(u => u.NormalizedUserName).HasMaxLength(256).IsRequired();
            e.HasIndex(u => u.NormalizedEmail).IsUnique().HasDatabaseName("ix_users_normalized_email");
            e.Property(u => u.GivenName).HasMaxLength(100);
            e.Property(u => u.FamilyName).HasMaxLength(100);
            e.Property(u => u.ExternalId).HasMaxLength(64);
            e.HasIndex(u => u.ExternalId).IsUnique();
            e.Property(u => u.ScimExternalId).HasMaxLength(200);
            e.Property(u => u.JobTitle).HasMaxLength(200);
            e.Property(u => u.Location).HasMaxLength(200);
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(u => u.CreatedAt);
            e.HasIndex(u => u.ManagerId);
            e.HasIndex(u => u.OrgUnitId);
            e.Property(u => u.InvitedBy).HasMaxLength(300);
            e.Property(u => u.Department).HasMaxLength(200);
            e.HasOne<OrgUnit>().WithMany().HasForeignKey(u => u.OrgUnitId).OnDelete(DeleteBehavior.Restrict);
            e.Ignore(u => u.DisplayName);
            e.Ignore(u => u.ETag);
        });
        modelBuilder.Entity<IdentityUserClaim<Guid>>().ToTable("user_claims");
        modelBuilder.Entity<IdentityUserLogin<Guid>>().ToTable("user_logins");
        modelBuilder.Entity<IdentityUserToken<Guid>>().ToTable("user_tokens");
        modelBuilder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        modelBuilder.Entity<OrgUnit>(e =>
        {
            e.ToTable("org_units");
            e.Property(o => o.Name).HasMaxLength(200);
            e.Property(o => o.ExternalId).HasMaxLength(64);
            e.HasIndex(o => o.ExternalId).IsUnique();
            e.Property(o => o.Path).HasMaxLength(2000);
            // text_pattern_ops lets "path LIKE 'prefix%'" use the index.
            e.HasIndex(o => o.Path).HasOperators("text_pattern_ops");
            e.HasIndex(o => o.ParentId);
            e.Property(o => o.Version).IsRowVersion();
            e.Ignore(o => o.ETag);
        });
        modelBuilder.Entity<RoleAssignment>(e =>
        {
            e.ToTable("role_assignments");
            e.Property(r => r.Role).HasMaxLength(50);
            e.Property(r => r.CreatedBy).HasMaxLength(300);
            e.HasIndex(r => new { r.UserId, r.Role, r.ScopeOrgUnitId }).IsUnique().AreNullsDistinct(false);
            e.HasIndex(r => r.Role);
            e.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<OrgUnit>().WithMany().HasForeignKey(r => r.ScopeOrgUnitId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<SignInEntry>(e =>
        {
            e.ToTable("sign_ins");
            e.Property(s => s.Method).HasMaxLength(20);
            e.HasIndex(s => new { s.UserId, s.At });
        });
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.Property(a => a.ActorId).HasMaxLength(100);
            e.Property(a => a.ActorName).HasMaxLength(300);
            e.Property(a => a.Action).HasMaxLength(100);
            e.Property(a => a.EntityType).HasMaxLength(50);
            e.Property(a => a.EntityId).HasMaxLength(100);
            e.Property(a => a.Before).HasColumnType("jsonb");
            e.Property(a => a.After).HasColumnType("jsonb");
            e.Property(a => a.IpAddress).HasMaxLength(64);
            e.Property(a => a.TraceId).HasMaxLength(32);
            e.HasIndex(a => a.OccurredAt);
            e.HasIndex(a => new { a.EntityType, a.EntityId });
            // The moves a rebuild replays, in id order.
            e.HasIndex(a => a.Id).HasFilter(Application.PlacementReplaySource.UserChanges).HasDatabaseName("ix_audit_log_user_changes");
            e.HasIndex(a => a.ActorId);
        });
        modelBuilder.Entity<PasswordResetTicket>(e =>
        {
            e.ToTable("password_reset_tickets");
            e.Property(t => t.TokenHash).HasMaxLength(64);
            e.Property(t => t.Purpose).HasMaxLength(20).HasDefaultValue(PasswordResetTicket.Reset);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.Property(k => k.Id).HasMaxLength(64);
            e.Property(k => k.Use).HasMaxLength(10);
        });
        modelBuilder.Entity<ClientGrant>(e =>
        {
            e.ToTable("client_grants");
            e.HasKey(c => c.ClientId);
            e.Property(c => c.ClientId).HasMaxLength(100);
            e.Property(c => c.DisplayName).HasMaxLength(200);
            e.Property(c => c.CreatedBy).HasMaxLength(300);
        });
        modelBuilder.Entity<ImportJob>(e =>
        {
            e.ToTable("import_jobs");
            e.Property(j => j.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(j => j.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(j => j.FileName).HasMaxLength(260);
            e.Property(j => j.Preview).HasColumnType("jsonb");
            e.Property(j => j.Message).HasMaxLength(2000);
            e.Property(j => j.CreatedById).HasMaxLength(100);
            e.Property(j => j.CreatedByName).HasMaxLength(300);
            e.Property(j => j.CreatedFromIp).HasMaxLength(64);
            e.HasIndex(j => j.Status);
        });
        modelBuilder.Entity<ImportRowError>(e =>
        {
            e.ToTable("import_row_errors");
            e.Property(x => x.Column).HasMaxLength(100);
            e.Property(x => x.Reason).HasMaxLength(1000);
            e.HasIndex(x => new { x.JobId, x.Row });
            e.HasOne<ImportJob>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>For <c>dotnet ef migrations add</c>: no database is needed to create a migration.</summary>
public sealed class IdentityDbContextFactory : IDesignTimeDbContextFactory<IdentityDbContext>
{
    public IdentityDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<IdentityDbContext>().UseNpgsql("Host=localhost").Options);
}
