using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RenewalAwaitsItsCertification : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "IsRenewal",
                table: "assignments",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IsRenewal",
                table: "assignments");
        }
    }
}
