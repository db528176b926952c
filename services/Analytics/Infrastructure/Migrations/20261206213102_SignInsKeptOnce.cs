using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SignInsKeptOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DELETE FROM sign_ins a USING sign_ins b WHERE a."UserId" = b."UserId" AND a."At" = b."At" AND a."Id" > b."Id"
                """);
            migrationBuilder.DropIndex(
                name: "IX_sign_ins_UserId_At",
                table: "sign_ins");

            migrationBuilder.CreateIndex(
                name: "IX_sign_ins_UserId_At",
                table: "sign_ins",
                columns: new[] { "UserId", "At" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_sign_ins_UserId_At",
                table: "sign_ins");

            migrationBuilder.CreateIndex(
                name: "IX_sign_ins_UserId_At",
                table: "sign_ins",
                columns: new[] { "UserId", "At" });
        }
    }
}
