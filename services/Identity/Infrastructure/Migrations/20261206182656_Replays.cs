using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Replays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "RefusedAt",
                table: "import_jobs",
                type: "timestamp with time zone",
                nullable: true);

            // Refusals from before the time was kept: a job still as refused was planned then (one later applied cannot be told).
            migrationBuilder.Sql("""UPDATE import_jobs SET "RefusedAt" = "PlannedAt" WHERE "Status" = 'Planned' AND "Message" LIKE 'Not applied:%'""");

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
                    table.PrimaryKey("PK_replays", x => new { x.id, x.source });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "replays");

            migrationBuilder.DropColumn(
                name: "RefusedAt",
                table: "import_jobs");
        }
    }
}
