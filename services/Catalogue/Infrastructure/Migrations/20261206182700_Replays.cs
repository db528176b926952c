using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Catalogue.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Replays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "archived_at",
                table: "learning_paths",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "archived_at",
                table: "courses",
                type: "timestamp with time zone",
                nullable: true);

            // Items archived before the time was kept: their last change is the best known (archiving is the last thing done to one).
            migrationBuilder.Sql("UPDATE courses SET archived_at = updated_at WHERE status = 'Archived'");
            migrationBuilder.Sql("UPDATE learning_paths SET archived_at = updated_at WHERE status = 'Archived'");

            migrationBuilder.CreateTable(
                name: "replays",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    source = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    requested_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    requested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    after_id = table.Column<Guid>(type: "uuid", nullable: false),
                    after_number = table.Column<long>(type: "bigint", nullable: false),
                    pages = table.Column<int>(type: "integer", nullable: false),
                    sent = table.Column<long>(type: "bigint", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_replays", x => new { x.id, x.source });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "replays");

            migrationBuilder.DropColumn(
                name: "archived_at",
                table: "learning_paths");

            migrationBuilder.DropColumn(
                name: "archived_at",
                table: "courses");
        }
    }
}
