using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class AuditUserChangesIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_audit_log_user_changes",
                table: "audit_log",
                column: "Id",
                filter: "\"EntityType\" = 'user' AND \"Action\" IN ('user.updated', 'user.deactivated', 'user.reactivated')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_audit_log_user_changes",
                table: "audit_log");
        }
    }
}
