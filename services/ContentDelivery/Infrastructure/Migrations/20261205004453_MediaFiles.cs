using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.ContentDelivery.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class MediaFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Bytes",
                table: "content_items",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FileName",
                table: "content_items",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MediaType",
                table: "content_items",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "media_progress",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    EnrolmentId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CourseId = table.Column<Guid>(type: "uuid", nullable: false),
                    ActivityId = table.Column<Guid>(type: "uuid", nullable: false),
                    ContentItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    IsMedia = table.Column<bool>(type: "boolean", nullable: false),
                    Position = table.Column<double>(type: "double precision", nullable: false),
                    Duration = table.Column<double>(type: "double precision", nullable: true),
                    Watched = table.Column<string>(type: "jsonb", nullable: false),
                    WatchedSeconds = table.Column<double>(type: "double precision", nullable: false),
                    Percent = table.Column<int>(type: "integer", nullable: false),
                    Opens = table.Column<int>(type: "integer", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_media_progress", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_media_progress_EnrolmentId_ActivityId",
                table: "media_progress",
                columns: new[] { "EnrolmentId", "ActivityId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_media_progress_UserId",
                table: "media_progress",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "media_progress");

            migrationBuilder.DropColumn(
                name: "Bytes",
                table: "content_items");

            migrationBuilder.DropColumn(
                name: "FileName",
                table: "content_items");

            migrationBuilder.DropColumn(
                name: "MediaType",
                table: "content_items");
        }
    }
}
