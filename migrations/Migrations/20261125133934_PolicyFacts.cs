using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SecureGateway.Migrations
{
    /// <inheritdoc />
    public partial class PolicyFacts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "facts",
                table: "decisions",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "justification",
                table: "decisions",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "policy_revision",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "rule_results",
                table: "decisions",
                type: "jsonb",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "module_index",
                columns: table => new
                {
                    module = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    version = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    timestamp = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_module_index", x => new { x.module, x.version });
                });

            migrationBuilder.CreateTable(
                name: "repository_facts",
                columns: table => new
                {
                    repository = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    archived = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    pushed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    stars = table.Column<int>(type: "integer", nullable: false),
                    licence = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    error = table.Column<string>(type: "text", nullable: true),
                    fetched_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_repository_facts", x => x.repository);
                });

            migrationBuilder.CreateTable(
                name: "vulnerabilities",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    modified = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    osv = table.Column<string>(type: "jsonb", nullable: false),
                    modules = table.Column<List<string>>(type: "text[]", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vulnerabilities", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_module_index_timestamp",
                table: "module_index",
                column: "timestamp");

            migrationBuilder.CreateIndex(
                name: "ix_vulnerabilities_modules",
                table: "vulnerabilities",
                column: "modules")
                .Annotation("Npgsql:IndexMethod", "gin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "module_index");

            migrationBuilder.DropTable(
                name: "repository_facts");

            migrationBuilder.DropTable(
                name: "vulnerabilities");

            migrationBuilder.DropColumn(
                name: "facts",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "justification",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "policy_revision",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "rule_results",
                table: "decisions");
        }
    }
}
