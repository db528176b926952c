using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PlacementChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "placement_changes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FromOrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    FromManagerId = table.Column<Guid>(type: "uuid", nullable: true),
                    ToOrgUnitId = table.Column<Guid>(type: "uuid", nullable: true),
                    ToManagerId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_placement_changes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_placement_changes_At",
                table: "placement_changes",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_placement_changes_UserId_At",
                table: "placement_changes",
                columns: new[] { "UserId", "At" });

            // Where each person sat at a date: the "from" of their first move after it, or where they sit now. Only the
            // movers (a hashed set of the moves after the date) cost more than a scan of user_facts.
            migrationBuilder.Sql("""
                CREATE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF user_facts LANGUAGE sql STABLE AS $$
                    SELECT placed.*
                    FROM user_facts u
                    JOIN (SELECT DISTINCT ON ("UserId") "UserId", "FromOrgUnitId", "FromManagerId"
                          FROM placement_changes WHERE "At" > as_of ORDER BY "UserId", "At", "Id") m ON m."UserId" = u."UserId"
                    CROSS JOIN LATERAL jsonb_populate_record(u, jsonb_build_object('OrgUnitId', m."FromOrgUnitId", 'ManagerId', m."FromManagerId")) placed
                    UNION ALL
                    SELECT u.* FROM user_facts u
                    WHERE NOT EXISTS (SELECT 1 FROM placement_changes c WHERE c."UserId" = u."UserId" AND c."At" > as_of)
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS users_as_of(timestamptz);");
            migrationBuilder.DropTable(
                name: "placement_changes");
        }
    }
}
