using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Analytics.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PeopleCopies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DisplayName",
                table: "user_facts",
                type: "character varying(201)",
                maxLength: 201,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "Email",
                table: "user_facts",
                type: "character varying(254)",
                maxLength: 254,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<bool>(
                name: "Erased",
                table: "user_facts",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "user_facts",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FamilyName",
                table: "user_facts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "GivenName",
                table: "user_facts",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "HireDate",
                table: "user_facts",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "JobTitle",
                table: "user_facts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Location",
                table: "user_facts",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ManagerId",
                table: "user_facts",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OrgUnitId",
                table: "user_facts",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ProfileAt",
                table: "user_facts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "user_facts",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Active");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StatusAt",
                table: "user_facts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_user_facts_ManagerId",
                table: "user_facts",
                column: "ManagerId");

            migrationBuilder.CreateIndex(
                name: "IX_user_facts_OrgUnitId",
                table: "user_facts",
                column: "OrgUnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_user_facts_ManagerId",
                table: "user_facts");

            migrationBuilder.DropIndex(
                name: "IX_user_facts_OrgUnitId",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "DisplayName",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "Email",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "Erased",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "FamilyName",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "GivenName",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "HireDate",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "JobTitle",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "Location",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "ManagerId",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "OrgUnitId",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "ProfileAt",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "user_facts");

            migrationBuilder.DropColumn(
                name: "StatusAt",
                table: "user_facts");
        }
    }
}
