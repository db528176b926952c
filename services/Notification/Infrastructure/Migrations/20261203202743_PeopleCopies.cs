using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PeopleCopies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "CreatedAt",
                table: "recipients",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            migrationBuilder.AddColumn<bool>(
                name: "Erased",
                table: "recipients",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "recipients",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FamilyName",
                table: "recipients",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "GivenName",
                table: "recipients",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "HireDate",
                table: "recipients",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "JobTitle",
                table: "recipients",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Location",
                table: "recipients",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ManagerId",
                table: "recipients",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OrgUnitId",
                table: "recipients",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ProfileAt",
                table: "recipients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "recipients",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Active");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StatusAt",
                table: "recipients",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_recipients_ManagerId",
                table: "recipients",
                column: "ManagerId");

            migrationBuilder.CreateIndex(
                name: "IX_recipients_OrgUnitId",
                table: "recipients",
                column: "OrgUnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_recipients_ManagerId",
                table: "recipients");

            migrationBuilder.DropIndex(
                name: "IX_recipients_OrgUnitId",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "CreatedAt",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "Erased",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "FamilyName",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "GivenName",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "HireDate",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "JobTitle",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "Location",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "ManagerId",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "OrgUnitId",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "ProfileAt",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "recipients");

            migrationBuilder.DropColumn(
                name: "StatusAt",
                table: "recipients");
        }
    }
}
