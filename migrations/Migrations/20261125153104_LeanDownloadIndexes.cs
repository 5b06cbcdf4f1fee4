using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class LeanDownloadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "pk_downloads",
                table: "downloads");

            migrationBuilder.DropIndex(
                name: "ix_downloads_module_version_time",
                table: "downloads");

            migrationBuilder.DropIndex(
                name: "ix_downloads_time",
                table: "downloads");

            migrationBuilder.DropColumn(
                name: "id",
                table: "downloads");

            migrationBuilder.CreateIndex(
                name: "ix_downloads_module_version",
                table: "downloads",
                columns: new[] { "module", "version" });

            migrationBuilder.CreateIndex(
                name: "ix_downloads_time",
                table: "downloads",
                column: "time")
                .Annotation("Npgsql:IndexMethod", "brin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_downloads_module_version",
                table: "downloads");

            migrationBuilder.DropIndex(
                name: "ix_downloads_time",
                table: "downloads");

            migrationBuilder.AddColumn<long>(
                name: "id",
                table: "downloads",
                type: "bigint",
                nullable: false)
                .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn);

            migrationBuilder.AddPrimaryKey(
                name: "pk_downloads",
                table: "downloads",
                column: "id");

            migrationBuilder.CreateIndex(
                name: "ix_downloads_module_version_time",
                table: "downloads",
                columns: new[] { "module", "version", "time" });

            migrationBuilder.CreateIndex(
                name: "ix_downloads_time",
                table: "downloads",
                column: "time");
        }
    }
}
