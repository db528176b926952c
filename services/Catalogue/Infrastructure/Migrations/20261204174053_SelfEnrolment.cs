using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Catalogue.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SelfEnrolment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "self_enrolment",
                table: "learning_path_versions",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "closed");

            migrationBuilder.AddColumn<string>(
                name: "self_enrolment",
                table: "course_versions",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "closed");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "self_enrolment",
                table: "learning_path_versions");

            migrationBuilder.DropColumn(
                name: "self_enrolment",
                table: "course_versions");
        }
    }
}
