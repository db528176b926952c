using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class EnrolmentLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CompletedAt",
                table: "enrolments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Sequence",
                table: "enrolments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "SourceKind",
                table: "enrolments",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SourceReference",
                table: "enrolments",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StartedAt",
                table: "enrolments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "enrolments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ledger",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ActorId = table.Column<Guid>(type: "uuid", nullable: true),
                    ActorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: true),
                    DueAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    SourceKind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    SourceReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ledger", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ledger_enrolments_EnrolmentId",
                        column: x => x.EnrolmentId,
                        principalTable: "enrolments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ledger_EnrolmentId_Sequence",
                table: "ledger",
                columns: new[] { "EnrolmentId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ledger_UserId_At",
                table: "ledger",
                columns: new[] { "UserId", "At" });

            // Enrolments made before the ledger existed (the old API made only "Enrolled" ones) get their assignment
            // entry, so that every enrolment is the fold of its ledger from here on.
            migrationBuilder.Sql("""
                UPDATE enrolments SET "SourceKind" = 'Manual', "Sequence" = 1,
                    "Version" = COALESCE((SELECT c."Version" FROM courses c WHERE c."CourseId" = enrolments."CourseId"), 0);
                INSERT INTO ledger ("Id", "EnrolmentId", "Sequence", "UserId", "CourseId", "Action", "At", "RecordedAt", "ActorId", "ActorName",
                                    "Reason", "Version", "DueAt", "SourceKind", "SourceReference")
                SELECT gen_random_uuid(), "Id", 1, "UserId", "CourseId", 'Assigned', "EnrolledAt", now(), NULL, 'the platform',
                       'recorded before the ledger existed', "Version", "DueAt", 'Manual', NULL
                FROM enrolments;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ledger");

            migrationBuilder.DropColumn(
                name: "CompletedAt",
                table: "enrolments");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "enrolments");

            migrationBuilder.DropColumn(
                name: "SourceKind",
                table: "enrolments");

            migrationBuilder.DropColumn(
                name: "SourceReference",
                table: "enrolments");

            migrationBuilder.DropColumn(
                name: "StartedAt",
                table: "enrolments");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "enrolments");
        }
    }
}
