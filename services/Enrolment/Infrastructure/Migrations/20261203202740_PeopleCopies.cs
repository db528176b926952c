using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Enrolment.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PeopleCopies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Erased",
                table: "learners",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ExternalId",
                table: "learners",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FamilyName",
                table: "learners",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "GivenName",
                table: "learners",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateOnly>(
                name: "HireDate",
                table: "learners",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "JobTitle",
                table: "learners",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Location",
                table: "learners",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ManagerId",
                table: "learners",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "OrgUnitId",
                table: "learners",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ProfileAt",
                table: "learners",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Status",
                table: "learners",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "Active");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "StatusAt",
                table: "learners",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_learners_ManagerId",
                table: "learners",
                column: "ManagerId");

            migrationBuilder.CreateIndex(
                name: "IX_learners_OrgUnitId",
                table: "learners",
                column: "OrgUnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_learners_ManagerId",
                table: "learners");

            migrationBuilder.DropIndex(
                name: "IX_learners_OrgUnitId",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "Erased",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "ExternalId",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "FamilyName",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "GivenName",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "HireDate",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "JobTitle",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "Location",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "ManagerId",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "OrgUnitId",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "ProfileAt",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "Status",
                table: "learners");

            migrationBuilder.DropColumn(
                name: "StatusAt",
                table: "learners");
        }
    }
}
