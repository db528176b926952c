using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StatusChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FromStatus",
                table: "placement_changes",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ToStatus",
                table: "placement_changes",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            // A person is placed as of a date with the status they had then too: the "from" status of their first change
            // after it that logged one (changes logged before statuses were have none); with none, the status of now.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF user_facts LANGUAGE sql STABLE AS $$
                    SELECT placed.*
                    FROM user_facts u
                    JOIN (SELECT DISTINCT ON ("UserId") "UserId", "FromOrgUnitId", "FromManagerId"
                          FROM placement_changes WHERE "At" > as_of ORDER BY "UserId", "At", "Id") m ON m."UserId" = u."UserId"
                    LEFT JOIN LATERAL (SELECT c."FromStatus" FROM placement_changes c
                                       WHERE c."UserId" = u."UserId" AND c."At" > as_of AND c."FromStatus" IS NOT NULL
                                       ORDER BY c."At", c."Id" LIMIT 1) s ON TRUE
                    CROSS JOIN LATERAL jsonb_populate_record(u, jsonb_build_object('OrgUnitId', m."FromOrgUnitId", 'ManagerId', m."FromManagerId")
                        || jsonb_strip_nulls(jsonb_build_object('Status', s."FromStatus"))) placed
                    UNION ALL
                    SELECT u.* FROM user_facts u
                    WHERE NOT EXISTS (SELECT 1 FROM placement_changes c WHERE c."UserId" = u."UserId" AND c."At" > as_of)
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION users_as_of(as_of timestamptz) RETURNS SETOF user_facts LANGUAGE sql STABLE AS $$
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

            migrationBuilder.DropColumn(
                name: "FromStatus",
                table: "placement_changes");

            migrationBuilder.DropColumn(
                name: "ToStatus",
                table: "placement_changes");
        }
    }
}
