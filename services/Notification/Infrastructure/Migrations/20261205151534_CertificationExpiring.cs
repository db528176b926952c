using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CertificationExpiring : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CertificationExpiresAt",
                table: "assignments",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "RenewsCertificationOf",
                table: "assignments",
                type: "uuid",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CertificationExpiresAt",
                table: "assignments");

            migrationBuilder.DropColumn(
                name: "RenewsCertificationOf",
                table: "assignments");
        }
    }
}
