using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RemindersEscalationsDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Digest",
                table: "recipients",
                type: "character varying(10)",
                maxLength: 10,
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "QuietFrom",
                table: "recipients",
                type: "time without time zone",
                nullable: true);

            migrationBuilder.AddColumn<TimeOnly>(
                name: "QuietUntil",
                table: "recipients",
                type: "time without time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "assignments",
                columns: table => new
                {
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Status = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    RemindedDaysBefore = table.Column<int>(type: "integer", nullable: true),
                    EscalationLevel = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assignments", x => x.EnrolmentId);
                });

            migrationBuilder.CreateTable(
                name: "digest_items",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    Link = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    DedupeKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SentInEmailId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_digest_items", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "reminder_policies",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: true),
                    DaysBefore = table.Column<int[]>(type: "integer[]", nullable: false),
                    EscalateAfterDays = table.Column<int>(type: "integer", nullable: true),
                    SecondEscalationAfterDays = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reminder_policies", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_assignments_UserId",
                table: "assignments",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "ix_assignments_open_due",
                table: "assignments",
                column: "DueAt",
                filter: "\"Status\" = 'Open' AND \"DueAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_digest_items_DedupeKey",
                table: "digest_items",
                column: "DedupeKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_digest_items_UserId",
                table: "digest_items",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "ix_digest_items_pending",
                table: "digest_items",
                column: "DueAt",
                filter: "\"SentInEmailId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_reminder_policies_CourseId",
                table: "reminder_policies",
                column: "CourseId",
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assignments");

            migrationBuilder.DropTable(
                name: "digest_items");

            migrationBuilder.DropTable(
                name: "reminder_policies");

            migrationBuilder.DropColumn(
                name: "Digest",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "QuietFrom",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "QuietUntil",
                table: "recipients");
        }
    }
}
