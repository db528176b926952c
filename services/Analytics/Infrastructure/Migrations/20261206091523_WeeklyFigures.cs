using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class WeeklyFigures : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "current_activity_figures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    WeekStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ActiveLearners = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_activity_figures", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "current_week_figures",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    WeekStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    NewAssignments = table.Column<long>(type: "bigint", nullable: false),
                    Completions = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_current_week_figures", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_current_activity_figures_OrgUnitId",
                table: "current_activity_figures",
                column: "OrgUnitId");

            migrationBuilder.CreateIndex(
                name: "IX_current_week_figures_OrgUnitId",
                table: "current_week_figures",
                column: "OrgUnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "current_activity_figures");

            migrationBuilder.DropTable(
                name: "current_week_figures");
        }
    }
}
