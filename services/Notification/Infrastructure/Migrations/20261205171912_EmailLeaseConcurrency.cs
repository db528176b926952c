using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LmsPlatform.Notification.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class EmailLeaseConcurrency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The lease becomes the emails' concurrency token: a change of the model only, the table is as it was.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
