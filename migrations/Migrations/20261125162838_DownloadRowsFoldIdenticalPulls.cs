using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class DownloadRowsFoldIdenticalPulls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows already written are not rewritten (a large ledger must not be copied): each stands for one pull,
            // which the default count and a null last time say.
            migrationBuilder.AddColumn<int>(
                name: "count",
                table: "downloads",
                type: "integer",
                nullable: false,
                defaultValue: 1);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_time",
                table: "downloads",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "count",
                table: "downloads");

            migrationBuilder.DropColumn(
                name: "last_time",
                table: "downloads");
        }
    }
}
