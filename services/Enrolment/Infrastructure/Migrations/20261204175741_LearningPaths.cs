using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class LearningPaths : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "learning_paths",
                columns: table => new
                {
                    PathId = table.Column<Guid>(type: "uuid", nullable: false),
                    OptionalToComplete = table.Column<int>(type: "integer", nullable: false),
                    Code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Archived = table.Column<bool>(type: "boolean", nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ArchivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DueWithinDays = table.Column<int>(type: "integer", nullable: true),
                    DueFrom = table.Column<string>(type: "text", nullable: false),
                    SelfEnrolment = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false, defaultValue: "closed"),
                    Prerequisites = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    PrerequisitesAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    VisibleToEveryone = table.Column<bool>(type: "boolean", nullable: false),
                    AudienceOrgUnitIds = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    Courses = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_learning_paths", x => x.PathId);
                });

            migrationBuilder.CreateTable(
                name: "path_enrolments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    PathId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    OptionalToComplete = table.Column<int>(type: "integer", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    EnrolledAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SourceKind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    SourceReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ActorId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Courses = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_path_enrolments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_path_enrolments_learners_UserId",
                        column: x => x.UserId,
                        principalTable: "learners",
                        principalColumn: "UserId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_path_enrolments_PathId",
                table: "path_enrolments",
                column: "PathId");

            migrationBuilder.CreateIndex(
                name: "IX_path_enrolments_UserId_PathId",
                table: "path_enrolments",
                columns: new[] { "UserId", "PathId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "learning_paths");

            migrationBuilder.DropTable(
                name: "path_enrolments");
        }
    }
}
