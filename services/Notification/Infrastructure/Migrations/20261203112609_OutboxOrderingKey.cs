using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OutboxOrderingKey : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ordering_key",
                table: "outbox_messages",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_pending_by_key",
                table: "outbox_messages",
                columns: new[] { "ordering_key", "id" },
                filter: "sent_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_pending_by_key",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "ordering_key",
                table: "outbox_messages");
        }
    }
}
