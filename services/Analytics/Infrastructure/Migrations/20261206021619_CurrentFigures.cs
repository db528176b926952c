using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CurrentFigures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateSequence(
                name: "read_model_changes");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AbandonedAt",
                table: "read_model_rebuilds",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AbandonedBy",
                table: "read_model_rebuilds",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "current_assignment_figures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Assigned = table.Column<long>(type: "bigint", nullable: false),
                    NotStarted = table.Column<long>(type: "bigint", nullable: false),
                    InProgress = table.Column<long>(type: "bigint", nullable: false),
                    Completed = table.Column<long>(type: "bigint", nullable: false),
                    Paused = table.Column<long>(type: "bigint", nullable: false),
                    Overdue = table.Column<long>(type: "bigint", nullable: false),
                    Required = table.Column<long>(type: "bigint", nullable: false),
                    RequiredOverdue = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_assignment_figures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "current_certification_figures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Certified = table.Column<long>(type: "bigint", nullable: false),
                    Expiring30 = table.Column<long>(type: "bigint", nullable: false),
                    Expiring60 = table.Column<long>(type: "bigint", nullable: false),
                    Expiring90 = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_certification_figures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "current_figures",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    TakenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Seconds = table.Column<double>(type: "double precision", nullable: false),
                    Cells = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_figures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "current_people_figures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    People = table.Column<long>(type: "bigint", nullable: false),
                    Compliant = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_people_figures", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ledger_events_At",
                table: "ledger_events",
                column: "At")
                .Annotation("Npgsql:IndexInclude", new[] { "UserId", "CourseId", "Action" });

            migrationBuilder.CreateIndex(
                name: "ix_enrolment_states_open_due",
                table: "enrolment_states",
                column: "DueAt",
                filter: "\"ValidTo\" IS NULL AND \"DueAt\" IS NOT NULL AND \"Status\" IN ('Enrolled', 'InProgress')");

            migrationBuilder.CreateIndex(
                name: "IX_current_assignment_figures_OrgUnitId",
                table: "current_assignment_figures",
                column: "OrgUnitId");

            migrationBuilder.CreateIndex(
                name: "IX_current_certification_figures_OrgUnitId",
                table: "current_certification_figures",
                column: "OrgUnitId");

            migrationBuilder.CreateIndex(
                name: "IX_current_people_figures_OrgUnitId",
                table: "current_people_figures",
                column: "OrgUnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "current_assignment_figures");

            migrationBuilder.DropTable(
                name: "current_certification_figures");

            migrationBuilder.DropTable(
                name: "current_figures");

            migrationBuilder.DropTable(
                name: "current_people_figures");

            migrationBuilder.DropIndex(
                name: "IX_ledger_events_At",
                table: "ledger_events");

            migrationBuilder.DropIndex(
                name: "ix_enrolment_states_open_due",
                table: "enrolment_states");

            migrationBuilder.DropColumn(
                name: "AbandonedAt",
                table: "read_model_rebuilds");

            migrationBuilder.DropColumn(
                name: "AbandonedBy",
                table: "read_model_rebuilds");

            migrationBuilder.DropSequence(
                name: "read_model_changes");
        }
    }
}
