using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Identity.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class SignInLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sign_ins",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Method = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sign_ins", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sign_ins_UserId_At",
                table: "sign_ins",
                columns: new[] { "UserId", "At" });

            // Before the log, only each person's last sign-in was kept: it starts the log.
            migrationBuilder.Sql("""
                INSERT INTO sign_ins ("Id", "UserId", "Method", "At")
                SELECT gen_random_uuid(), "Id", 'password', "LastSignInAt" FROM users WHERE "LastSignInAt" IS NOT NULL
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sign_ins");
        }
    }
}
