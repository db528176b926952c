using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SelfEnrolmentAndPrerequisites : Migration
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
                name: "enrolment_requests",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
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
                name: "IX_enrolment_requests_UserId_CourseId",
                table: "enrolment_requests",
                columns: new[] { "UserId", "CourseId" },
                unique: true,
                filter: "\"Status\" = 'Pending'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "enrolment_requests");

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
