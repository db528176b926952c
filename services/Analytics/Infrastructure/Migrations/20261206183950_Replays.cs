using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class Replays : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "read_model_rebuild_sources",
                columns: table => new
                {
                    RebuildId = table.Column<Guid>(type: "uuid", nullable: false),
                    Source = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Pages = table.Column<int>(type: "integer", nullable: false),
                    Records = table.Column<long>(type: "bigint", nullable: false),
                    LastPage = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_read_model_rebuild_sources", x => new { x.RebuildId, x.Source });
                    table.ForeignKey(
                        name: "FK_read_model_rebuild_sources_read_model_rebuilds_RebuildId",
                        column: x => x.RebuildId,
                        principalTable: "read_model_rebuilds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Earlier rebuilds keep their counts, as their ledger's; one running now was asking the ledger alone and could
            // never complete with every source, so it is given up (an operator starts another).
            migrationBuilder.Sql("""
                INSERT INTO read_model_rebuild_sources ("RebuildId", "Source", "Pages", "Records", "LastPage")
                SELECT "Id", 'ledger', "Pages", "Entries", "LastPage" FROM read_model_rebuilds
                """);
            migrationBuilder.Sql("""
                UPDATE read_model_rebuilds SET "AbandonedAt" = now(), "AbandonedBy" = 'The upgrade to rebuilds of every source'
                WHERE "CompletedAt" IS NULL AND "AbandonedAt" IS NULL
                """);

            migrationBuilder.DropColumn(
                name: "Entries",
                table: "read_model_rebuilds");

            migrationBuilder.DropColumn(
                name: "LastPage",
                table: "read_model_rebuilds");

            migrationBuilder.DropColumn(
                name: "Pages",
                table: "read_model_rebuilds");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "read_model_rebuild_sources");

            migrationBuilder.AddColumn<long>(
                name: "Entries",
                table: "read_model_rebuilds",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "LastPage",
                table: "read_model_rebuilds",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Pages",
                table: "read_model_rebuilds",
                type: "integer",
                nullable: false,
                defaultValue: 0);
        }
    }
}
