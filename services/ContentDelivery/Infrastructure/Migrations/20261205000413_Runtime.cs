using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.ContentDelivery.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Runtime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "PackageId",
                table: "content_items",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "course_activities",
                columns: table => new
                {
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentItemId = table.Column<Guid>(type: "uuid", nullable: true),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Required = table.Column<bool>(type: "boolean", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_course_activities", x => new { x.CourseId, x.Version, x.ActivityId });
                });

            migrationBuilder.CreateTable(
                name: "enrolments",
                columns: table => new
                {
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Withdrawn = table.Column<bool>(type: "boolean", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrolments", x => x.EnrolmentId);
                });

            migrationBuilder.CreateTable(
                name: "scorm_attempts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    PackageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Number = table.Column<int>(type: "integer", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Completion = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Success = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Score = table.Column<double>(type: "double precision", nullable: true),
                    Satisfied = table.Column<bool>(type: "boolean", nullable: false),
                    Commits = table.Column<int>(type: "integer", nullable: false),
                    Scos = table.Column<string>(type: "jsonb", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_scorm_attempts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_content_items_PackageId",
                table: "content_items",
                column: "PackageId");

            migrationBuilder.CreateIndex(
                name: "IX_course_activities_ContentItemId",
                table: "course_activities",
                column: "ContentItemId");

            migrationBuilder.CreateIndex(
                name: "IX_enrolments_UserId_CourseId",
                table: "enrolments",
                columns: new[] { "UserId", "CourseId" });

            migrationBuilder.CreateIndex(
                name: "IX_scorm_attempts_EnrolmentId_ActivityId_Number",
                table: "scorm_attempts",
                columns: new[] { "EnrolmentId", "ActivityId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_scorm_attempts_UserId",
                table: "scorm_attempts",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "course_activities");

            migrationBuilder.DropTable(
                name: "enrolments");

            migrationBuilder.DropTable(
                name: "scorm_attempts");

            migrationBuilder.DropIndex(
                name: "IX_content_items_PackageId",
                table: "content_items");

            migrationBuilder.DropColumn(
                name: "PackageId",
                table: "content_items");
        }
    }
}
