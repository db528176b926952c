using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PlacementChangesKeptOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // One change per person and moment: the one that knows the statuses, else the first logged.
            migrationBuilder.Sql("""
                DELETE FROM placement_changes a USING placement_changes b
                WHERE a."UserId" = b."UserId" AND a."At" = b."At" AND (a."FromStatus" IS NULL, a."Id") > (b."FromStatus" IS NULL, b."Id")
                """);
            migrationBuilder.DropIndex(
                name: "IX_placement_changes_UserId_At",
                table: "placement_changes");

            migrationBuilder.CreateIndex(
                name: "IX_placement_changes_UserId_At",
                table: "placement_changes",
                columns: new[] { "UserId", "At" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_placement_changes_UserId_At",
                table: "placement_changes");

            migrationBuilder.CreateIndex(
                name: "IX_placement_changes_UserId_At",
                table: "placement_changes",
                columns: new[] { "UserId", "At" });
        }
    }
}
