using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SelfEnrolmentPathsImports : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<List<Guid>>(
                name: "AudienceOrgUnitIds",
                table: "courses",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<List<Guid>>(
                name: "Prerequisites",
                table: "courses",
                type: "uuid[]",
                nullable: false,
                defaultValueSql: "'{}'");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "PrerequisitesAt",
                table: "courses",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SelfEnrolment",
                table: "courses",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "closed");

            migrationBuilder.AddColumn<bool>(
                name: "VisibleToEveryone",
                table: "courses",
                type: "boolean",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "enrolment_imports",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    FileName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Content = table.Column<byte[]>(type: "bytea", nullable: false),
                    TotalRows = table.Column<int>(type: "integer", nullable: false),
                    ProcessedRows = table.Column<int>(type: "integer", nullable: false),
                    ToEnrol = table.Column<int>(type: "integer", nullable: false),
                    ToComplete = table.Column<int>(type: "integer", nullable: false),
                    Unchanged = table.Column<int>(type: "integer", nullable: false),
                    ErrorRows = table.Column<int>(type: "integer", nullable: false),
                    Message = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    PlannedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    HeartbeatAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    CreatedById = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrolment_imports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "enrolment_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Approval = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    ApproverId = table.Column<Guid>(type: "uuid", nullable: true),
                    Note = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    RequestedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    DecidedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    DecidedById = table.Column<Guid>(type: "uuid", nullable: true),
                    DecidedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    DecisionReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrolment_requests", x => x.Id);
                    table.ForeignKey(
                        name: "FK_enrolment_requests_learners_UserId",
                        column: x => x.UserId,
                        principalTable: "learners",
                        principalColumn: "UserId",
                        onDelete: ReferentialAction.Cascade);
                });

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

            migrationBuilder.CreateTable(
                name: "enrolment_import_errors",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    JobId = table.Column<Guid>(type: "uuid", nullable: false),
                    Row = table.Column<int>(type: "integer", nullable: false),
                    Column = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_enrolment_import_errors", x => x.Id);
                    table.ForeignKey(
                        name: "FK_enrolment_import_errors_enrolment_imports_JobId",
                        column: x => x.JobId,
                        principalTable: "enrolment_imports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_import_errors_JobId_Row",
                table: "enrolment_import_errors",
                columns: new[] { "JobId", "Row" });

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_imports_CreatedAt",
                table: "enrolment_imports",
                column: "CreatedAt");

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_imports_Status",
                table: "enrolment_imports",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_requests_ApproverId_RequestedAt",
                table: "enrolment_requests",
                columns: new[] { "ApproverId", "RequestedAt" },
                filter: "\"Status\" = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_requests_RequestedAt",
                table: "enrolment_requests",
                column: "RequestedAt",
                filter: "\"Status\" = 'Pending'");

            migrationBuilder.CreateIndex(
                name: "IX_enrolment_requests_UserId_Kind_ItemId",
                table: "enrolment_requests",
                columns: new[] { "UserId", "Kind", "ItemId" },
                unique: true,
                filter: "\"Status\" = 'Pending'");

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
                name: "enrolment_import_errors");

            migrationBuilder.DropTable(
                name: "enrolment_requests");

            migrationBuilder.DropTable(
                name: "learning_paths");

            migrationBuilder.DropTable(
                name: "path_enrolments");

            migrationBuilder.DropTable(
                name: "enrolment_imports");

            migrationBuilder.DropColumn(
                name: "AudienceOrgUnitIds",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "Prerequisites",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "PrerequisitesAt",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "SelfEnrolment",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "VisibleToEveryone",
                table: "courses");
        }
    }
}
