using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class InitialDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    module = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    version = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reasons = table.Column<string[]>(type: "text[]", nullable: false),
                    zip_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    go_mod_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    zip_size = table.Column<long>(type: "bigint", nullable: true),
                    go_mod_size = table.Column<long>(type: "bigint", nullable: true),
                    file_count = table.Column<int>(type: "integer", nullable: true),
                    upstream = table.Column<string>(type: "text", nullable: true),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_decisions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_module_version_id",
                table: "decisions",
                columns: new[] { "module", "version", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_decisions_time",
                table: "decisions",
                column: "time");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "decisions");
        }
    }
}
