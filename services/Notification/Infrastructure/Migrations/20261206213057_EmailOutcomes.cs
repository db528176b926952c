using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class EmailOutcomes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "email_outcomes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EmailId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    Type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    QueuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_email_outcomes", x => x.Id);
                });

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

            // Each email's outcome as it stands starts the log. A sent one knows when; a failure's time was not kept, and
            // its last attempt was at or just after the one planned (a bounce on the first attempt: its queueing).
            migrationBuilder.Sql("""
                INSERT INTO email_outcomes ("Id", "EmailId", "UserId", "Type", "Status", "Attempts", "QueuedAt", "At")
                SELECT gen_random_uuid(), "Id", "UserId", "Type", "Status", "Attempts", "QueuedAt",
                       CASE WHEN "Status" = 'Sent' THEN "SentAt" ELSE GREATEST("NextAttemptAt", "QueuedAt") END
                FROM emails WHERE "Status" IN ('Sent', 'Bounced', 'GaveUp') AND ("Status" <> 'Sent' OR "SentAt" IS NOT NULL)
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_outcomes");

            migrationBuilder.DropTable(
                name: "replays");
        }
    }
}
