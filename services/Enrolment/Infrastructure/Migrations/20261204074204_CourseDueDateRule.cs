using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class CourseDueDateRule : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DueFrom",
                table: "courses",
                type: "text",
                nullable: false,
                defaultValue: "assignment");

            migrationBuilder.AddColumn<int>(
                name: "DueWithinDays",
                table: "courses",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DueFrom",
                table: "courses");

            migrationBuilder.DropColumn(
                name: "DueWithinDays",
                table: "courses");
        }
    }
}
