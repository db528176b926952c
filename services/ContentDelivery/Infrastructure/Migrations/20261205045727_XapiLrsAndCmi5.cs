using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LmsPlatform.ContentDelivery.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class XapiLrsAndCmi5 : Migration
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
                    InitializedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    TerminatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AbandonedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cmi5_sessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "xapi_activities",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    definition = table.Column<string>(type: "jsonb", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_activities", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "xapi_attachments",
                columns: table => new
                {
                    sha2 = table.Column<string>(type: "text", nullable: false),
                    content_type = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_attachments", x => x.sha2);
                });

            migrationBuilder.CreateTable(
                name: "xapi_clients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    key = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    secret_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    scopes = table.Column<string[]>(type: "text[]", nullable: false),
                    created_by = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_clients", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "xapi_documents",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    activity_id = table.Column<string>(type: "text", nullable: false),
                    agent_key = table.Column<string>(type: "text", nullable: false),
                    registration = table.Column<Guid>(type: "uuid", nullable: true),
                    document_id = table.Column<string>(type: "text", nullable: false),
                    content_type = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    content = table.Column<byte[]>(type: "bytea", nullable: false),
                    etag = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_documents", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "xapi_progress",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    Completed = table.Column<bool>(type: "boolean", nullable: false),
                    Passed = table.Column<bool>(type: "boolean", nullable: true),
                    Score = table.Column<double>(type: "double precision", nullable: true),
                    Statements = table.Column<int>(type: "integer", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_progress", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "xapi_statements",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    stored = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    keys = table.Column<string[]>(type: "text[]", nullable: false),
                    refers_to = table.Column<Guid>(type: "uuid", nullable: true),
                    voids = table.Column<Guid>(type: "uuid", nullable: true),
                    voided = table.Column<bool>(type: "boolean", nullable: false),
                    statement = table.Column<string>(type: "json", nullable: false),
                    attachments = table.Column<string[]>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_xapi_statements", x => x.seq);
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

            migrationBuilder.CreateIndex(
                name: "IX_xapi_clients_key",
                table: "xapi_clients",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_xapi_documents_kind_activity_id_agent_key_registration_docu~",
                table: "xapi_documents",
                columns: new[] { "kind", "activity_id", "agent_key", "registration", "document_id" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "IX_xapi_progress_EnrolmentId_ActivityId",
                table: "xapi_progress",
                columns: new[] { "EnrolmentId", "ActivityId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_xapi_progress_UserId",
                table: "xapi_progress",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_xapi_statements_id",
                table: "xapi_statements",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_xapi_statements_keys",
                table: "xapi_statements",
                column: "keys")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "IX_xapi_statements_refers_to",
                table: "xapi_statements",
                column: "refers_to",
                filter: "refers_to IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_xapi_statements_stored",
                table: "xapi_statements",
                column: "stored");

            migrationBuilder.CreateIndex(
                name: "IX_xapi_statements_voids",
                table: "xapi_statements",
                column: "voids",
                filter: "voids IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cmi5_registrations");

            migrationBuilder.DropTable(
                name: "cmi5_sessions");

            migrationBuilder.DropTable(
                name: "xapi_activities");

            migrationBuilder.DropTable(
                name: "xapi_attachments");

            migrationBuilder.DropTable(
                name: "xapi_clients");

            migrationBuilder.DropTable(
                name: "xapi_documents");

            migrationBuilder.DropTable(
                name: "xapi_progress");

            migrationBuilder.DropTable(
                name: "xapi_statements");
        }
    }
}
