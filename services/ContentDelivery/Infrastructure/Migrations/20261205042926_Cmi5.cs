using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.ContentDelivery.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Cmi5 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cmi5_registrations",
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
                    Aus = table.Column<string>(type: "jsonb", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    SatisfiedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cmi5_registrations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "cmi5_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    RegistrationId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    AuId = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    AuActivityId = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Mode = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    FetchTokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SecretHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    LaunchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FetchedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TerminatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AbandonedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cmi5_sessions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cmi5_registrations_EnrolmentId_ActivityId_Number",
                table: "cmi5_registrations",
                columns: new[] { "EnrolmentId", "ActivityId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cmi5_registrations_UserId",
                table: "cmi5_registrations",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_cmi5_sessions_FetchTokenHash",
                table: "cmi5_sessions",
                column: "FetchTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cmi5_sessions_RegistrationId",
                table: "cmi5_sessions",
                column: "RegistrationId");

            migrationBuilder.CreateIndex(
                name: "IX_cmi5_sessions_UserId",
                table: "cmi5_sessions",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cmi5_registrations");

            migrationBuilder.DropTable(
                name: "cmi5_sessions");
        }
    }
}
